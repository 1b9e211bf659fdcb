// Homeostasis (homeostat.hpp): the rule against hand-computed gains, and the system under it
// keeping the Lipschitz bound and every gain within their bounds at learning rates where the
// fixed rule fails.
#include <algorithm>
#include <cmath>

#include "eqprop/homeostat.hpp"
#include "eqprop/lipschitz.hpp"
#include "eqprop_test_util.hpp"

using namespace eqprop_test;
using obs::eqprop::Grad;
using obs::eqprop::Homeostat;

namespace {

// A 2-2-1 net whose first layer has |theta_0| = 5 (W_0 = diag(3, 4), zero biases), and a step
// of size 1 on it: r_0 = lr g / 5.
struct Hand {
  obs::eqprop::Net net = random_net({2, 2, 1}, obs::eqprop::Activation::HardSigmoid, 1);
  Grad step, velocity;
  Hand() {
    net.W[0] << 3, 0, 0, 4;
    net.b[0].setZero();
    step.resize_like(net);
    velocity.resize_like(net);
    for (auto* g : {&step, &velocity}) {
      for (auto& m : g->dW) m.setZero();
      for (auto& v : g->db) v.setZero();
    }
    step.dW[0](0, 0) = 1;
  }
};

const nlohmann::json kMoons = {{"dataset", "moons"}, {"train_size", 1000}, {"test_size", 500}, {"hidden_units", 64},
                               {"output", "activation"}, {"batch", 20}, {"momentum", 0.9},
                               {"map_every", 0}, {"showcase_every", 10}, {"lipschitz_target", 0.7}};

}  // namespace

TEST_CASE("homeostat: brakes a step above twice the target to exactly twice it, boosts one below half by 2 %, holds one between") {
  Hand h;
  const std::vector<float> lr = {0.1f, 0.1f};  // r_0 = 0.1 x 1 / 5 = 0.02
  std::vector<float> out;
  struct Case {
    double target, gain, velocity;
  };
  for (const Case c : {Case{0.001, 0.1, 0.002},     // 0.02 > 0.002: g = 0.002 / 0.02
                       Case{0.02, 1.0, 0.02},       // inside [0.01, 0.04]
                       Case{0.1, 1.02, 0.0204}}) {  // 0.02 < 0.05: boosted
    CAPTURE(c.target);
    Homeostat hs;
    hs.reset(2);
    hs.regulate(h.net, h.step, h.velocity, 0.0f, lr, c.target, out);
    CHECK(hs.gains()[0] == doctest::Approx(c.gain).epsilon(1e-6));
    CHECK(hs.velocities()[0] == doctest::Approx(c.velocity).epsilon(1e-6));
    CHECK(out[0] == doctest::Approx(0.1 * c.gain).epsilon(1e-6));
    // Layer 1 takes no step: r_1 = 0, boosted.
    CHECK(hs.gains()[1] == doctest::Approx(1.02));
  }
}

TEST_CASE("homeostat: the step it measures folds momentum in as apply_update does") {
  Hand h;
  h.velocity.dW[0](0, 0) = 2;  // d = 0.5 x 2 + 1 = 2: r_0 = 0.1 x 2 / 5 = 0.04
  h.velocity.db[0](1) = 2;     // d's bias part: 0.5 x 2 = 1, so |d| = sqrt(4 + 1)
  Homeostat hs;
  hs.reset(2);
  std::vector<float> out;
  hs.regulate(h.net, h.step, h.velocity, 0.5f, {0.1f, 0.1f}, 0.001, out);
  const double r = 0.1 * std::sqrt(5.0) / 5.0;
  CHECK(hs.gains()[0] == doctest::Approx(0.002 / r).epsilon(1e-6));
  CHECK(hs.velocities()[0] == doctest::Approx(0.002).epsilon(1e-6));
}

TEST_CASE("homeostat: gains stay within their bounds however long they are pushed") {
  Hand h;
  std::vector<float> out;
  Homeostat hs;
  hs.reset(2);
  // r_0 = 0.1 g / 5 stays below half of 1000 up to g = 25000, past the ceiling.
  for (int i = 0; i < 2000; ++i) hs.regulate(h.net, h.step, h.velocity, 0.0f, {0.1f, 0.1f}, 1000.0, out);
  CHECK(hs.gains()[0] == Homeostat::kGainMax);
  h.step.dW[0](0, 0) = 1e6f;
  hs.regulate(h.net, h.step, h.velocity, 0.0f, {10.0f, 10.0f}, 1e-6, out);  // far above
  CHECK(hs.gains()[0] == Homeostat::kGainMin);
  for (float v : out) CHECK(std::isfinite(v));
}

TEST_CASE("eqprop: homeostasis keeps L within its bound and learns where the fixed rule diverges or stalls") {
  // lr 10 diverges and lr 1e-4 stalls for the fixed rule at gain 5; the homeostat learns at both.
  for (const double lr : {10.0, 1e-4}) {
    double fixed_accuracy = 0, homeo_accuracy = 0;
    for (const bool homeostasis : {false, true}) {
      CAPTURE(lr);
      CAPTURE(homeostasis);
      auto s = make(with(kMoons, {{"homeostasis", homeostasis}, {"lr_first", lr}, {"lr_last", lr},
                                         {"init_gain", 5.0}, {"homeo_velocity", 0.01}}), 4);
      double worst_l = 0, worst_velocity = 0, lo_gain = 1, hi_gain = 1;
      while (s->epoch() < 8) {
        s->step();
        worst_l = std::max(worst_l, obs::eqprop::exact_coupling_norm(s->net()));
        for (int l = 0; homeostasis && l < 2; ++l) {
          const std::string i = std::to_string(l);
          const double g = metric(*s, "homeo_gain_W" + i), v = metric(*s, "homeo_velocity_W" + i);
          if (std::isnan(v)) continue;  // before the first update (and in test passes nothing moves)
          lo_gain = std::min(lo_gain, g);
          hi_gain = std::max(hi_gain, g);
          worst_velocity = std::max(worst_velocity, v);
        }
      }
      MESSAGE("lr " << lr << std::string(homeostasis ? " homeostatic" : " fixed") << ": test accuracy " << s->test_accuracy()
                    << ", worst exact L " << worst_l << ", gains " << lo_gain << ".." << hi_gain << ", worst velocity "
                    << worst_velocity << ", refused " << metric(*s, "discarded_batches"));
      CHECK(worst_l <= 0.7 * 1.01);
      CHECK(metric(*s, "lipschitz") <= 0.7 + 1e-9);
      if (homeostasis) {
        CHECK(lo_gain >= Homeostat::kGainMin);
        CHECK(hi_gain <= Homeostat::kGainMax);
        CHECK(worst_velocity <= 2 * 0.01 * (1 + 1e-6));
        CHECK(metric(*s, "discarded_batches") == 0);
        homeo_accuracy = s->test_accuracy();
      } else {
        CHECK(std::isnan(metric(*s, "homeo_gain_W0")));
        fixed_accuracy = s->test_accuracy();
      }
    }
    CHECK(homeo_accuracy >= 0.85);
    CHECK(homeo_accuracy >= fixed_accuracy + 0.05);
  }
}

TEST_CASE("eqprop: homeostasis is deterministic for scene + seed") {
  auto run = [](std::uint64_t seed) {
    auto s = make(with(kMoons, {{"homeostasis", true}, {"lr_first", 3.0}, {"train_size", 200}, {"test_size", 100}}), seed);
    for (int i = 0; i < 25; ++i) s->step();
    return s->state_hash();
  };
  CHECK(run(5) == run(5));
  CHECK(run(5) != run(6));
}

TEST_CASE("homeostat: a hidden layer whose mean slope is under the floor has its incoming weights shrunk 1 %, no other") {
  for (const auto act : {obs::eqprop::Activation::HardSigmoid, obs::eqprop::Activation::Tanh}) {
    CAPTURE(static_cast<int>(act));
    const obs::eqprop::Net start = random_net({2, 3, 1}, act, 7);
    std::vector<Mat> states = {Mat::Zero(2, 2), Mat(3, 2), Mat::Zero(1, 2)};
    states[1] << 0, 0.5, 1, 0.2, 1, 0;  // hard-sigmoid: 0.5 and 0.2 inside (0, 1): slope 2/6
    // tanh: rho' = 1 - s^2: (1 + 0.75 + 0 + 0.96 + 0 + 1) / 6
    const double slope = act == obs::eqprop::Activation::HardSigmoid ? 2.0 / 6.0 : 3.71 / 6.0;
    for (const double floor : {slope - 0.01, slope + 0.01}) {
      obs::eqprop::Net net = start;
      Homeostat hs;
      hs.reset(2);
      hs.scale_synapses(net, states, floor);
      CHECK(hs.slopes()[0] == doctest::Approx(slope).epsilon(1e-6));
      const float k = floor > slope ? static_cast<float>(Homeostat::kShrink) : 1.0f;
      CHECK(net.W[0].isApprox(start.W[0] * k));
      CHECK(net.b[0].isApprox(start.b[0] * k));
      CHECK(net.W[1] == start.W[1]);  // the output layer's weights are never scaled
      CHECK(net.b[1] == start.b[1]);
    }
  }
}
