#include "pump/stationary_solver.hpp"

#include <algorithm>
#include <stdexcept>

namespace obs::pump {
namespace {

template <class M>
std::size_t checked_size(const M& K) {
  const std::size_t n = K.size();
  if (n == 0) throw std::invalid_argument("stationary distribution of an empty chain");
  for (const auto& row : K)
    if (row.size() != n) throw std::invalid_argument("transition matrix is not square");
  return n;
}

// The shared GTH skeleton. T is mpq_class or double; is_zero tells whether an entry can
// be skipped. States are censored one at a time, each time the remaining state with the
// fewest (in x out) live neighbours (Markowitz / minimum degree), which keeps the fill-in
// of a lattice chain far below the natural order's and with it the size of the exact
// intermediate fractions. The last state left is the root of the back-substitution.
template <class T, class IsZero>
std::vector<T> gth(std::vector<std::vector<T>> P, IsZero is_zero) {
  const std::size_t n = P.size();
  std::vector<T> pivot(n);
  std::vector<std::size_t> order;  // elimination order
  std::vector<char> alive(n, 1);
  std::vector<std::size_t> rows, cols;
  rows.reserve(n);
  cols.reserve(n);
  auto live_in = [&](std::size_t k) {
    std::size_t c = 0;
    for (std::size_t i = 0; i < n; ++i) c += (alive[i] && i != k && !is_zero(P[i][k]));
    return c;
  };
  auto live_out = [&](std::size_t k) {
    std::size_t c = 0;
    for (std::size_t j = 0; j < n; ++j) c += (alive[j] && j != k && !is_zero(P[k][j]));
    return c;
  };
  for (std::size_t step = 0; step + 1 < n; ++step) {
    std::size_t k = n, best = ~std::size_t{0};
    for (std::size_t c = 0; c < n; ++c) {
      if (!alive[c]) continue;
      const std::size_t cost = live_in(c) * live_out(c);
      if (cost < best) {
        best = cost;
        k = c;
      }
    }
    alive[k] = 0;
    order.push_back(k);
    // Censor state k: every path i -> k -> j becomes a direct i -> j.
    T s = 0;
    cols.clear();
    for (std::size_t j = 0; j < n; ++j)
      if (alive[j] && !is_zero(P[k][j])) {
        s += P[k][j];
        cols.push_back(j);
      }
    if (cols.empty()) throw std::runtime_error("the chain is reducible: state " + std::to_string(k) + " cannot reach the others");
    pivot[k] = s;
    rows.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (alive[i] && !is_zero(P[i][k])) rows.push_back(i);
    for (std::size_t i : rows) {
      const T f = P[i][k] / s;
      for (std::size_t j : cols)
        if (j != i) P[i][j] += f * P[k][j];
    }
  }
  std::size_t root = 0;
  while (!alive[root]) ++root;
  // Back-substitution in reverse elimination order: a censored state's mass is what
  // flows into it from the states still present when it was removed, over its pivot.
  std::vector<T> pi(n);
  std::fill(alive.begin(), alive.end(), 0);
  pi[root] = 1;
  alive[root] = 1;
  T total = 1;
  for (std::size_t r = order.size(); r-- > 0;) {
    const std::size_t k = order[r];
    T acc = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (alive[i] && !is_zero(P[i][k])) acc += pi[i] * P[i][k];
    pi[k] = acc / pivot[k];
    total += pi[k];
    alive[k] = 1;
  }
  for (auto& v : pi) v /= total;
  return pi;
}

}  // namespace

std::vector<Exact> stationary_exact(const std::vector<std::vector<Exact>>& K) {
  const std::size_t n = checked_size(K);
  std::vector<std::vector<mpq_class>> P(n, std::vector<mpq_class>(n));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (i != j) P[i][j] = K[i][j].mpq();
  const auto pi = gth(std::move(P), [](const mpq_class& v) { return sgn(v) == 0; });
  std::vector<Exact> out;
  out.reserve(n);
  for (const auto& v : pi) out.push_back(Exact::from_mpq(v));
  return out;
}

std::vector<double> stationary_double(const std::vector<std::vector<double>>& K) {
  const std::size_t n = checked_size(K);
  auto P = K;
  for (std::size_t i = 0; i < n; ++i) P[i][i] = 0;
  return gth(std::move(P), [](double v) { return v == 0.0; });
}

bool is_stationary(const std::vector<std::vector<Exact>>& K, std::span<const Exact> pi) {
  const std::size_t n = checked_size(K);
  if (pi.size() != n) return false;
  for (std::size_t j = 0; j < n; ++j) {
    mpq_class acc = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (!K[i][j].is_zero()) acc += pi[i].mpq() * K[i][j].mpq();
    if (acc != pi[j].mpq()) return false;
  }
  return true;
}

}  // namespace obs::pump
