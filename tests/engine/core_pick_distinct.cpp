// Choosing k of n units for a perturbation: distinct, every subset equally likely, parked at the
// end, and the same draws as the hand-written loops it replaced (so perturbed runs keep their
// trajectories).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <vector>

#include "core/pick_distinct.hpp"
#include "core/rng.hpp"

TEST_CASE("pick_distinct: k distinct units, parked at the last k positions, k clamped to n") {
  obs::Rng rng(7);
  std::vector<int> units(10);
  std::iota(units.begin(), units.end(), 0);
  std::vector<int> seen;
  const std::size_t k = obs::pick_distinct(units, 4, rng, [&](int u) { seen.push_back(u); });
  CHECK(k == 4);
  CHECK(std::set<int>(seen.begin(), seen.end()).size() == 4);
  // The j-th pick sits at position n-1-j: the chosen are the tail, in reverse order of choice.
  for (std::size_t j = 0; j < seen.size(); ++j) CHECK(units[units.size() - 1 - j] == seen[j]);
  // Still a permutation of the units.
  std::vector<int> sorted = units;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 10; ++i) CHECK(sorted[i] == i);

  std::vector<int> three = {1, 2, 3};
  CHECK(obs::pick_distinct(three, 99, rng, [](int) {}) == 3);
  std::vector<int> none;
  CHECK(obs::pick_distinct(none, 5, rng, [](int) {}) == 0);
}

TEST_CASE("pick_distinct: every 2-subset of 5 equally likely (chi-square against 10 equal cells)") {
  obs::Rng rng(11);
  std::map<std::pair<int, int>, int> count;
  const int trials = 20000;
  for (int t = 0; t < trials; ++t) {
    std::vector<int> units = {0, 1, 2, 3, 4};
    std::vector<int> got;
    obs::pick_distinct(units, 2, rng, [&](int u) { got.push_back(u); });
    ++count[{std::min(got[0], got[1]), std::max(got[0], got[1])}];
  }
  REQUIRE(count.size() == 10);
  double chi2 = 0;
  for (const auto& [pair, c] : count) chi2 += std::pow(c - trials / 10.0, 2) / (trials / 10.0);
  // 9 degrees of freedom: P(chi2 > 27.9) = 0.001.
  CHECK(chi2 < 27.9);
}

TEST_CASE("pick_distinct: the same draws and the same choices as the loop it replaced") {
  // The loop the cube and kuramoto carried before: swap a draw from [0, last] into `last`.
  std::vector<int> a(50), b(50);
  std::iota(a.begin(), a.end(), 0);
  b = a;
  obs::Rng ra(3), rb(3);
  std::vector<int> by_hand, by_helper;
  for (std::size_t j = 0; j < 12; ++j) {
    const std::size_t last = a.size() - 1 - j;
    std::swap(a[static_cast<std::size_t>(ra.below(last + 1))], a[last]);
    by_hand.push_back(a[last]);
  }
  obs::pick_distinct(b, 12, rb, [&](int u) { by_helper.push_back(u); });
  CHECK(by_hand == by_helper);
  CHECK(a == b);
  CHECK(ra.below(1000000) == rb.below(1000000));  // the streams are where they were
}
