#pragma once
// The Octet quarantine (design lock 5, §7): irrational residuals
//   eps_ij = Q_h^analytic(i, j) - Q_h^rational(i, j)
// are recorded in an 8-slot buffer for display and never re-enter the 64-voxel kernel.
//
// The boundary is in the types. The Octet takes doubles and hands out doubles only; the
// kernel side (sparsemax, build_kernel, Spinor, ValveSpec) is written in Exact, which has
// no constructor from any floating-point type. So a residual cannot be passed to the
// kernel, converted into an Exact, or smuggled in through mpq_class's implicit
// double constructor: the static_asserts below fail to compile if someone opens a path.
// Slot k belongs to core voxel core_voxels()[k] (the 8 core voxels are the Octet's nodes,
// the 8 that would close the 72-node toroid of §10): it holds that voxel's residual of
// largest magnitude over its face neighbours.
#include <array>
#include <cstdint>
#include <type_traits>

#include "pump/kernel_builder.hpp"
#include "pump/sparsemax.hpp"
#include "pump/spinor_field.hpp"

namespace obs::pump {

class Octet {
 public:
  static constexpr int kSlots = 8;

  void record(int slot, double residual);  // keeps the larger magnitude; ignores bad slots
  double residual(int slot) const;
  const std::array<double, kSlots>& residuals() const { return eps_; }
  double max_abs() const;
  std::uint64_t recorded() const { return recorded_; }

 private:
  std::array<double, kSlots> eps_{};
  std::uint64_t recorded_ = 0;
};

// Computes every candidate-edge residual of the field: the Octet slots for the core
// voxels, and the largest magnitude over all 64 rows in `max_abs_all` (display only).
Octet quarantine_residuals(const ExactKernel& kernel, const SpinorField& field, double* max_abs_all = nullptr);

// ---- the quarantine, stated so that the compiler checks it ---------------------------
using OctetValue = decltype(std::declval<const Octet&>().residual(0));
using OctetSlots = std::remove_cvref_t<decltype(std::declval<const Octet&>().residuals())>;
static_assert(std::is_same_v<OctetValue, double>, "the Octet hands out doubles only");
static_assert(!std::is_constructible_v<Exact, OctetValue>, "an Octet residual must not become an Exact");
static_assert(!std::is_invocable_v<decltype(&build_kernel), const OctetSlots&, const ValveSpec&>);
static_assert(!std::is_invocable_v<decltype(&build_kernel), const SpinorField&, const OctetSlots&>);
static_assert(!std::is_invocable_v<decltype(&sparsemax), const OctetSlots&>);
static_assert(!std::is_constructible_v<ValveSpec, OctetValue, OctetValue, OctetValue, int>);
static_assert(!std::is_constructible_v<Spinor, OctetValue, std::array<OctetValue, 3>>);

}  // namespace obs::pump
