// Handshake parity: winding(mantle) % 7 == core holds on the rational kernel and breaks
// on the float softmax path when low bits differ (demonstrated on constructed cases).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "pump/gibbs_kernel.hpp"
#include "pump/handshake_parity.hpp"
#include "pump/kernel_builder.hpp"
#include "pump/stationary_solver.hpp"

using namespace obs::pump;

namespace {

Exact q(const char* text) { return *Exact::parse(text); }
const Annulus kAnnulus{q("1/4"), q("3/4")};

// One transition of a distribution through a candidate-layout kernel, summing each
// voxel's inflow in ascending or descending order of the source voxel: two honest
// nodes that differ only in evaluation order.
template <class T, class Rows>
std::vector<T> one_step(const ExactKernel& k, const Rows& rows, const std::vector<T>& u, bool ascending) {
  std::vector<T> out(kVoxels, T(0));
  for (int n = 0; n < kVoxels; ++n) {
    const auto i = static_cast<std::size_t>(ascending ? n : kVoxels - 1 - n);
    for (int c = 0; c < k.rows[i].count; ++c)
      out[static_cast<std::size_t>(k.rows[i].to[static_cast<std::size_t>(c)])] += u[i] * rows[i][static_cast<std::size_t>(c)];
  }
  return out;
}

}  // namespace

TEST_CASE("pump: parity of a hand-made distribution") {
  // 1/2 on voxel 0 (mantle), 1/2 on voxel 21 = (1,1,1) (core): L = 2, N = (1, 1),
  // winding = 1, core = (2 - 1) mod 7 = 1: holds.
  std::vector<Exact> x(kVoxels);
  x[0] = q("1/2");
  x[21] = q("1/2");
  REQUIRE(is_core(21));
  const ParityReport r = parity(x);
  CHECK(r.L == 2);
  CHECK(r.winding == 1);
  CHECK(r.core == 1);
  CHECK(r.holds);
  // A receiver that holds 1/2 + 1/14 on voxel 0 counts L = 14, winding 8 = 1 mod 7, while
  // the sender declares (14 - 7) mod 7 = 0: fails.
  std::vector<Exact> y = x;
  y[0] = q("4/7");
  CHECK_FALSE(handshake(x, y).holds);
}

TEST_CASE("pump: parity holds on exact pi, every exact K row and any evaluation order") {
  for (std::uint64_t seed : {1ULL, 2ULL, 3ULL}) {
    const SpinorField f = generate_spinor_field(kAnnulus, seed);
    const ExactKernel k = build_kernel(f, {Exact(1), Exact(1), q("3/4"), 3});
    const auto K = dense_kernel(k);
    const auto pi = stationary_exact(K);
    CHECK(parity(pi).holds);
    for (const auto& row : K) CHECK(parity(row).holds);
    std::array<std::array<Exact, kMaxCandidates>, kVoxels> rows;
    for (std::size_t i = 0; i < kVoxels; ++i) rows[i] = k.rows[i].K;
    std::vector<Exact> u(kVoxels, Exact(1, 64));
    const auto a = one_step(k, rows, u, true), b = one_step(k, rows, u, false);
    CHECK(a == b);  // exact sums do not depend on the order
    CHECK(handshake(a, b).holds);
  }
}

TEST_CASE("pump: one low bit of disagreement always breaks the handshake") {
  // A double distribution that is exact (1/64 everywhere) passes on its own...
  std::vector<double> a(kVoxels, 1.0 / 64);
  CHECK(parity(a).holds);
  CHECK(parity_holds_fast(a));
  // ...and a receiver whose rounding differs by one ulp in one mantle voxel shifts the
  // winding by 2^k units, which 7 never divides: the handshake fails, whichever bit.
  for (int v : {0, 5, 63}) {
    std::vector<double> b = a;
    b[static_cast<std::size_t>(v)] = std::nextafter(b[static_cast<std::size_t>(v)], 1.0);
    CHECK_FALSE(handshake(a, b).holds);
    b[static_cast<std::size_t>(v)] = std::nextafter(a[static_cast<std::size_t>(v)], 0.0);
    CHECK_FALSE(handshake(a, b).holds);
  }
}

TEST_CASE("pump: the float softmax path fails the handshake where rounding differs") {
  // Two nodes run the same Gibbs (softmax, e^{-lambda A}) transition from the same start,
  // summing in different orders. Wherever their bits differ the check is decided by
  // rounding; count the outcomes. The rational path on the same inputs always holds.
  int differing = 0, failed = 0, float_alone_failed = 0, cases = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const SpinorField f = generate_spinor_field(kAnnulus, seed);
    const ExactKernel k = build_kernel(f, {Exact(1), Exact(1), q("3/4"), 3});
    const GibbsKernel g = build_gibbs_kernel(k, f);
    obs::Rng rng(seed);
    std::vector<double> u(kVoxels);
    double s = 0;
    for (auto& v : u) s += (v = rng.uniform());
    for (auto& v : u) v /= s;
    const auto a = one_step(k, g.G, u, true), b = one_step(k, g.G, u, false);
    ++cases;
    float_alone_failed += !parity(a).holds;
    if (a != b) {
      ++differing;
      failed += !handshake(a, b).holds;
    }
    CHECK(parity(std::span<const double>(g.pi)).holds == parity_holds_fast(g.pi));
  }
  MESSAGE("float path: " << differing << "/" << cases << " node pairs differ in low bits, " << failed
                         << " of them fail the handshake; " << float_alone_failed << "/" << cases
                         << " single nodes fail on their own rounding");
  CHECK(differing > 0);
  CHECK(failed > 0);
  CHECK(float_alone_failed > 0);
}

TEST_CASE("pump: the allocation-free parity check agrees with the exact one") {
  obs::Rng rng(42);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<double> x(kVoxels);
    double s = 0;
    for (auto& v : x) s += (v = rng.uniform() < 0.2 ? 0.0 : rng.uniform());
    if (s == 0) continue;
    for (auto& v : x) v /= s;
    CHECK(parity_holds_fast(x) == parity(x).holds);
  }
  std::vector<double> bad(kVoxels, 1.0 / 64);
  bad[3] = NAN;
  CHECK_FALSE(parity_holds_fast(bad));
  CHECK_FALSE(parity(bad).finite);
  CHECK_FALSE(parity(bad).holds);
}
