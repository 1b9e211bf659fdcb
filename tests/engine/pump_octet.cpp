// The Octet quarantine: irrational residuals are recorded for display and cannot reach
// the rational kernel, by construction of the types and in fact.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "pump/kernel_builder.hpp"
#include "pump/octet.hpp"
#include "pump/sparsemax.hpp"

using namespace obs::pump;

namespace {

Exact q(const char* text) { return *Exact::parse(text); }
const Annulus kAnnulus{q("1/4"), q("3/4")};

// The kernel-side entry points, each as a function pointer type.
using BuildKernel = decltype(&build_kernel);
using Sparsemax = decltype(&sparsemax);

}  // namespace

TEST_CASE("pump: the kernel API cannot accept a double (compile-time quarantine)") {
  // What the Octet hands out is a double...
  static_assert(std::is_same_v<decltype(std::declval<Octet>().residual(0)), double>);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(std::declval<Octet>().residuals())>, std::array<double, 8>>);
  // ...and no kernel input can be made from one, implicitly or explicitly.
  static_assert(!std::is_constructible_v<Exact, double>);
  static_assert(!std::is_convertible_v<double, Exact>);
  static_assert(!std::is_invocable_v<Sparsemax, std::vector<double>>);
  static_assert(!std::is_invocable_v<Sparsemax, std::array<double, 8>>);
  static_assert(!std::is_invocable_v<BuildKernel, std::array<double, 8>, ValveSpec>);
  static_assert(!std::is_invocable_v<BuildKernel, SpinorField, std::array<double, 8>>);
  static_assert(!std::is_constructible_v<ValveSpec, double, double, double, int>);
  static_assert(!std::is_constructible_v<Spinor, double, std::array<double, 3>>);
  static_assert(!std::is_constructible_v<Annulus, double, double>);
  // The octet only ever takes doubles in.
  static_assert(std::is_invocable_v<decltype(&Octet::record), Octet&, int, double>);
  CHECK(true);
}

TEST_CASE("pump: the Octet records the analytic residuals of the 8 core voxels") {
  const SpinorField f = generate_spinor_field(kAnnulus, 1);
  const ExactKernel k = build_kernel(f, {Exact(1), Exact(1), q("3/4"), 3});
  double all = -1;
  const Octet o = quarantine_residuals(k, f, &all);
  CHECK(o.recorded() == 8 * 6);  // core voxels are interior: six neighbours each
  bool some_nonzero = false;
  for (double e : o.residuals()) {
    CHECK(std::isfinite(e));
    CHECK(std::fabs(e) < 1e-9);  // rounding of arcosh/sinh, not a modelling difference
    some_nonzero = some_nonzero || e != 0.0;
  }
  CHECK(some_nonzero);  // the transcendental route really does round
  CHECK(all >= o.max_abs());
  CHECK(o.residual(-1) == 0.0);
  CHECK(o.residual(8) == 0.0);
}

TEST_CASE("pump: the Octet cannot feed back into the kernel") {
  const SpinorField f = generate_spinor_field(kAnnulus, 9);
  const ValveSpec v{Exact(2), Exact(1), q("3/4"), 2};
  const ExactKernel before = build_kernel(f, v);
  // Fill an Octet with the worst it could hold, the way a faulty analytic path would.
  Octet o = quarantine_residuals(before, f);
  for (int s = 0; s < Octet::kSlots; ++s) {
    o.record(s, std::numeric_limits<double>::quiet_NaN());
    o.record(s, 1e300);
  }
  // The only inputs the builder takes are the exact field and valve, so rebuilding gives
  // the identical kernel, bit for bit.
  const ExactKernel after = build_kernel(f, v);
  for (std::size_t i = 0; i < kVoxels; ++i)
    for (int s = 0; s < before.rows[i].count; ++s) {
      CHECK(before.rows[i].K[static_cast<std::size_t>(s)] == after.rows[i].K[static_cast<std::size_t>(s)]);
      CHECK(before.rows[i].logit[static_cast<std::size_t>(s)] == after.rows[i].logit[static_cast<std::size_t>(s)]);
    }
  CHECK(rows_sum_to_one(after));
}
