#include "pump/sparsemax.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace obs::pump {

SparsemaxRow sparsemax(std::span<const Exact> z) {
  const std::size_t n = z.size();
  if (n == 0) throw std::invalid_argument("sparsemax of an empty row");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return z[b] < z[a]; });

  // The largest k with 1 + k z_(k) > S_k. The condition holds for k = 1 and, once it
  // fails, fails for every larger k (z sorted), so the first failure ends the scan.
  mpq_class prefix = 0, support_sum = 0;
  std::size_t k = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const mpq_class& zr = z[order[r]].mpq();
    prefix += zr;
    if (1 + static_cast<long>(r + 1) * zr > prefix) {
      k = r + 1;
      support_sum = prefix;
    } else {
      break;
    }
  }
  SparsemaxRow out;
  out.support_size = static_cast<int>(k);
  const mpq_class tau = (support_sum - 1) / static_cast<long>(k);
  out.tau = Exact::from_mpq(tau);
  out.p.resize(n);
  out.support.assign(n, false);
  for (std::size_t j = 0; j < n; ++j) {
    const mpq_class d = z[j].mpq() - tau;
    if (sgn(d) > 0) {
      out.p[j] = Exact::from_mpq(d);
      out.support[j] = true;
    }
  }
  return out;
}

std::vector<double> softmax(std::span<const double> z) {
  if (z.empty()) throw std::invalid_argument("softmax of an empty row");
  const double top = *std::max_element(z.begin(), z.end());
  std::vector<double> p(z.size());
  double sum = 0;
  for (std::size_t j = 0; j < z.size(); ++j) sum += (p[j] = std::exp(z[j] - top));
  for (auto& v : p) v /= sum;
  return p;
}

}  // namespace obs::pump
