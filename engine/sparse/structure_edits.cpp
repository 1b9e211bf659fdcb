#include "sparse/structure_edits.hpp"

#include <algorithm>
#include <stdexcept>

namespace obs::sparse {
namespace {

// One connection with its optimizer state, while a layer is rebuilt.
struct Entry {
  std::uint32_t col;
  float value, m1, m2;
  bool operator<(const Entry& o) const { return col < o.col; }
};

// The layer's rows as entry lists.
std::vector<std::vector<Entry>> rows_of(const CsrLayer& W) {
  const bool moments = !W.moment1.empty();
  std::vector<std::vector<Entry>> rows(static_cast<std::size_t>(W.rows));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::uint32_t k = W.row_start[r]; k < W.row_start[r + 1]; ++k)
      rows[r].push_back({W.col[k], W.value[k], moments ? W.moment1[k] : 0.0f, moments ? W.moment2[k] : 0.0f});
  return rows;
}

// Writes rows (each sorted by column) back into W's arrays; W.rows becomes rows.size().
void write_rows(CsrLayer& W, const std::vector<std::vector<Entry>>& rows) {
  const bool moments = !W.moment1.empty();
  W.rows = static_cast<int>(rows.size());
  W.row_start.assign(1, 0);
  W.col.clear();
  W.value.clear();
  W.moment1.clear();
  W.moment2.clear();
  for (const auto& row : rows) {
    for (const Entry& e : row) {
      W.col.push_back(e.col);
      W.value.push_back(e.value);
      if (moments) {
        W.moment1.push_back(e.m1);
        W.moment2.push_back(e.m2);
      }
    }
    W.row_start.push_back(static_cast<std::uint32_t>(W.col.size()));
  }
}

void check_hidden(const SparseChain& chain, std::size_t l, int unit) {
  if (l + 1 >= chain.layers().size()) throw std::invalid_argument("structure edit: layer " + std::to_string(l) + " is not a hidden layer");
  if (unit < 0 || unit >= chain.layers()[l].rows) throw std::invalid_argument("structure edit: no unit " + std::to_string(unit));
}

}  // namespace

int split_unit(SparseChain& chain, std::size_t l, int unit, float share) {
  check_hidden(chain, l, unit);
  CsrLayer& in = chain.layers()[l];
  CsrLayer& out = chain.layers()[l + 1];
  const int clone = in.rows;

  std::vector<std::vector<Entry>> rows = rows_of(in);
  std::vector<Entry> copy = rows[static_cast<std::size_t>(unit)];
  for (Entry& e : copy) e.m1 = e.m2 = 0.0f;
  rows.push_back(std::move(copy));
  write_rows(in, rows);
  in.bias.push_back(in.bias[static_cast<std::size_t>(unit)]);
  if (!in.bias_moment1.empty()) {
    in.bias_moment1.push_back(0.0f);
    in.bias_moment2.push_back(0.0f);
  }

  // The clone is the largest input index, so its connection goes at the end of each row.
  std::vector<std::vector<Entry>> next = rows_of(out);
  for (auto& row : next)
    for (Entry& e : row)
      if (e.col == static_cast<std::uint32_t>(unit)) {
        const float w = e.value;
        e.value = share * w;
        row.push_back({static_cast<std::uint32_t>(clone), (1.0f - share) * w, 0.0f, 0.0f});
        break;
      }
  out.cols = clone + 1;
  write_rows(out, next);
  chain.structure_changed();
  return clone;
}

void merge_units(SparseChain& chain, std::size_t l, int keep, int drop) {
  check_hidden(chain, l, keep);
  check_hidden(chain, l, drop);
  if (keep == drop) throw std::invalid_argument("structure edit: a unit cannot merge with itself");
  CsrLayer& in = chain.layers()[l];
  CsrLayer& out = chain.layers()[l + 1];
  const auto d = static_cast<std::uint32_t>(drop);

  std::vector<std::vector<Entry>> rows = rows_of(in);
  rows.erase(rows.begin() + drop);
  write_rows(in, rows);
  in.bias.erase(in.bias.begin() + drop);
  if (!in.bias_moment1.empty()) {
    in.bias_moment1.erase(in.bias_moment1.begin() + drop);
    in.bias_moment2.erase(in.bias_moment2.begin() + drop);
  }

  const auto renumber = [d](std::uint32_t c) { return c > d ? c - 1 : c; };
  const std::uint32_t k = renumber(static_cast<std::uint32_t>(keep));
  std::vector<std::vector<Entry>> next = rows_of(out);
  for (auto& row : next) {
    float moved = 0.0f;
    bool had = false;
    std::vector<Entry> kept;
    for (const Entry& e : row) {
      if (e.col == d) {
        moved = e.value;
        had = true;
      } else {
        kept.push_back({renumber(e.col), e.value, e.m1, e.m2});
      }
    }
    if (had) {
      const auto at = std::find_if(kept.begin(), kept.end(), [k](const Entry& e) { return e.col == k; });
      if (at != kept.end()) at->value += moved;
      else kept.push_back({k, moved, 0.0f, 0.0f});
      std::sort(kept.begin(), kept.end());
    }
    row = std::move(kept);
  }
  out.cols -= 1;
  write_rows(out, next);
  chain.structure_changed();
}

void insert_identity_layer(SparseChain& chain, std::size_t after) {
  if (after + 1 >= chain.layers().size()) throw std::invalid_argument("structure edit: a layer goes after a hidden layer only");
  const CsrLayer& before = chain.layers()[after];
  const int n = before.rows;
  CsrLayer I;
  I.rows = I.cols = n;
  for (int i = 0; i <= n; ++i) I.row_start.push_back(static_cast<std::uint32_t>(i));
  for (int i = 0; i < n; ++i) I.col.push_back(static_cast<std::uint32_t>(i));
  I.value.assign(static_cast<std::size_t>(n), 1.0f);
  I.bias.assign(static_cast<std::size_t>(n), 0.0f);
  if (!before.moment1.empty()) {  // the chain runs Adam: the new layer starts with zero moments
    I.moment1.assign(I.value.size(), 0.0f);
    I.moment2.assign(I.value.size(), 0.0f);
    I.bias_moment1.assign(I.bias.size(), 0.0f);
    I.bias_moment2.assign(I.bias.size(), 0.0f);
  }
  chain.layers().insert(chain.layers().begin() + static_cast<std::ptrdiff_t>(after) + 1, std::move(I));
  chain.structure_changed();
}

void remove_layer(SparseChain& chain, std::size_t l) {
  if (l == 0 || l + 1 >= chain.layers().size() || chain.layers()[l].rows != chain.layers()[l].cols)
    throw std::invalid_argument("structure edit: only a square layer between two others can be removed");
  chain.layers().erase(chain.layers().begin() + static_cast<std::ptrdiff_t>(l));
  chain.structure_changed();
}

}  // namespace obs::sparse
