// Twin runs' metrics come as a_X and b_X: one plot of X each; anything else is its own plot.
#include <doctest/doctest.h>

#include "panels/twin_pairs.hpp"

using namespace obs;

TEST_CASE("twin_pairs: a_X with b_X is one plot of X; unpaired names stay as they are") {
  const auto e = plot_entries({"a_r", "a_psi", "b_r", "b_psi", "a_lonely", "b_other", "step_time", "a_", "b_"});
  REQUIRE(e.size() == 7);
  CHECK(e[0].label == "r");
  CHECK(e[0].a == 0);
  CHECK(e[0].b == 2u);
  CHECK(e[1].label == "psi");
  CHECK(e[1].b == 3u);
  CHECK(e[2].label == "a_lonely");
  CHECK_FALSE(e[2].b);
  CHECK(e[3].label == "b_other");  // a b_ without its a_ is drawn alone
  CHECK(e[4].label == "step_time");
  CHECK(e[5].label == "a_");  // no name after the prefix: not a pair
  CHECK(e[6].label == "b_");
  // Without pairs nothing changes.
  const auto plain = plot_entries({"r", "psi"});
  REQUIRE(plain.size() == 2);
  CHECK(plain[1].label == "psi");
  CHECK_FALSE(plain[1].b);
}
