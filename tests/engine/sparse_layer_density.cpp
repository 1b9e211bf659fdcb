// Sharing an overall density among layers: uniform, and Erdos-Renyi against hand-worked numbers.
#include <doctest/doctest.h>

#include <vector>

#include "sparse/layer_density.hpp"

using obs::sparse::DensityRule;
using obs::sparse::layer_densities;

TEST_CASE("layer density: uniform gives every layer the asked density") {
  CHECK(layer_densities({784, 300, 100, 10}, 0.05, DensityRule::Uniform) == std::vector<double>{0.05, 0.05, 0.05});
}

TEST_CASE("layer density: Erdos-Renyi on LeNet-300-100 at 1 %, by hand") {
  // Weights 235200 + 30000 + 1000 = 266200, 1 % = 2662; perimeters 1084 + 400 + 110 = 1594, so
  // eps = 2662 / 1594 and d_l = eps (n_in + n_out) / (n_in n_out).
  const double eps = 2662.0 / 1594.0;
  const auto d = layer_densities({784, 300, 100, 10}, 0.01, DensityRule::ErdosRenyi);
  REQUIRE(d.size() == 3);
  CHECK(d[0] == doctest::Approx(eps * 1084 / 235200));  // 0.77 %
  CHECK(d[1] == doctest::Approx(eps * 400 / 30000));     // 2.2 %
  CHECK(d[2] == doctest::Approx(eps * 110 / 1000));      // 18.4 %
  CHECK(d[0] * 235200 + d[1] * 30000 + d[2] * 1000 == doctest::Approx(2662));
}

TEST_CASE("layer density: a layer the rule would make denser than 1 is dense, the rest share what remains") {
  // {100, 100, 2} at 50 %: eps = 5100 / 302 would give the 100 -> 2 layer 8.6; made dense (200
  // weights), the first layer gets the remaining 4900 of its 10000: 49 %.
  const auto d = layer_densities({100, 100, 2}, 0.5, DensityRule::ErdosRenyi);
  CHECK(d[0] == doctest::Approx(0.49));
  CHECK(d[1] == 1.0);
  CHECK(layer_densities({10, 10, 10}, 1.0, DensityRule::ErdosRenyi) == std::vector<double>{1.0, 1.0});
}
