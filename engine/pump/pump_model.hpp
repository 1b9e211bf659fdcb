#pragma once
// Everything that depends only on the parameters and the seed, built once per kernel:
// spinor field -> exact kernel -> exact pi (checked pi K = pi) -> currents, the Gibbs
// comparison, the Octet, the parity badges, the walkers' sampling tables and the
// view's PumpKernelInfo. Immutable after construction and shared by pointer.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "pump/gibbs_kernel.hpp"
#include "pump/handshake_parity.hpp"
#include "pump/kernel_builder.hpp"
#include "pump/octet.hpp"
#include "pump/pump_currents.hpp"
#include "pump/pump_snapshot.hpp"
#include "pump/spinor_field.hpp"

namespace obs::pump {

struct PumpConfig {
  Annulus annulus;
  ValveSpec valve;
};

struct PumpModel {
  SpinorField field;
  ExactKernel kernel;
  std::vector<Exact> pi;
  PumpCurrents currents;
  GibbsKernel gibbs;
  Octet octet;
  double octet_max_all = 0;  // largest |residual| over all 64 rows (the Octet keeps the core 8)
  ParityReport parity_pi, parity_gibbs;
  bool rows_ok = false, stationary_ok = false, rows_parity_ok = false;

  // Doubles for the double-precision dynamics and the walkers (exact -> double only).
  std::array<std::array<double, kMaxCandidates>, kVoxels> K_double{};
  std::array<std::array<double, kMaxCandidates>, kVoxels> cumulative{};  // last entry forced to 1
  // +1: the step runs with the winding (E+), -1: against it, 0: self/unoriented/frustrated.
  std::array<std::array<std::int8_t, kMaxCandidates>, kVoxels> move_sign{};
  std::array<double, kVoxels> pi_double{};

  std::shared_ptr<const PumpKernelInfo> info;
};

// Throws std::invalid_argument (bad annulus/valve) or std::runtime_error (no relaxation
// connects the base; a failed exact check, which would be a bug).
std::shared_ptr<const PumpModel> build_pump_model(const PumpConfig& config, std::uint64_t seed);

}  // namespace obs::pump
