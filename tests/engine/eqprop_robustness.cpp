// Robustness (issue 16, self-healing): the perturbed test accuracies exist exactly when asked for,
// the perturbations really reach the answers (a feed-forward net loses accuracy to noise and both
// lose it to ablation), EqProp's contraction forgets a kick to its state, and measuring leaves the
// training exactly as it was (same state hash with the measurement on and off); healing by learning
// with 15 % dead loses loss to the ablation, wins some back, and wins nothing back without learning.
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

TEST_CASE("robustness: healing by learning with 15 % of the hidden units dead, against a control") {
  for (const char* algorithm : {"eqprop", "backprop"}) {
    CAPTURE(algorithm);
    auto params = moons(algorithm, true);
    auto s = make(params, 4);
    CHECK(std::isnan(metric(*s, "heal_regained")));
    while (s->epoch() < 3) s->step();
    const double clean = metric(*s, "heal_loss_clean"), ablated = metric(*s, "heal_loss_ablated"),
                 healed = metric(*s, "heal_loss_healed"), control = metric(*s, "heal_loss_control");
    MESSAGE(std::string(algorithm) << ": loss clean " << clean << ", 15 % dead " << ablated << ", healed " << healed << ", control " << control
                      << "; accuracy " << metric(*s, "heal_acc_ablated") << " -> " << metric(*s, "heal_acc_healed"));
    REQUIRE(std::isfinite(clean));
    // The units are those of acc_ablate_15: a contraction reaches the same fixed point whether
    // they die three sweeps in or before the first, and backprop has no sweeps at all.
    CHECK(std::fabs(metric(*s, "heal_acc_ablated") - metric(*s, "acc_ablate_15")) <= 0.01);
    // Dead units cost loss; learning around them wins some of it back, and the share is what it says.
    CHECK(ablated > clean);
    CHECK(healed < ablated);
    CHECK(metric(*s, "heal_regained") == doctest::Approx((ablated - healed) / (ablated - clean)).epsilon(1e-12));
    // The control learnt the same batches with every unit: no worse than the damaged net.
    CHECK(control < ablated);

    // Without learning (the smallest rates) nothing heals: the loss stays where the ablation left it.
    params["lr_first"] = params["lr_last"] = 1e-6;
    params["momentum"] = 0.0;
    auto frozen = make(params, 4);
    while (frozen->epoch() < 1) frozen->step();
    CHECK(metric(*frozen, "heal_loss_healed") == doctest::Approx(metric(*frozen, "heal_loss_ablated")).epsilon(1e-3));
    CHECK(std::fabs(metric(*frozen, "heal_regained")) < 0.01);
  }
}
