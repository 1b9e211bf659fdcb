#include "sparse/rewire.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "core/pick_distinct.hpp"

namespace obs::sparse {

namespace {

constexpr double kPi = 3.14159265358979323846;

bool present(const CsrLayer& W, std::uint32_t row, std::uint32_t col) {
  const auto first = W.col.begin() + W.row_start[row], last = W.col.begin() + W.row_start[row + 1];
  return std::binary_search(first, last, col);
}

}  // namespace

void insert_connections(CsrLayer& W, const std::vector<Key>& keys, const std::vector<float>* values) {
  const auto cols = static_cast<Key>(W.cols);
  const bool moments = !W.moment1.empty();
  std::vector<std::uint32_t> row_start{0}, col;
  std::vector<float> value, m1, m2;
  col.reserve(W.col.size() + keys.size());
  value.reserve(col.capacity());
  if (moments) {
    m1.reserve(col.capacity());
    m2.reserve(col.capacity());
  }
  const auto keep = [&](std::uint32_t k) {  // an existing connection, with its state
    col.push_back(W.col[k]);
    value.push_back(W.value[k]);
    if (moments) {
      m1.push_back(W.moment1[k]);
      m2.push_back(W.moment2[k]);
    }
  };
  std::size_t next = 0;
  for (std::uint32_t r = 0; r < static_cast<std::uint32_t>(W.rows); ++r) {
    std::uint32_t k = W.row_start[r];
    const std::uint32_t end = W.row_start[r + 1];
    for (; next < keys.size() && keys[next] / cols == r; ++next) {
      const auto c = static_cast<std::uint32_t>(keys[next] % cols);
      for (; k < end && W.col[k] < c; ++k) keep(k);
      col.push_back(c);
      value.push_back(values ? (*values)[next] : 0.0f);
      if (moments) {
        m1.push_back(0.0f);
        m2.push_back(0.0f);
      }
    }
    for (; k < end; ++k) keep(k);
    row_start.push_back(static_cast<std::uint32_t>(col.size()));
  }
  W.row_start = std::move(row_start);
  W.col = std::move(col);
  W.value = std::move(value);
  if (moments) {
    W.moment1 = std::move(m1);
    W.moment2 = std::move(m2);
  }
}

namespace {

// Every absent (row, col) of W, ascending.
std::vector<Key> absent_keys(const CsrLayer& W) {
  std::vector<Key> keys;
  keys.reserve(static_cast<std::size_t>(W.rows) * static_cast<std::size_t>(W.cols) - W.connections());
  for (std::uint32_t r = 0; r < static_cast<std::uint32_t>(W.rows); ++r) {
    std::uint32_t k = W.row_start[r];
    for (std::uint32_t c = 0; c < static_cast<std::uint32_t>(W.cols); ++c) {
      if (k < W.row_start[r + 1] && W.col[k] == c) {
        ++k;
        continue;
      }
      keys.push_back(static_cast<Key>(r) * static_cast<Key>(W.cols) + c);
    }
  }
  return keys;
}

}  // namespace

std::size_t prune_smallest(CsrLayer& W, std::size_t k) {
  const std::size_t n = W.connections();
  k = std::min(k, n);
  if (k == 0) return 0;
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  // A NaN weight counts as the smallest (it goes first, and the ordering stays strict).
  const auto magnitude = [&](std::uint32_t k) { return std::isnan(W.value[k]) ? -1.0f : std::abs(W.value[k]); };
  const auto smaller = [&](std::uint32_t a, std::uint32_t b) {
    const float wa = magnitude(a), wb = magnitude(b);
    return wa < wb || (wa == wb && a < b);
  };
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k - 1), order.end(), smaller);
  std::vector<char> drop(n, 0);
  for (std::size_t i = 0; i < k; ++i) drop[order[i]] = 1;
  return remove_marked(W, drop);
}

std::size_t remove_marked(CsrLayer& W, const std::vector<char>& drop) {
  const bool moments = !W.moment1.empty();
  std::size_t kept = 0;
  for (std::size_t r = 0; r < static_cast<std::size_t>(W.rows); ++r) {
    const std::uint32_t begin = W.row_start[r], end = W.row_start[r + 1];
    W.row_start[r] = static_cast<std::uint32_t>(kept);
    for (std::uint32_t i = begin; i < end; ++i) {
      if (drop[i]) continue;
      W.col[kept] = W.col[i];
      W.value[kept] = W.value[i];
      if (moments) {
        W.moment1[kept] = W.moment1[i];
        W.moment2[kept] = W.moment2[i];
      }
      ++kept;
    }
  }
  W.row_start[static_cast<std::size_t>(W.rows)] = static_cast<std::uint32_t>(kept);
  const std::size_t removed = W.col.size() - kept;
  W.col.resize(kept);
  W.value.resize(kept);
  if (moments) {
    W.moment1.resize(kept);
    W.moment2.resize(kept);
  }
  return removed;
}

std::size_t grow_random(CsrLayer& W, std::size_t k, Rng& rng) {
  const auto cells = static_cast<Key>(W.rows) * static_cast<Key>(W.cols);
  const Key absent = cells - W.connections();
  k = static_cast<std::size_t>(std::min<Key>(k, absent));
  if (k == 0) return 0;
  std::vector<Key> chosen;
  chosen.reserve(k);
  if (absent <= 4 * static_cast<Key>(k)) {
    // A nearly full layer: rejection would draw mostly present cells, so list the absent ones.
    std::vector<Key> keys = absent_keys(W);
    pick_distinct(keys, k, rng, [&](Key key) { chosen.push_back(key); });
  } else {
    // Fewer than one draw in four is rejected, and the layer is never listed cell by cell.
    std::unordered_set<Key> taken;
    while (chosen.size() < k) {
      const Key key = rng.below(cells);
      const auto r = static_cast<std::uint32_t>(key / static_cast<Key>(W.cols));
      const auto c = static_cast<std::uint32_t>(key % static_cast<Key>(W.cols));
      if (present(W, r, c) || !taken.insert(key).second) continue;
      chosen.push_back(key);
    }
  }
  std::sort(chosen.begin(), chosen.end());
  insert_connections(W, chosen);
  return k;
}

Eigen::MatrixXf dense_gradient(const RowMat& x, const RowMat& dy) { return dy * x.transpose(); }

std::size_t grow_by_gradient(CsrLayer& W, const Eigen::MatrixXf& gradient, std::size_t k) {
  std::vector<Key> keys = absent_keys(W);
  k = std::min(k, keys.size());
  if (k == 0) return 0;
  const auto cols = static_cast<Key>(W.cols);
  // A non-finite gradient ranks below every finite one (and keeps the ordering strict).
  const auto score = [&](Key key) {
    const float g = std::abs(gradient(static_cast<Eigen::Index>(key / cols), static_cast<Eigen::Index>(key % cols)));
    return std::isfinite(g) ? g : -1.0f;
  };
  const auto before = [&](Key a, Key b) {
    const float sa = score(a), sb = score(b);
    return sa > sb || (sa == sb && a < b);
  };
  std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(k - 1), keys.end(), before);
  keys.resize(k);
  std::sort(keys.begin(), keys.end());
  insert_connections(W, keys);
  return k;
}

double cosine_update_fraction(double alpha, long step, long end_step) {
  if (step >= end_step || end_step <= 0) return 0.0;
  return 0.5 * alpha * (1.0 + std::cos(kPi * static_cast<double>(step) / static_cast<double>(end_step)));
}

std::vector<LayerMove> rewire_chain(SparseChain& chain, bool by_gradient, double fraction, Rng& rng) {
  std::vector<LayerMove> moves(chain.layers().size());
  for (std::size_t l = 0; l < chain.layers().size(); ++l) {
    CsrLayer& W = chain.layers()[l];
    const auto k = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(W.connections())));
    if (k == 0) continue;
    Eigen::MatrixXf gradient;
    if (by_gradient) gradient = dense_gradient(chain.layer_input(l), chain.layer_delta(l));
    const std::size_t pruned = prune_smallest(W, k);
    const std::size_t grown = by_gradient ? grow_by_gradient(W, gradient, pruned) : grow_random(W, pruned, rng);
    moves[l] = {static_cast<int>(pruned), static_cast<int>(grown)};
  }
  return moves;
}

}  // namespace obs::sparse
