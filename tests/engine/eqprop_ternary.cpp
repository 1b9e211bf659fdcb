// Ternary weights (issue 16, roadmap II.2): the levels stay ternary through updates and the
// Lipschitz projection, a flip is an unbiased stochastic rounding of the float step (its mean
// against the closed form lr v, its spread against the binomial), one level per update, the
// start is the ternary-weight-network thresholding worked out by hand, and the system learns
// moons with either rule, deterministically, reporting its share of zeros.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>

#include "eqprop/learning_rules.hpp"
#include "eqprop/ternary_weights.hpp"
#include "eqprop_test_util.hpp"

using namespace eqprop_test;
using obs::eqprop::Grad;
using obs::eqprop::Net;
using obs::eqprop::TernaryWeights;

namespace {

// Every entry of every matrix is 0 or +-alpha_l.
bool ternary(const Net& net, const std::vector<float>& alpha) {
  for (std::size_t l = 0; l < net.W.size(); ++l)
    for (Eigen::Index k = 0; k < net.W[l].size(); ++k) {
      const float w = net.W[l].data()[k];
      if (w != 0.0f && std::fabs(w) != alpha[l]) return false;
    }
  return true;
}

}  // namespace

TEST_CASE("ternary: the start thresholds at 0.7 mean |w| and takes alpha as the mean above it (hand computed)") {
  Net net;
  net.init_shape({2, 2}, obs::eqprop::Activation::HardSigmoid, obs::eqprop::Activation::Linear);
  net.W[0] << 0.1f, -0.5f, 0.3f, -0.02f;  // mean |w| 0.23, threshold 0.161: 0.5 and 0.3 pass, alpha 0.4
  TernaryWeights t;
  t.ternarise(net, TernaryWeights::Rule::Flips);
  CHECK(t.scale()[0] == doctest::Approx(0.4f));
  CHECK(net.W[0](0, 0) == 0.0f);
  CHECK(net.W[0](0, 1) == doctest::Approx(-0.4f));
  CHECK(net.W[0](1, 0) == doctest::Approx(0.4f));
  CHECK(net.W[0](1, 1) == 0.0f);
  CHECK(TernaryWeights::zero_share(net) == 0.5);
}

TEST_CASE("ternary: a flip is an unbiased rounding of lr v, one level at a time") {
  // One weight matrix of 20,000 zeros and a constant step: each weight moves to +alpha with
  // probability lr v / alpha = 0.3, so the mean step is lr v (closed form) and the count is
  // binomial (n p, sd sqrt(n p (1 - p)) = 65).
  Net net;
  net.init_shape({200, 100}, obs::eqprop::Activation::HardSigmoid, obs::eqprop::Activation::Linear);
  net.W[0].setConstant(0.0f);
  net.W[0](0, 0) = 0.5f;  // alpha 0.5 after ternarising (the only entry above the threshold)
  TernaryWeights t;
  t.ternarise(net, TernaryWeights::Rule::Flips);
  REQUIRE(t.scale()[0] == doctest::Approx(0.5f));
  Grad step, velocity;
  step.resize_like(net);
  velocity.resize_like(net);
  for (auto& m : velocity.dW) m.setZero();
  for (auto& b : velocity.db) b.setZero();
  step.dW[0].setConstant(1.5f);  // lr v = 0.1 * 1.5 = 0.15 = 0.3 alpha
  step.db[0].setZero();
  // The scale also learns along W = alpha T (one entry at +alpha: alpha += lr v = 0.15) before
  // the flips are drawn against the old alpha.
  obs::Rng rng(5);
  const std::uint64_t flips = t.apply(net, step, {0.1f}, 0.0f, velocity, rng);
  const double n = 20000 - 1, p = 0.3;
  CHECK(std::fabs(static_cast<double>(flips) - n * p) < 4 * std::sqrt(n * p * (1 - p)));
  CHECK(t.scale()[0] == doctest::Approx(0.65f));
  CHECK(ternary(net, t.scale()));
  // Mean step over the zeros, in units of the old alpha: the share that flipped.
  std::size_t up = 0;
  for (Eigen::Index k = 1; k < net.W[0].size(); ++k) up += net.W[0].data()[k] > 0;
  CHECK(up == flips);
  // A second push the same way cannot go past +alpha, and a push back moves one level, to 0.
  step.dW[0].setConstant(-1e3f);  // probability 1
  t.apply(net, step, {0.1f}, 0.0f, velocity, rng);
  std::set<float> levels;
  for (Eigen::Index k = 0; k < net.W[0].size(); ++k) levels.insert(net.W[0].data()[k] / t.scale()[0]);
  CHECK(levels.count(-1.0f) == 1);  // the zeros went down to -1
  CHECK(levels.count(0.0f) == 1);   // the +1s came down to 0, not past it
  CHECK_FALSE(levels.count(1.0f));
}

TEST_CASE("ternary: the eqprop system learns moons with either rule and stays ternary under the Lipschitz projection") {
  for (const char* rule : {"flips", "shadow"}) {
    CAPTURE(rule);
    const nlohmann::json params = {{"dataset", "moons"}, {"train_size", 600}, {"test_size", 300}, {"hidden_units", 64},
                                   {"output", "activation"}, {"batch", 20}, {"lr_first", 0.2}, {"lr_last", 0.1},
                                   {"momentum", 0.9}, {"map_every", 0}, {"showcase_every", 0}, {"weights", "ternary"},
                                   {"ternary_rule", rule}, {"lipschitz_target", 0.5}};
    auto a = make(params, 2), b = make(params, 2);
    CHECK(std::isnan(metric(*make({{"dataset", "moons"}, {"train_size", 100}, {"test_size", 20}, {"batch", 20}}, 1), "weight_zeros")));
    while (a->epoch() < 8) a->step();
    while (b->epoch() < 8) b->step();
    CHECK(a->state_hash() == b->state_hash());
    MESSAGE(std::string(rule) << ": test " << a->test_accuracy() << ", zeros " << metric(*a, "weight_zeros") << ", L " << a->lipschitz());
    CHECK(a->test_accuracy() > 0.8);  // chance is 0.5
    const double zeros = metric(*a, "weight_zeros");
    CHECK((zeros > 0.05 && zeros < 0.95));
    CHECK(a->lipschitz() <= 0.5 + 1e-5);
    // Every matrix holds at most three values, symmetric about 0.
    for (const auto& W : a->net().W) {
      std::set<float> values(W.data(), W.data() + W.size());
      CHECK(values.size() <= 3);
      CHECK(values.count(0.0f) == 1);
      const float top = *values.rbegin();
      CHECK(values.count(-top) == 1);
    }
  }
}
