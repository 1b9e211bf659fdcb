// The exact stationary solver (GTH) on chains whose answers are known by hand.
#include <doctest/doctest.h>

#include <vector>

#include "pump/stationary_solver.hpp"

using namespace obs::pump;

namespace {

Exact q(const char* text) { return *Exact::parse(text); }

}  // namespace

TEST_CASE("pump: GTH solves a non-reversible 3-state chain exactly") {
  // K = [[1/2, 1/2, 0], [0, 1/2, 1/2], [1/3, 1/3, 1/3]]. Not reversible: K_02 = 0 < K_20.
  // pi K = pi:  column 0: pi0 = pi0/2 + pi2/3        => pi2 = (3/2) pi0
  //             column 1: pi1 = pi0/2 + pi1/2 + pi2/3 => pi1/2 = pi0/2 + pi0/2 => pi1 = 2 pi0
  //             pi0 (1 + 2 + 3/2) = 1                => pi = (2/9, 4/9, 1/3).
  // Column 2 checks it: pi1/2 + pi2/3 = 2/9 + 1/9 = 1/3 = pi2.
  const std::vector<std::vector<Exact>> K = {
      {q("1/2"), q("1/2"), Exact(0)},
      {Exact(0), q("1/2"), q("1/2")},
      {q("1/3"), q("1/3"), q("1/3")},
  };
  const auto pi = stationary_exact(K);
  REQUIRE(pi.size() == 3);
  CHECK(pi[0] == q("2/9"));
  CHECK(pi[1] == q("4/9"));
  CHECK(pi[2] == q("1/3"));
  CHECK(is_stationary(K, pi));
  // Its net current circulates 0 -> 1 -> 2 -> 0: J_01 = pi0 K01 - pi1 K10 = 1/9 > 0.
  CHECK(pi[0] * K[0][1] - pi[1] * K[1][0] == q("1/9"));
  CHECK(pi[1] * K[1][2] - pi[2] * K[2][1] == q("1/9"));
  CHECK(pi[2] * K[2][0] - pi[0] * K[0][2] == q("1/9"));
}

TEST_CASE("pump: GTH on a two-state chain and in doubles") {
  // K = [[1 - a, a], [b, 1 - b]] has pi = (b, a)/(a + b); a = 1/3, b = 1/5 -> (3/8, 5/8).
  const std::vector<std::vector<Exact>> K = {{q("2/3"), q("1/3")}, {q("1/5"), q("4/5")}};
  const auto pi = stationary_exact(K);
  CHECK(pi[0] == q("3/8"));
  CHECK(pi[1] == q("5/8"));
  const auto pd = stationary_double({{2.0 / 3, 1.0 / 3}, {0.2, 0.8}});
  CHECK(pd[0] == doctest::Approx(0.375));
  CHECK(pd[1] == doctest::Approx(0.625));
}

TEST_CASE("pump: GTH refuses a reducible chain and a ragged matrix") {
  const std::vector<std::vector<Exact>> split = {
      {Exact(1), Exact(0), Exact(0)}, {Exact(0), q("1/2"), q("1/2")}, {Exact(0), q("1/2"), q("1/2")}};
  CHECK_THROWS_AS(stationary_exact(split), std::runtime_error);
  CHECK_THROWS_AS(stationary_exact({{Exact(1)}, {Exact(1), Exact(0)}}), std::invalid_argument);
  CHECK_FALSE(is_stationary({{q("1/2"), q("1/2")}, {Exact(1), Exact(0)}}, std::vector<Exact>{q("1/2"), q("1/2")}));
}
