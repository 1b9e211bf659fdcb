// Single-phase learning (issue 16): the oscillating nudge's update against the symmetric
// two-phase update and against the reference gradient (implicit differentiation), on small nets.
// The reference is independent of both EqProp estimates; the two-phase rule is the one the
// oscillation's derivation says it approaches (oscillating_nudge.hpp). Then the system: the
// schedule trains through the scene path and is deterministic.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "eqprop/learning_rules.hpp"
#include "eqprop/oscillating_nudge.hpp"
#include "eqprop_test_util.hpp"

using namespace eqprop_test;
using obs::eqprop::Activation;
using obs::eqprop::Grad;
using obs::eqprop::Relaxer;

namespace {

constexpr int kBatch = 4;

Problem problem(std::uint64_t seed) {
  // tanh keeps the states smooth (a hard-sigmoid unit crossing its kink mid-orbit would add a
  // second source of error to the one under test).
  Problem p{random_net({5, 7, 6, 3}, Activation::Tanh, seed, 2.0, 0.6), {}, {}};
  obs::Rng rng(seed + 7);
  p.x = random_matrix(5, kBatch, rng, 0, 1);
  p.y = one_hot(3, kBatch);
  return p;
}

Grad two_phase(const Problem& p, float beta) {
  Relaxer r(p.net, kBatch);
  r.set_input(p.net, p.x);
  r.set_target(p.y);
  r.zero_state();
  r.relax(p.net, 0, 5000, 1e-9f);
  const std::vector<Mat> free = r.states();
  r.relax(p.net, beta, 5000, 1e-9f);
  const std::vector<Mat> plus = r.states();
  r.load_states(free);
  r.relax(p.net, -beta, 5000, 1e-9f);
  std::vector<Mat> scratch = free;
  Grad g;
  g.resize_like(p.net);
  obs::eqprop::eqprop_update(p.net, plus, r.states(), 2 * beta, g, scratch);
  return g;
}

Grad oscillating(const Problem& p, float beta, int period, int periods, int* sweeps = nullptr) {
  Relaxer r(p.net, kBatch);
  r.set_input(p.net, p.x);
  r.set_target(p.y);
  r.zero_state();
  obs::eqprop::OscillatingNudge osc;
  osc.resize(p.net, kBatch);
  Grad g;
  g.resize_like(p.net);
  const int n = osc.run(p.net, r, beta, period, periods, g);
  if (sweeps) *sweeps = n;
  return g;
}

// The largest normalised error over the weight matrices of an update against the reference
// gradient (align() compares an update with the gradient's negative, the descent direction).
double worst_error(const Grad& a, const Grad& ref) {
  double worst = 0;
  for (std::size_t l = 0; l < a.dW.size(); ++l) worst = std::max(worst, obs::eqprop::align(a.dW[l], ref.dW[l]).normalised_error);
  return worst;
}
// The same between two updates.
double worst_difference(const Grad& a, const Grad& b) {
  Grad minus_b = b;
  for (auto& w : minus_b.dW) w = -w;
  return worst_error(a, minus_b);
}

}  // namespace

TEST_CASE("oscillating nudge: a slow oscillation gives the two-phase update, and the error falls as beta -> 0") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    const Problem p = problem(seed);
    const Grad ref = reference_at_fixed_point(p.net, p.x, p.y);
    double last = INFINITY, last_apart = INFINITY;
    for (float beta : {0.2f, 0.05f, 0.0125f}) {
      CAPTURE(beta);
      int sweeps = 0;
      const Grad osc = oscillating(p, beta, 400, 2, &sweeps);
      CHECK(sweeps == 1200);
      const double to_two_phase = worst_difference(osc, two_phase(p, beta)), to_ref = worst_error(osc, ref);
      MESSAGE("seed " << seed << " beta " << beta << ": error to the two-phase update " << to_two_phase << ", to the reference " << to_ref);
      // The adiabatic orbit (400 sweeps a period against a contraction's few) reads the same
      // derivative as the two ±beta fixed points; both are O(beta^2) from it, with different
      // constants (the sine weights the cubic term by 3/4), so they meet as beta -> 0.
      CHECK(to_two_phase < last_apart);
      CHECK(to_ref < last);
      last = to_ref, last_apart = to_two_phase;
    }
    CHECK(last_apart < 0.002);
    CHECK(last < 0.002);
  }
}

TEST_CASE("oscillating nudge: a fast oscillation lags, and the lag costs alignment that a longer period wins back") {
  const Problem p = problem(4);
  const Grad ref = reference_at_fixed_point(p.net, p.x, p.y);
  double last = INFINITY;
  for (int period : {6, 12, 24, 96}) {
    CAPTURE(period);
    const double e = worst_error(oscillating(p, 0.02f, period, 4), ref);
    MESSAGE("period " << period << ": error to the reference " << e);
    CHECK(e < last);
    last = e;
  }
  // Still a descent direction at the shortest period: every matrix's cosine with the gradient.
  const Grad fast = oscillating(p, 0.02f, 6, 4);
  for (std::size_t l = 0; l < fast.dW.size(); ++l) CHECK(obs::eqprop::align(fast.dW[l], ref.dW[l]).cosine > 0.9);
}

TEST_CASE("oscillating nudge: the eqprop system learns by it through the scene path, deterministically") {
  const nlohmann::json params = {{"dataset", "moons"}, {"train_size", 400}, {"test_size", 200}, {"hidden_units", 32},
                                 {"output", "activation"}, {"batch", 20}, {"lr_first", 0.2}, {"lr_last", 0.1},
                                 {"momentum", 0.9}, {"map_every", 0}, {"showcase_every", 0},
                                 {"nudge_schedule", "oscillating"}, {"align_every", 5}};
  auto a = make(params, 3), b = make(params, 3);
  while (a->epoch() < 5) a->step();
  while (b->epoch() < 5) b->step();
  CHECK(a->state_hash() == b->state_hash());
  CHECK(a->test_accuracy() > 0.85);
  CHECK(std::isnan(metric(*a, "settling_steps")));  // one relaxation of fixed length
  CHECK(metric(*a, "align_cos_W0") > 0.9);
  CHECK(metric(*a, "align_cos_W1") > 0.9);
  CHECK(std::isfinite(metric(*a, "loss")));
}
