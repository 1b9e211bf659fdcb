// The executable kernel: exact rows, the symmetric base, the chiral valve, pi and J0.
#include <doctest/doctest.h>

#include "pump/kernel_builder.hpp"
#include "pump/pump_currents.hpp"
#include "pump/stationary_solver.hpp"

using namespace obs::pump;

namespace {

Exact q(const char* text) { return *Exact::parse(text); }
const Annulus kAnnulus{q("1/4"), q("3/4")};
ValveSpec valve(const char* lambda, int depth) { return {q(lambda), Exact(1), q("3/4"), depth}; }

}  // namespace

TEST_CASE("pump: chirality resolves the face directions into windings") {
  // Depth 1 (arm x): x-steps are never oriented; in the slice x = 0 the ring winds
  // counter-clockwise about +x in the (y, z) plane: +y at z <= 1, +z at y >= 2.
  CHECK(against_count(voxel_index(0, 0, 0), 0, +1, 1) == 0);
  CHECK(against_count(voxel_index(0, 0, 0), 1, +1, 1) == 0);   // +y at z = 0: with
  CHECK(against_count(voxel_index(0, 1, 0), 1, -1, 1) == 1);   // its reverse: against
  CHECK(against_count(voxel_index(0, 1, 3), 1, +1, 1) == 1);   // +y at z = 3: against
  CHECK(against_count(voxel_index(0, 3, 0), 2, +1, 1) == 0);   // +z at y = 3: with
  CHECK(against_count(voxel_index(0, 0, 1), 2, +1, 1) == 1);   // +z at y = 0: against
  // The central plaquette of every slice is a closed with-winding loop.
  // (y, z, dir) from (1,1): +y to (2,1), +z to (2,2), -y to (1,2), -z back to (1,1).
  const int loop[4][3] = {{1, 1, +1}, {2, 1, +1}, {2, 2, -1}, {1, 2, -1}};
  const int axis[4] = {1, 2, 1, 2};
  for (int k = 0; k < 4; ++k) CHECK(against_count(voxel_index(2, loop[k][0], loop[k][1]), axis[k], loop[k][2], 1) == 0);
  // Every edge gets one vote per active arm whose slices contain it: chi_ij + chi_ji.
  for (int depth = 1; depth <= 3; ++depth)
    for (int i = 0; i < kVoxels; ++i) {
      const Candidates& c = candidate_sets()[static_cast<std::size_t>(i)];
      for (int s = 1; s < c.count; ++s) {
        const int ax = c.axis[static_cast<std::size_t>(s)], dir = c.dir[static_cast<std::size_t>(s)];
        const int j = c.voxel[static_cast<std::size_t>(s)];
        int arms = 0;
        for (int a = 0; a < depth; ++a) arms += a != ax;
        CHECK(against_count(i, ax, dir, depth) + against_count(j, ax, -dir, depth) == arms);
      }
    }
}

TEST_CASE("pump: every row of K and of the sparsemax P sums to exactly 1") {
  for (int depth = 1; depth <= 3; ++depth) {
    const SpinorField f = generate_spinor_field(kAnnulus, static_cast<std::uint64_t>(depth) + 20);
    const ExactKernel k = build_kernel(f, valve("1", depth));
    CHECK(rows_sum_to_one(k));
    CHECK(k.D == Exact(1));  // min(B_ij, B_ji) never oversubscribes a row
    for (int i = 0; i < kVoxels; ++i) {
      const KernelRow& r = k.rows[static_cast<std::size_t>(i)];
      CHECK(r.to[0] == i);
      CHECK(r.logit[0].is_zero());  // the self logit: Q_h(i, i) = 0, A_ii = 0
      for (int s = 0; s < r.count; ++s) {
        const auto u = static_cast<std::size_t>(s);
        CHECK(r.logit[u] <= r.logit[0]);  // self is the row's largest logit
        CHECK(r.K[u].sign() >= 0);
        CHECK(r.logit[u] == -r.beta_eff * r.qh[u] - k.valve.lambda * r.A[u]);
        CHECK(r.rho[u] == Exact(1) / (Exact(1) + k.valve.lambda * r.A[u]));
        if (s == 0) continue;
        // Symmetric base, directed valve: W_ij = W_ji and K_ij = W_ij rho_ij / D.
        const int j = r.to[u];
        const int back = candidate_slot(j, i);
        CHECK(r.W[u] == k.rows[static_cast<std::size_t>(j)].W[static_cast<std::size_t>(back)]);
        CHECK(r.K[u] == r.W[u] * r.rho[u] / k.D);
        CHECK(r.A[u] == Exact(r.chi[u]) * q("3/4"));
      }
    }
  }
}

TEST_CASE("pump: pi K = pi exactly on the pump kernel, and lambda = 0 gives the uniform pi") {
  const SpinorField f = generate_spinor_field(kAnnulus, 1);
  const ExactKernel k = build_kernel(f, valve("1", 3));
  const auto K = dense_kernel(k);
  const auto pi = stationary_exact(K);
  CHECK(is_stationary(K, pi));
  Exact total(0);
  for (const auto& p : pi) {
    CHECK(p.sign() > 0);
    total += p;
  }
  CHECK(total == Exact(1));
  // Doubles agree to rounding.
  std::vector<std::vector<double>> Kd(kVoxels, std::vector<double>(kVoxels));
  for (std::size_t i = 0; i < kVoxels; ++i)
    for (std::size_t j = 0; j < kVoxels; ++j) Kd[i][j] = K[i][j].to_double();
  const auto pd = stationary_double(Kd);
  for (std::size_t i = 0; i < kVoxels; ++i) CHECK(pd[i] == doctest::Approx(pi[i].to_double()).epsilon(1e-10));

  // No valve: K is symmetric, hence doubly stochastic, and pi = 1/64 on the nose.
  const ExactKernel k0 = build_kernel(f, valve("0", 3));
  const auto pi0 = stationary_exact(dense_kernel(k0));
  for (const auto& p : pi0) CHECK(p == Exact(1, 64));
  CHECK(pump_current_J0(k0).is_zero());
}

TEST_CASE("pump: J0 > 0 whenever some reverse edge has A > 0 (and its closed form)") {
  for (int depth = 1; depth <= 3; ++depth) {
    for (const char* lambda : {"1/10", "1", "7/2"}) {
      const SpinorField f = generate_spinor_field(kAnnulus, static_cast<std::uint64_t>(depth * 7));
      const ExactKernel k = build_kernel(f, valve(lambda, depth));
      // Independent evaluation of sum over E+ of (W_ij/D)(1 - rho_ji), over ordered pairs.
      Exact j0(0);
      bool driven = false;
      for (int i = 0; i < kVoxels; ++i) {
        const KernelRow& r = k.rows[static_cast<std::size_t>(i)];
        for (int s = 1; s < r.count; ++s) {
          const auto u = static_cast<std::size_t>(s);
          const KernelRow& rj = k.rows[static_cast<std::size_t>(r.to[u])];
          const auto back = static_cast<std::size_t>(candidate_slot(r.to[u], i));
          if (r.A[u].is_zero() && rj.A[back].sign() > 0) {  // i -> j in E+
            j0 += r.W[u] / k.D * (Exact(1) - rj.rho[back]);
            driven = driven || r.W[u].sign() > 0;
          }
        }
      }
      const Exact J0 = pump_current_J0(k);
      CHECK(J0 == j0);
      CHECK(driven);  // the base reaches the forward skeleton
      CHECK(J0.sign() > 0);
      const auto pi = stationary_exact(dense_kernel(k));
      const PumpCurrents c = compute_currents(k, pi);
      CHECK(c.J0 == J0);
      CHECK(c.edges.size() == 144);
      CHECK(c.J_plus.sign() > 0);  // the stationary chain really circulates with the winding
      CHECK(c.entropy_production > 0);
      // Kirchhoff: the stationary current is divergence-free at every voxel, exactly.
      std::vector<Exact> div(kVoxels);
      for (const EdgeFlow& e : c.edges) {
        div[static_cast<std::size_t>(e.a)] += e.J;
        div[static_cast<std::size_t>(e.b)] -= e.J;
      }
      for (const auto& d : div) CHECK(d.is_zero());
    }
  }
}

TEST_CASE("pump: J0 > 0 exactly when some reverse edge has lambda A > 0, over many fields") {
  for (std::uint64_t seed = 100; seed < 110; ++seed) {
    const SpinorField f = generate_spinor_field(kAnnulus, seed);
    for (int depth = 1; depth <= 3; ++depth) {
      CHECK(pump_current_J0(build_kernel(f, valve("1/3", depth))).sign() > 0);
      CHECK(pump_current_J0(build_kernel(f, valve("0", depth))).is_zero());  // no valve, no drive
      CHECK(pump_current_J0(build_kernel(f, {Exact(1), Exact(0), q("3/4"), depth})).is_zero());  // A0 = 0
    }
  }
  // A cold field whose base barely connects still reaches the skeleton after relaxation.
  const SpinorField cold = generate_spinor_field({q("1/50"), q("1/20")}, 8);
  CHECK(pump_current_J0(build_kernel(cold, valve("1", 3))).sign() > 0);
}

TEST_CASE("pump: the escape valve relaxes kappa until the base connects, bounded") {
  // A cold annulus (w near 0: large beta) collapses the sparsemax rows; the relaxation
  // beta' = beta / 2^r must reconnect the base, and r is reported.
  const SpinorField f = generate_spinor_field({q("1/50"), q("1/20")}, 4);
  const ExactKernel k = build_kernel(f, valve("1", 3));
  CHECK(k.relaxation > 0);
  CHECK(k.relaxation <= kMaxRelaxation);
  CHECK(rows_sum_to_one(k));
  CHECK(k.rows[0].beta_eff * Exact(1L << k.relaxation) == k.rows[0].beta);
  const auto pi = stationary_exact(dense_kernel(k));  // irreducible, so this succeeds
  CHECK(is_stationary(dense_kernel(k), pi));
  CHECK_THROWS_AS(build_kernel(f, valve("1", 4)), std::invalid_argument);
}
