// AUROC against hand-worked cases and against the definition counted pair by pair.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "learn/auroc.hpp"

using obs::learn::auroc;

TEST_CASE("auroc: hand-worked cases") {
  // Perfect, reversed, and every score tied.
  CHECK(auroc(std::vector<double>{1, 2, 3, 4}, std::vector<std::uint8_t>{0, 0, 1, 1}) == 1.0);
  CHECK(auroc(std::vector<double>{1, 2, 3, 4}, std::vector<std::uint8_t>{1, 1, 0, 0}) == 0.0);
  CHECK(auroc(std::vector<double>{5, 5, 5, 5}, std::vector<std::uint8_t>{1, 0, 1, 0}) == 0.5);
  // Positives {2, 4}, negatives {1, 3}: pairs (2>1) (2<3) (4>1) (4>3): 3 of 4.
  CHECK(auroc(std::vector<double>{1, 2, 3, 4}, std::vector<std::uint8_t>{0, 1, 0, 1}) == 0.75);
  // A tie across the classes counts one half: positives {3}, negatives {3, 1}: (1/2 + 1) / 2.
  CHECK(auroc(std::vector<double>{3, 3, 1}, std::vector<std::uint8_t>{1, 0, 0}) == 0.75);
  CHECK(std::isnan(auroc(std::vector<double>{1, 2}, std::vector<std::uint8_t>{1, 1})));   // no negatives
  CHECK(std::isnan(auroc(std::vector<double>{1, NAN}, std::vector<std::uint8_t>{1, 0})));  // a score not finite
}

TEST_CASE("auroc: equals the pair count on random integer scores full of ties") {
  obs::Rng rng(4);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 5 + rng.below(200);
    std::vector<double> s(n);
    std::vector<std::uint8_t> p(n);
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = static_cast<double>(rng.below(8));  // few values: many ties, as settling sweeps have
      p[i] = rng.below(3) == 0;
    }
    double wins = 0, pairs = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (p[i] && !p[j]) {
          pairs += 1;
          wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
        }
    if (pairs == 0) continue;
    CHECK(auroc(s, p) == doctest::Approx(wins / pairs).epsilon(1e-12));
  }
}
