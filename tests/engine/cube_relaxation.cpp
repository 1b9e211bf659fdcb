// The cube's lattice and relaxation: the 26-neighbour stencil, the symmetric weights, the
// energy descent of the 8-colour Gauss-Seidel sweep, the lazy engine reaching the dense
// fixed point, exact FLOP counting on a hand-countable cube, and the Lipschitz projection
// checked against Eigen's eigenvalues of the same operator.
#include <doctest/doctest.h>

// GCC 12 reports false "may be used uninitialized" warnings inside avx512fintrin.h when
// Eigen's eigensolver is compiled with -march=native; they are in the compiler's own header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Dense>

#include <algorithm>
#include <bit>
#include <cmath>
#include <set>

#include "cube_test_util.hpp"

using cube_test::make;
using obs::cube::kNeighbours;
using obs::cube::neighbour_offset;

TEST_CASE("neighbour numbering: 26 distinct offsets, d and 25 - d opposite") {
  std::set<std::array<int, 3>> seen;
  for (int d = 0; d < kNeighbours; ++d) {
    const auto o = neighbour_offset(d), r = neighbour_offset(kNeighbours - 1 - d);
    CHECK(o[0] == -r[0]);
    CHECK(o[1] == -r[1]);
    CHECK(o[2] == -r[2]);
    CHECK((o[0] != 0 || o[1] != 0 || o[2] != 0));
    seen.insert(o);
  }
  CHECK(seen.size() == 26);
}

TEST_CASE("stencil: 26 neighbours inside, 17 on a face, 11 on an edge, 7 at a corner; symmetric weights") {
  auto sys = make({{"n", 6}, {"batch", 16}, {"train_size", 64}, {"test_size", 0}, {"step_mode", "batch"}});
  for (int i = 0; i < 3; ++i) sys->step();  // a few weight updates first
  const auto& c = sys->lattice();
  auto count = [&](int x, int y, int z) { return std::popcount(c.possible[c.idx(x, y, z)]); };
  // Neurons at z >= 1 may couple to the clamped input plane z = 0, so these are plain lattice counts.
  CHECK(count(2, 3, 2) == 26);
  CHECK(count(0, 3, 2) == 17);
  CHECK(count(0, 0, 2) == 11);
  CHECK(count(0, 0, 5) == 7);
  CHECK(count(5, 5, 5) == 7);
  // Two clamped input neurons never hold a synapse: an input-plane corner has only its 4 links up.
  CHECK(count(0, 0, 0) == 4);
  std::size_t checked = 0;
  for (std::size_t p = 0; p < c.cells; ++p)
    for (int d = 0; d < kNeighbours; ++d) {
      const std::size_t q = c.nbr(p, d);
      const float a = c.w[p * kNeighbours + static_cast<std::size_t>(d)];
      const float b = c.w[q < c.cells ? q * kNeighbours + static_cast<std::size_t>(kNeighbours - 1 - d) : 0];
      if (q >= c.cells) continue;
      CHECK(a == b);
      CHECK(((c.mask[p] >> d) & 1u) == ((c.mask[q] >> (kNeighbours - 1 - d)) & 1u));
      if (!(c.possible[p] >> d & 1u)) CHECK(a == 0.0f);
      ++checked;
    }
  CHECK(checked > 0);
}

TEST_CASE("the free phase never raises the energy (dense and lazy, plain and over-relaxed)") {
  for (const char* engine : {"dense", "lazy"})
  for (const double omega : {1.0, 1.5, 1.9}) {
    CAPTURE(engine);
    CAPTURE(omega);
    auto sys = make({{"n", 8}, {"batch", 16}, {"engine", engine}, {"tol", 1e-6}, {"free_steps", 200}, {"train_size", 64}, {"test_size", 0},
                     {"overrelax", omega}});
    REQUIRE(sys->stage() == obs::CubeSystem::Stage::Free);
    double prev = sys->energy();
    int steps = 0;
    while (sys->stage() == obs::CubeSystem::Stage::Free) {
      sys->step();
      if (sys->stage() != obs::CubeSystem::Stage::Free) break;
      const double e = sys->energy();
      CHECK(e <= prev + 1e-6 * (1 + std::fabs(prev)));
      prev = e;
      ++steps;
    }
    CHECK(steps > 5);
  }
}

TEST_CASE("lazy and dense relaxations reach the same fixed point") {
  const nlohmann::json base = {{"n", 10}, {"batch", 16}, {"tol", 1e-6}, {"free_steps", 2000}, {"train_size", 64}, {"test_size", 0}};
  nlohmann::json pd = base, pl = base;
  pd["engine"] = "dense";
  pl["engine"] = "lazy";
  auto dense = make(pd), lazy = make(pl);
  const int sd = dense->finish_phase(), sl = lazy->finish_phase();
  REQUIRE(dense->stage() == obs::CubeSystem::Stage::NudgePlus);  // settled, not out of steps
  REQUIRE(lazy->stage() == obs::CubeSystem::Stage::NudgePlus);
  CHECK(sd < 2000);
  CHECK(sl < 2000);
  const auto &a = dense->lattice().s, &b = lazy->lattice().s;
  float worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  CHECK(worst < 1e-4f);  // both within ~tol / (1 - L) of the unique fixed point
  CHECK(lazy->flops_effective() < dense->flops_effective());
  MESSAGE("dense " << sd << " steps, lazy " << sl << " steps; lazy did " << lazy->flops_effective() / dense->flops_effective()
                   << " of the dense multiply-adds; max state gap " << worst);
}

TEST_CASE("over-relaxation reaches the same fixed point as plain Gauss-Seidel, in fewer steps near L = 1") {
  const nlohmann::json base = {{"n", 12}, {"batch", 16}, {"engine", "dense"}, {"tol", 1e-6}, {"free_steps", 5000},
                               {"train_size", 64}, {"test_size", 0}, {"lipschitz_target", 0.995}, {"bias_init", 0.0}, {"weight_spread", 0.05}};
  nlohmann::json po = base;
  po["overrelax"] = 1.7;
  auto plain = make(base), over = make(po);
  const int sp = plain->finish_phase(), so = over->finish_phase();
  REQUIRE(plain->stage() == obs::CubeSystem::Stage::NudgePlus);  // both settled
  REQUIRE(over->stage() == obs::CubeSystem::Stage::NudgePlus);
  const auto &a = plain->lattice().s, &b = over->lattice().s;
  float worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  CHECK(worst < 1e-3f);  // each within ~tol / (1 - L) = 2e-4 of the unique fixed point
  CHECK(so * 2 < sp);
  MESSAGE("L = 0.995: Gauss-Seidel " << sp << " steps, over-relaxed (omega 1.7) " << so << " steps; max state gap " << worst);
}

TEST_CASE("FLOP counting is exact on a 4^3 cube") {
  auto sys = make({{"n", 4}, {"batch", 16}, {"engine", "dense"}, {"train_size", 32}, {"test_size", 0}});
  // Hand count: the relaxing neurons are z = 1..3 (z = 0 is the input plane); every synapse is
  // live at init_density 1, so a neuron does one multiply-add per lattice neighbour.
  std::uint64_t macs = 0;
  for (int z = 1; z < 4; ++z)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) {
        const int nx = (x > 0) + 1 + (x < 3), ny = (y > 0) + 1 + (y < 3), nz = (z > 0) + 1 + (z < 3);
        macs += static_cast<std::uint64_t>(nx * ny * nz - 1);
      }
  // By hand: a plane with z in {1, 2} has 4 corners x 11 + 8 edge neurons x 17 + 4 centres x 26
  // = 284 links; the far face z = 3 has 4 x 7 + 8 x 11 + 4 x 17 = 184. 2 x 284 + 184 = 752.
  CHECK(macs == 752);
  sys->step();
  CHECK(sys->flops_dense() == static_cast<double>(macs * 16));
  CHECK(sys->flops_effective() == static_cast<double>(macs * 16));
  CHECK(sys->last_relax().updated == 48);
}

TEST_CASE("a thinned cube counts only its live synapses") {
  auto sys = make({{"n", 4}, {"batch", 16}, {"engine", "dense"}, {"init_density", 0.5}, {"synapse_budget", 0.5},
                   {"train_size", 32}, {"test_size", 0}});
  const auto& c = sys->lattice();
  std::uint64_t macs = 0;
  for (std::size_t p = 0; p < c.cells; ++p)
    if (c.relaxes[p]) macs += static_cast<std::uint64_t>(std::popcount(c.mask[p]));
  CHECK(macs < 752);
  CHECK(macs > 200);
  sys->step();
  CHECK(sys->flops_dense() == static_cast<double>(macs * 16));
}

TEST_CASE("the Lipschitz projection holds: ||W||_2 <= target, checked by Eigen's eigenvalues") {
  auto sys = make({{"n", 6}, {"batch", 16}, {"lr", 0.5}, {"lipschitz_target", 0.9}, {"train_size", 64}, {"test_size", 0},
                   {"step_mode", "batch"}});
  for (int k = 0; k < 4; ++k) {
    sys->step();
    const auto& c = sys->lattice();
    std::vector<std::size_t> ids;
    for (std::size_t p = 0; p < c.cells; ++p)
      if (c.relaxes[p]) ids.push_back(p);
    Eigen::MatrixXd W = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(ids.size()), static_cast<Eigen::Index>(ids.size()));
    for (std::size_t i = 0; i < ids.size(); ++i)
      for (int d = 0; d < kNeighbours; ++d) {
        const std::size_t q = c.nbr(ids[i], d);
        const auto j = std::find(ids.begin(), ids.end(), q);
        if (j != ids.end()) W(static_cast<Eigen::Index>(i), j - ids.begin()) = c.w[ids[i] * kNeighbours + static_cast<std::size_t>(d)];
      }
    CHECK((W - W.transpose()).cwiseAbs().maxCoeff() == 0.0);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(W);
    const double norm = eig.eigenvalues().cwiseAbs().maxCoeff();
    CHECK(norm <= 0.9 * 1.002);
    CHECK(sys->lipschitz() == doctest::Approx(norm).epsilon(0.01));
  }
}

#pragma GCC diagnostic pop
