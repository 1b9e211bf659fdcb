// The relaxation of the layered network: the energy never rises along the block-coordinate
// sweeps (free and nudged), the fixed point satisfies its own equation, and the Lipschitz
// projection keeps the coupling's exact spectral norm below 1.
#include <doctest/doctest.h>

#include <cmath>

#include "eqprop/lipschitz.hpp"
#include "eqprop_test_util.hpp"

using namespace eqprop_test;
using obs::eqprop::Activation;
using obs::eqprop::Relaxer;

namespace {

struct Case {
  const char* name;
  Activation act;
  std::vector<int> sizes;
  bool linear_output = false;
};

const Case kCases[] = {
    {"hard-sigmoid, 1 hidden", Activation::HardSigmoid, {6, 8, 3}},
    {"hard-sigmoid, 3 hidden", Activation::HardSigmoid, {5, 7, 6, 5, 3}},
    {"hard-sigmoid, 1 hidden, linear output", Activation::HardSigmoid, {6, 8, 3}, true},
    {"tanh, 2 hidden", Activation::Tanh, {4, 6, 5, 3}},
    {"tanh, 2 hidden, linear output", Activation::Tanh, {4, 6, 5, 3}, true},
};

}  // namespace

TEST_CASE("eqprop: the energy decreases monotonically along the free and nudged sweeps") {
  for (const auto& c : kCases) {
    CAPTURE(c.name);
    auto net = random_net(c.sizes, c.act, 11, 2.0, 0.95, c.linear_output);
    obs::Rng rng(3);
    const int batch = 8;
    Relaxer r(net, batch);
    r.set_input(net, random_matrix(c.sizes[0], batch, rng, 0, 1));
    r.set_target(one_hot(c.sizes.back(), batch));
    // Start from a random state in the box, not from rest, so the descent has work to do.
    for (int l = 1; l <= net.free_layers(); ++l)
      r.s(l) = random_matrix(c.sizes[l], batch, rng, c.act == Activation::Tanh ? -0.9 : 0.0, 0.9);
    for (float beta : {0.0f, 0.5f, -0.5f}) {
      double e = r.energy(net, beta);
      int rises = 0;
      double worst = 0;
      for (int t = 0; t < 40; ++t) {
        r.sweep(net, beta);
        const double next = r.energy(net, beta);
        // Float states: allow the energy's own rounding (~1e-6 relative), nothing more.
        const double slack = 1e-5 * (1 + std::fabs(e));
        if (next > e + slack) ++rises;
        worst = std::max(worst, next - e);
        e = next;
      }
      CAPTURE(beta);
      CHECK(rises == 0);
      CHECK(worst <= 1e-5 * (1 + std::fabs(e)));
    }
  }
}

TEST_CASE("eqprop: a sweep lowers the energy strictly while the state moves") {
  auto net = random_net({6, 8, 3}, Activation::HardSigmoid, 5, 2.0, 0.9);
  obs::Rng rng(4);
  Relaxer r(net, 4);
  r.set_input(net, random_matrix(6, 4, rng, 0, 1));
  r.zero_state();
  const double e0 = r.energy(net, 0);
  const float d = r.sweep(net, 0);
  CHECK(d > 1e-3f);
  CHECK(r.energy(net, 0) < e0 - 1e-4);
}

TEST_CASE("eqprop: the relaxed state is a fixed point of its equation") {
  for (const auto& c : kCases) {
    CAPTURE(c.name);
    auto net = random_net(c.sizes, c.act, 21, 2.0, 0.9, c.linear_output);
    obs::Rng rng(8);
    Relaxer r(net, 6);
    r.set_input(net, random_matrix(c.sizes[0], 6, rng, 0, 1));
    r.set_target(one_hot(c.sizes.back(), 6));
    r.zero_state();
    for (float beta : {0.0f, 0.3f}) {
      CAPTURE(beta);
      const int steps = r.relax(net, beta, 500, 1e-6f);
      CHECK(steps < 500);
      // Independent of the sweep code's stopping rule: one Jacobi application of the full map.
      CHECK(r.residual(net, beta) < 1e-5);
      for (int v : r.settle_steps()) CHECK(v <= steps);
    }
  }
}

TEST_CASE("eqprop: the fixed point is unique (contraction): two starts meet") {
  auto net = random_net({5, 7, 6, 3}, Activation::Tanh, 31, 2.0, 0.9);
  obs::Rng rng(9);
  Relaxer a(net, 3), b(net, 3);
  const Mat x = random_matrix(5, 3, rng, 0, 1);
  a.set_input(net, x);
  b.set_input(net, x);
  a.zero_state();
  for (int l = 1; l <= net.free_layers(); ++l) b.s(l) = random_matrix(net.sizes[l], 3, rng, -0.9, 0.9);
  a.relax(net, 0, 1000, 1e-7f);
  b.relax(net, 0, 1000, 1e-7f);
  for (int l = 1; l <= net.free_layers(); ++l) CHECK((a.s(l) - b.s(l)).cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("eqprop: power iteration matches the dense spectral norm, and the projection keeps L below its target") {
  auto net = random_net({4, 12, 10, 9, 3}, Activation::HardSigmoid, 41, 3.0, 2.5);  // deliberately too strong
  const double exact = obs::eqprop::exact_coupling_norm(net);
  REQUIRE(exact == doctest::Approx(2.5).epsilon(1e-4));
  obs::eqprop::LipschitzProjector p;
  p.resize(net, 1);
  CHECK(p.estimate(net, 300) == doctest::Approx(exact).epsilon(1e-3));
  const double bound = p.project(net, 0.9, 300);
  CHECK(bound == doctest::Approx(0.9));
  CHECK(obs::eqprop::exact_coupling_norm(net) <= 0.9 * (1 + 1e-3));
  // A norm already below the target is left alone.
  const Mat before = net.W[1];
  p.project(net, 0.95, 50);
  CHECK((net.W[1] - before).cwiseAbs().maxCoeff() == 0.0f);
}
