// The face readout: units coupled to the whole far face. Its EqProp estimate against the finite
// difference of the loss (coupling, unit biases, and the lattice behind it), the energy descent
// and the lazy/dense agreement with the units in the sweep, the kernels agreeing with the drive
// on, the Lipschitz bound over the joint operator (Eigen), offsets that move without changing
// the model, a NaN in a unit caught, and learning through the system.
#include <doctest/doctest.h>

// GCC 12 reports false "may be used uninitialized" warnings inside avx512fintrin.h when
// Eigen's eigensolver is compiled with -march=native; they are in the compiler's own header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/rng.hpp"
#include "cube/cube_learning.hpp"
#include "cube/cube_readout.hpp"
#include "cube/cube_relax.hpp"
#include "cube_test_util.hpp"

namespace {

using cube_test::Agreement;
using cube_test::make;
using cube_test::settle;
using obs::cube::Cube;
using obs::cube::kNeighbours;

// A 5^3 cube with an input face, B examples, two readout units coupled to the far face; kept in
// the unclipped interior (lattice bias 0.3, weights +-0.08, unit bias 0.5, coupling +-0.1), where
// the loss is smooth.
Cube readout_cube(int B, float omega, std::uint64_t seed = 7) {
  Cube c;
  c.shape(5, B, 1);
  c.omega = omega;
  obs::Rng rng(seed);
  for (std::size_t p = 0; p < c.cells; ++p) {
    if (!c.alive[p]) continue;
    c.bias[p] = 0.3f;
    for (int d = 0; d < kNeighbours / 2; ++d)
      if (c.possible[p] >> d & 1u) c.set_synapse(p, d, static_cast<float>(rng.uniform(-0.08, 0.08)));
  }
  c.recount();
  for (int b = 0; b < B; ++b)
    for (int y = 0; y < 5; ++y)
      for (int x = 0; x < 5; ++x) c.s[c.idx(x, y, 0) * static_cast<std::size_t>(B) + static_cast<std::size_t>(b)] = static_cast<float>(rng.uniform(0.2, 0.8));
  obs::cube::shape_readout(c, 2);
  for (float& u : c.ro.u) u = static_cast<float>(rng.uniform(-0.1, 0.1));
  for (float& m : c.ro.mu) m = static_cast<float>(rng.uniform(0.3, 0.6));
  c.ro.bias = {0.45f, 0.55f};
  c.target.assign(2 * static_cast<std::size_t>(B), 0.0f);
  for (int b = 0; b < B; ++b) c.target[static_cast<std::size_t>((b % 2) * B + b)] = 1.0f;
  return c;
}

double readout_loss(const Cube& c) {
  double C = 0;
  for (int k = 0; k < c.ro.K; ++k) {
    const double r = c.ro.r[static_cast<std::size_t>(k)] - c.target[static_cast<std::size_t>(k)];
    C += 0.5 * r * r;
  }
  return C;
}

// -dC/dtheta by centred finite differences, with `set` writing theta into a copy of free.
template <class Set>
double finite_difference(const Cube& free, Set set, float h) {
  double C[2];
  for (int sgn = 0; sgn < 2; ++sgn) {
    Cube m = free;
    set(m, sgn ? -h : h);
    settle(m);
    C[sgn] = readout_loss(m);
  }
  return -(C[0] - C[1]) / (2.0 * h);
}

std::unique_ptr<obs::CubeSystem> trained_face_system(const char* engine) {
  // A few large steps, so the coupling is far from its initial 0; then relaxation steps.
  auto sys = make({{"n", 8}, {"batch", 16}, {"readout", "face"}, {"lr", 0.5}, {"beta", 0.1}, {"bias_init", 0.0},
                   {"weight_spread", 0.05}, {"engine", "dense"}, {"tol", 1e-7}, {"free_steps", 3000}, {"nudged_steps", 3000},
                   {"train_size", 64}, {"test_size", 0}, {"step_mode", "batch"}});
  for (int k = 0; k < 3; ++k) sys->step();
  sys->params().set_text("step_mode", "relaxation", "/params/step_mode");
  sys->params().set_text("engine", engine, "/params/engine");
  sys->apply_params();
  return sys;
}

}  // namespace

TEST_CASE("face readout: the EqProp estimate matches the finite-difference gradient (coupling, unit biases, lattice)") {
  for (const float omega : {1.0f, 1.5f}) {
    CAPTURE(omega);
    const float beta = 0.01f;
    const cube_test::Phases ph = cube_test::settle_phases(readout_cube(1, omega), beta);
    const Cube &free = ph.free, &plus = ph.plus, &minus = ph.minus;

    // The units' estimate: one step with lr 1 is the estimate itself.
    Cube est = free;
    obs::cube::readout_update(est, plus.s.data(), plus.ro.r.data(), minus.s.data(), minus.ro.r.data(), 1.0f, 1.0f / (2.0f * beta));
    // The lattice's: eqprop_update writes grad[] (lr 0 moves nothing).
    obs::cube::LearnConfig cfg;
    cfg.lr = 0;
    cfg.k = 1.0f / (2.0f * beta);
    obs::cube::LearnStats stats;
    Cube lat = free;
    obs::cube::eqprop_update(lat, plus.s.data(), minus.s.data(), cfg, stats);

    const float h = 1e-2f;
    Agreement coupling, biases, lattice;
    for (std::size_t i = 0; i < free.ro.u.size(); ++i)
      coupling.add(finite_difference(free, [&](Cube& m, float e) { m.ro.u[i] += e; }, h), est.ro.u[i] - free.ro.u[i]);
    for (std::size_t k = 0; k < free.ro.bias.size(); ++k)
      biases.add(finite_difference(free, [&](Cube& m, float e) { m.ro.bias[k] += e; }, h), est.ro.bias[k] - free.ro.bias[k]);
    for (std::size_t p = 0; p < free.cells; ++p)
      for (int d = 0; d < kNeighbours / 2; ++d) {
        if (!(free.mask[p] >> d & 1u) || !(free.relaxes[p] || free.relaxes[free.nbr(p, d)])) continue;
        const std::size_t i = p * kNeighbours + static_cast<std::size_t>(d);
        lattice.add(finite_difference(free, [&](Cube& m, float e) { m.set_synapse(p, d, m.w[i] + e); }, h), lat.grad[i]);
      }
    REQUIRE(coupling.count == 50);
    REQUIRE(lattice.count > 500);
    for (const Agreement* a : {&coupling, &biases, &lattice}) {
      CHECK(a->cosine() > 0.999);
      CHECK(a->worst < 0.02 * a->largest);
    }
    MESSAGE("omega " << omega << ": coupling cosine " << coupling.cosine() << " (worst " << coupling.worst << " of "
                     << coupling.largest << "), unit biases " << biases.cosine() << ", lattice " << lattice.count
                     << " synapses cosine " << lattice.cosine());
  }
}

TEST_CASE("face readout: the relaxation never raises the energy, free or nudged (dense and lazy)") {
  for (const char* engine : {"dense", "lazy"}) {
    CAPTURE(engine);
    auto sys = trained_face_system(engine);
    REQUIRE(sys->stage() == obs::CubeSystem::Stage::Free);
    double norm = 0;
    for (float u : sys->lattice().ro.u) norm += u * u;
    REQUIRE(norm > 1e-6);  // the units are really coupled
    for (const auto stage : {obs::CubeSystem::Stage::Free, obs::CubeSystem::Stage::NudgePlus}) {
      while (sys->stage() != stage) sys->step();
      double prev = sys->energy();
      int steps = 0;
      while (true) {
        sys->step();
        if (sys->stage() != stage) break;
        const double e = sys->energy();
        CHECK(e <= prev + 1e-6 * (1 + std::fabs(prev)));
        prev = e;
        ++steps;
      }
      CHECK(steps > 5);
    }
  }
}

TEST_CASE("face readout: lazy and dense relaxations reach the same fixed point, units included") {
  auto dense = trained_face_system("dense"), lazy = trained_face_system("lazy");
  dense->finish_phase();
  lazy->finish_phase();
  REQUIRE(dense->stage() == obs::CubeSystem::Stage::NudgePlus);  // settled, not out of steps
  REQUIRE(lazy->stage() == obs::CubeSystem::Stage::NudgePlus);
  float worst = 0;
  const auto &a = dense->lattice(), &b = lazy->lattice();
  for (std::size_t i = 0; i < a.s.size(); ++i) worst = std::max(worst, std::fabs(a.s[i] - b.s[i]));
  for (std::size_t i = 0; i < a.ro.r.size(); ++i) worst = std::max(worst, std::fabs(a.ro.r[i] - b.ro.r[i]));
  CHECK(worst < 1e-4f);
}

TEST_CASE("face readout: the batch-1 row kernel and the one-neuron path give the same bits with the drive on") {
  for (const bool lazy : {false, true}) {
    CAPTURE(lazy);
    Cube fast = readout_cube(1, 1.5f), ref = fast;
    fast.weights_changed();  // the row copy
    std::vector<obs::cube::RelaxStats> pf(5), pr(5);
    obs::cube::RelaxStats sf, sr;
    for (int t = 0; t < 30; ++t) {
      obs::cube::relax_step(fast, t, lazy, 1e-6f, pf, sf, obs::cube::RelaxKernel::Fast);
      obs::cube::relax_step(ref, t, lazy, 1e-6f, pr, sr, obs::cube::RelaxKernel::Reference);
      REQUIRE(std::memcmp(fast.s.data(), ref.s.data(), fast.s.size() * sizeof(float)) == 0);
      REQUIRE(std::memcmp(fast.ro.r.data(), ref.ro.r.data(), fast.ro.r.size() * sizeof(float)) == 0);
      CHECK(sf.macs == sr.macs);
    }
  }
}

TEST_CASE("face readout: a 16-example batch relaxes each example as a batch of one would") {
  // The vector path (batch a multiple of 16) against 16 one-example cubes: the drive must reach
  // each example's far-face neurons at the right place.
  Cube batch = readout_cube(16, 1.0f);
  std::vector<Cube> single;
  for (int b = 0; b < 16; ++b) {
    Cube one = readout_cube(1, 1.0f);
    one.w = batch.w;
    one.mask = batch.mask;
    one.ro.u = batch.ro.u;
    one.ro.mu = batch.ro.mu;
    for (std::size_t p = 0; p < one.cells; ++p) one.s[p] = batch.s[p * 16 + static_cast<std::size_t>(b)];
    for (int k = 0; k < 2; ++k) one.target[static_cast<std::size_t>(k)] = batch.target[static_cast<std::size_t>(k * 16 + b)];
    one.beta = batch.beta = 0.2f;
    single.push_back(one);
  }
  for (Cube& one : single) settle(one);
  settle(batch);
  float worst = 0;
  for (int b = 0; b < 16; ++b) {
    for (std::size_t p = 0; p < batch.cells; ++p)
      worst = std::max(worst, std::fabs(batch.s[p * 16 + static_cast<std::size_t>(b)] - single[static_cast<std::size_t>(b)].s[p]));
    for (int k = 0; k < 2; ++k)
      worst = std::max(worst, std::fabs(batch.ro.r[static_cast<std::size_t>(k * 16 + b)] - single[static_cast<std::size_t>(b)].ro.r[static_cast<std::size_t>(k)]));
  }
  CHECK(worst < 1e-6f);
}

TEST_CASE("face readout: the Lipschitz projection bounds the joint operator, checked by Eigen's eigenvalues") {
  auto sys = make({{"n", 6}, {"batch", 16}, {"readout", "face"}, {"lr", 2.0}, {"lipschitz_target", 0.9}, {"train_size", 64},
                   {"test_size", 0}, {"step_mode", "batch"}});
  for (int step = 0; step < 4; ++step) {
    sys->step();
    const auto& c = sys->lattice();
    std::vector<std::size_t> ids;
    for (std::size_t p = 0; p < c.cells; ++p)
      if (c.relaxes[p]) ids.push_back(p);
    const auto N = static_cast<Eigen::Index>(ids.size()), K = static_cast<Eigen::Index>(c.ro.K);
    Eigen::MatrixXd M = Eigen::MatrixXd::Zero(N + K, N + K);
    for (Eigen::Index i = 0; i < N; ++i) {
      const std::size_t p = ids[static_cast<std::size_t>(i)];
      for (int d = 0; d < kNeighbours; ++d) {
        const auto j = std::find(ids.begin(), ids.end(), c.nbr(p, d));
        if (j != ids.end()) M(i, j - ids.begin()) = c.w[p * kNeighbours + static_cast<std::size_t>(d)];
      }
      const auto xyz = c.coords(p);
      if (xyz[2] == c.n - 1)
        for (Eigen::Index k = 0; k < K; ++k)
          M(i, N + k) = M(N + k, i) = c.ro.u[static_cast<std::size_t>(k) * static_cast<std::size_t>(c.ro.F) + static_cast<std::size_t>(xyz[1] * c.n + xyz[0])];
    }
    double coupling = 0;
    for (float u : c.ro.u) coupling = std::max(coupling, static_cast<double>(std::fabs(u)));
    REQUIRE(coupling > 0);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(M);
    const double norm = eig.eigenvalues().cwiseAbs().maxCoeff();
    CHECK(norm <= 0.9 * 1.002);
    CHECK(sys->lipschitz() == doctest::Approx(norm).epsilon(0.01));
  }
}

TEST_CASE("face readout: moving the offsets does not change the model") {
  Cube c = readout_cube(1, 1.0f);
  settle(c);
  const Cube before = c;
  std::vector<float> states(c.s.size());
  for (std::size_t i = 0; i < states.size(); ++i) states[i] = c.s[i] + 0.1f;  // a mean the offsets move toward
  obs::cube::move_readout_offsets(c, states.data(), 0.5f);
  bool moved = false;
  for (std::size_t f = 0; f < c.ro.mu.size(); ++f) moved |= c.ro.mu[f] != before.ro.mu[f];
  REQUIRE(moved);
  settle(c);
  float worst = 0;
  for (std::size_t i = 0; i < c.s.size(); ++i) worst = std::max(worst, std::fabs(c.s[i] - before.s[i]));
  for (std::size_t k = 0; k < c.ro.r.size(); ++k) worst = std::max(worst, std::fabs(c.ro.r[k] - before.ro.r[k]));
  CHECK(worst < 1e-6f);
}

TEST_CASE("face readout: a NaN in a unit is reported by the step and reset by the quarantine") {
  Cube c = readout_cube(1, 1.0f);
  settle(c);
  c.ro.r[1] = std::numeric_limits<float>::quiet_NaN();
  obs::cube::refresh_drive(c);  // as if it had been there when the drive was computed
  std::vector<obs::cube::RelaxStats> partial(5);
  obs::cube::RelaxStats st;
  obs::cube::relax_step(c, 1000, false, 0.0f, partial, st);
  CHECK(st.nonfinite);
  CHECK(obs::cube::quarantine_nonfinite(c) >= 1);
  for (float v : c.ro.r) CHECK(std::isfinite(v));
  for (float v : c.ro.drive) CHECK(std::isfinite(v));
}

TEST_CASE("face readout: learns two moons through the system, deterministically") {
  // The README's recipe (beta 0.1: at the default 0.5 the -beta phase clips the units at 0 and
  // biases the estimate; L near 1 so the face carries the input; over-relaxed to settle fast).
  const nlohmann::json p = {{"n", 8}, {"batch", 16}, {"readout", "face"}, {"train_size", 512}, {"test_size", 256},
                            {"beta", 0.1}, {"lr", 0.01}, {"lipschitz_target", 0.999}, {"overrelax", 1.7}, {"tol", 1e-5},
                            {"free_steps", 600}, {"nudged_steps", 300}, {"bias_init", 0.0}, {"weight_spread", 0.05},
                            {"step_mode", "batch"}};
  auto a = make(p), b = make(p);
  while (a->epoch() < 3) a->step();
  while (b->epoch() < 3) b->step();
  MESSAGE("moons, 8^3 cube, face readout, 3 epochs: train " << a->train_accuracy() << ", test " << a->test_accuracy());
  CHECK(a->test_accuracy() > 0.7);
  CHECK(a->state_hash() == b->state_hash());
}

#pragma GCC diagnostic pop
