// Ternary weights (issue 16, roadmap II.2): the levels stay ternary through updates and the
// Lipschitz projection, a flip is an unbiased stochastic rounding of the float step (its mean
// against the closed form lr v, its spread against the binomial), one level per update, the
// start is the ternary-weight-network thresholding worked out by hand, and the system learns
// moons with either rule, deterministically, reporting its share of zeros.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>
#include <utility>

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

TEST_CASE("ternary counters: K sub-levels before a level moves, worked by hand") {
  int c = 0;
  float level = TernaryWeights::advance(0.0f, c, 2, 4);  // K = 4: two sub-levels up, no move yet
  CHECK(level == 0.0f);
  CHECK(c == 2);
  level = TernaryWeights::advance(level, c, 2, 4);  // the fourth: one level up, the count spent
  CHECK(level == 1.0f);
  CHECK(c == 0);
  level = TernaryWeights::advance(level, c, 2, 4);
  level = TernaryWeights::advance(level, c, 2, 4);  // 4 at the end level: it waits at K - 1
  CHECK(level == 1.0f);
  CHECK(c == 3);
  // Pushed back by 2 per update: 1, -1, -3 keep the level; -5 moves it down and keeps -1.
  for (const int expect : {1, -1, -3}) {
    level = TernaryWeights::advance(level, c, -2, 4);
    CHECK(level == 1.0f);
    CHECK(c == expect);
  }
  level = TernaryWeights::advance(level, c, -2, 4);
  CHECK(level == 0.0f);
  CHECK(c == -1);
  // One level per update, however large the push: -1 with 9 of 4 sub-levels goes to 0 (c 3).
  c = 0;
  CHECK(TernaryWeights::advance(-1.0f, c, 9, 4) == 0.0f);
  CHECK(c == 3);
  // K = 1 is the plain rule: every sub-level is a level, and nothing is kept.
  c = 0;
  CHECK(TernaryWeights::advance(0.0f, c, 1, 1) == 1.0f);
  CHECK(c == 0);
}

namespace {

// 20,000 weights, all 0 but one (alpha 0.5 after ternarising), trained by flips with K
// sub-levels, momentum 0.
struct FlipBench {
  Net net;
  TernaryWeights t;
  Grad step, velocity;
  explicit FlipBench(int substeps) {
    net.init_shape({200, 100}, obs::eqprop::Activation::HardSigmoid, obs::eqprop::Activation::Linear);
    net.W[0].setConstant(0.0f);
    net.W[0](0, 0) = 0.5f;
    t.ternarise(net, TernaryWeights::Rule::Flips, substeps);
    step.resize_like(net);
    velocity.resize_like(net);
    for (auto& m : velocity.dW) m.setZero();
    for (auto& b : velocity.db) b.setZero();
    step.db[0].setZero();
  }
};

}  // namespace

TEST_CASE("ternary counters: the mean move is still lr v / alpha, and a push that alternates no longer flips") {
  // One update of lr v / alpha = 0.3 level with K = 4: 1.2 sub-levels, so 1 or 2 (with
  // probability 0.2), no flip; the mean of level + c / K over the zeros is 0.3 (closed form),
  // its spread 0.4 / 4 / sqrt(19,999) = 0.0007.
  FlipBench k4(4);
  REQUIRE(k4.t.counts().size() == 1);
  REQUIRE(k4.t.scale()[0] == doctest::Approx(0.5f));
  k4.step.dW[0].setConstant(1.5f);  // lr v = 0.1 * 1.5 = 0.3 alpha
  k4.step.dW[0](0, 0) = 0.0f;       // so that alpha does not learn (only nonzero weights move it)
  obs::Rng rng(5);
  CHECK(k4.t.apply(k4.net, k4.step, {0.1f}, 0.0f, k4.velocity, rng) == 0);
  double mean = 0;
  for (Eigen::Index k = 1; k < k4.net.W[0].size(); ++k) mean += k4.t.counts()[0][static_cast<std::size_t>(k)] / 4.0;
  mean /= static_cast<double>(k4.net.W[0].size() - 1);
  CHECK(mean == doctest::Approx(0.3).epsilon(0.01));

  // A weight whose optimum lies between levels sees a gradient that changes sign: 20 updates
  // of +-0.3 level (more once weights leave 0 and alpha learns). The plain rule flips a weight
  // with that probability at every update, back and forth; with K = 8 the counter swings by
  // about 2.4 sub-levels on a slow random walk, and only its tail reaches 8 (measured: 319,015
  // flips against 5,675).
  std::uint64_t flips[2] = {0, 0};
  const int Ks[2] = {1, 8};
  for (int i = 0; i < 2; ++i) {
    FlipBench b(Ks[i]);
    CHECK(b.t.counts().size() == (Ks[i] > 1 ? 1u : 0u));  // K = 1 keeps no counters
    obs::Rng r(7);
    for (int u = 0; u < 20; ++u) {
      b.step.dW[0].setConstant(u % 2 ? -1.5f : 1.5f);
      b.step.dW[0](0, 0) = 0.0f;
      flips[i] += b.t.apply(b.net, b.step, {0.1f}, 0.0f, b.velocity, r);
    }
    CHECK(ternary(b.net, b.t.scale()));
  }
  MESSAGE("flips over 20 alternating updates: K = 1 " << flips[0] << ", K = 8 " << flips[1]);
  CHECK(flips[0] > 20000 * 20 / 10);  // at least 0.1 of the weights per update
  CHECK(flips[1] * 20 < flips[0]);
}

TEST_CASE("ternary: the eqprop system learns moons with either rule and stays ternary under the Lipschitz projection") {
  const std::pair<const char*, int> rules[] = {{"flips", 1}, {"flips", 8}, {"shadow", 1}};
  for (const auto& [rule, substeps] : rules) {
    CAPTURE(rule);
    CAPTURE(substeps);
    const nlohmann::json params = {{"dataset", "moons"}, {"train_size", 600}, {"test_size", 300}, {"hidden_units", 64},
                                   {"output", "activation"}, {"batch", 20}, {"lr_first", 0.2}, {"lr_last", 0.1},
                                   {"momentum", 0.9}, {"map_every", 0}, {"showcase_every", 0}, {"weights", "ternary"},
                                   {"ternary_rule", rule}, {"flip_substeps", substeps}, {"lipschitz_target", 0.5}};
    auto a = make(params, 2), b = make(params, 2);
    CHECK(std::isnan(metric(*make({{"dataset", "moons"}, {"train_size", 100}, {"test_size", 20}, {"batch", 20}}, 1), "weight_zeros")));
    while (a->epoch() < 8) a->step();
    while (b->epoch() < 8) b->step();
    CHECK(a->state_hash() == b->state_hash());
    MESSAGE(std::string(rule) << " K " << substeps << ": test " << a->test_accuracy() << ", zeros " << metric(*a, "weight_zeros") << ", L " << a->lipschitz());
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

TEST_CASE("ternary with homeostasis: the synaptic shrink reaches the scale, and under the shadow rule the shadow") {
  // Learning rates at their floor, so that only the homeostat's shrink moves the weights, and
  // homeo_slope 1, so that it shrinks the hidden layer's input weights by 1 % at every step: the
  // scale must follow (0.99^10 after 10 steps). Under the shadow rule the net is re-ternarised
  // from the float copy at every update, so a shrink of the ternary weights alone would be undone.
  for (const char* rule : {"flips", "shadow"}) {
    CAPTURE(rule);
    const nlohmann::json params = {{"dataset", "moons"}, {"train_size", 600}, {"test_size", 100}, {"hidden_units", 32},
                                   {"batch", 20}, {"lr_first", 1e-6}, {"lr_last", 1e-6}, {"momentum", 0}, {"map_every", 0},
                                   {"showcase_every", 0}, {"weights", "ternary"}, {"ternary_rule", rule},
                                   {"homeostasis", true}, {"homeo_slope", 1.0}};
    auto s = make(params, 1);
    const float before = s->net().W[0].cwiseAbs().maxCoeff();
    for (int i = 0; i < 10; ++i) s->step();
    CHECK(metric(*s, "homeo_slope_h1") < 1.0);  // some unit is clipped: the shrink is due
    CHECK(s->net().W[0].cwiseAbs().maxCoeff() == doctest::Approx(before * std::pow(0.99, 10)).epsilon(1e-3));
  }
}
