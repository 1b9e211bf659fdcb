// Robustness (issue 16, self-healing): the perturbed test accuracies exist exactly when asked for,
// the perturbations really reach the answers (a feed-forward net loses accuracy to noise and both
// lose it to ablation), EqProp's contraction forgets a kick to its state, and measuring leaves the
// training exactly as it was (same state hash with the measurement on and off).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "eqprop_test_util.hpp"

using namespace eqprop_test;

namespace {

nlohmann::json moons(const char* algorithm, bool robustness) {
  return {{"dataset", "moons"}, {"train_size", 600}, {"test_size", 300}, {"hidden_units", 64}, {"output", "activation"},
          {"batch", 20}, {"lr_first", 0.2}, {"lr_last", 0.1}, {"momentum", 0.9}, {"map_every", 0}, {"showcase_every", 0},
          {"algorithm", algorithm}, {"robustness", robustness}, {"robust_count", 300}};
}

}  // namespace

TEST_CASE("robustness: perturbed accuracies after each test pass, only when asked, and training untouched") {
  for (const char* algorithm : {"eqprop", "backprop"}) {
    CAPTURE(algorithm);
    auto on = make(moons(algorithm, true), 4), off = make(moons(algorithm, false), 4);
    CHECK(std::isnan(metric(*on, "acc_noise_10")));  // before the first test pass
    while (on->epoch() < 6) on->step();
    while (off->epoch() < 6) off->step();
    CHECK(on->state_hash() == off->state_hash());  // the measurement draws from its own streams, restores the masks
    CHECK(std::isnan(metric(*off, "acc_ablate_50")));
    // robust_count = test_size: the unperturbed score is the test pass's own.
    const double clean = metric(*on, "acc_clean");
    CHECK(clean == doctest::Approx(on->test_accuracy()).epsilon(1e-12));
    REQUIRE(clean > 0.9);
    for (const char* name : {"acc_noise_01", "acc_noise_03", "acc_noise_10", "acc_ablate_05", "acc_ablate_15", "acc_ablate_30", "acc_ablate_50"}) {
      CAPTURE(name);
      const double a = metric(*on, name);
      MESSAGE(std::string(algorithm) << " " << std::string(name) << " " << a << " (clean " << clean << ")");
      CHECK((a >= 0.0 && a <= 1.0));
    }
    // Half the hidden units silenced costs both nets accuracy.
    CHECK(metric(*on, "acc_ablate_50") < clean - 0.02);
    if (std::string(algorithm) == "eqprop") {
      // A contraction has one fixed point: a kick to the state three sweeps in is forgotten.
      CHECK(std::fabs(metric(*on, "acc_noise_10") - clean) <= 0.01);
    } else {
      // A feed-forward net carries the noise to its output.
      CHECK(metric(*on, "acc_noise_10") < clean - 0.1);
    }
  }
}
