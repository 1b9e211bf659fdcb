#include "sparse/layer_density.hpp"

#include <algorithm>

namespace obs::sparse {

std::vector<double> layer_densities(const std::vector<int>& sizes, double density, DensityRule rule) {
  const std::size_t L = sizes.size() > 0 ? sizes.size() - 1 : 0;
  std::vector<double> d(L, std::min(1.0, density));
  if (rule == DensityRule::Uniform || L == 0) return d;
  // Erdos-Renyi: d_l = eps (n_in + n_out) / (n_in n_out). Layers it would make denser than 1 are
  // made dense one at a time (the densest first), and eps is solved again over the rest.
  std::vector<bool> dense(L, false);
  double total = 0;
  for (std::size_t l = 0; l < L; ++l) total += static_cast<double>(sizes[l]) * sizes[l + 1];
  for (;;) {
    double budget = density * total, perimeter = 0;
    for (std::size_t l = 0; l < L; ++l) {
      if (dense[l]) budget -= static_cast<double>(sizes[l]) * sizes[l + 1];
      else perimeter += static_cast<double>(sizes[l]) + sizes[l + 1];
    }
    if (perimeter == 0) return std::vector<double>(L, 1.0);
    const double eps = budget / perimeter;
    std::size_t worst = L;
    double worst_d = 1.0;
    for (std::size_t l = 0; l < L; ++l) {
      if (dense[l]) continue;
      d[l] = eps * (static_cast<double>(sizes[l]) + sizes[l + 1]) / (static_cast<double>(sizes[l]) * sizes[l + 1]);
      if (d[l] > worst_d) worst_d = d[l], worst = l;
    }
    if (worst == L) break;
    dense[worst] = true;
  }
  for (std::size_t l = 0; l < L; ++l)
    if (dense[l]) d[l] = 1.0;
  return d;
}

}  // namespace obs::sparse
