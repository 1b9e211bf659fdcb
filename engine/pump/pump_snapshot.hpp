#pragma once
// What the voxel-packet view needs, in plain std types (no GMP): the view includes this
// header only. PumpKernelInfo is computed once per kernel build and shared, immutable, by
// every snapshot until the kernel changes; a PumpSnapshot adds the per-step state (p(t),
// walkers), so copying one per frame costs 64 doubles plus the walker bytes.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/system.hpp"

namespace obs {
namespace pump {

inline constexpr int kSnapshotVoxels = 64;
inline constexpr int kSnapshotCandidates = 7;

// One voxel's row of the kernel, as exact fraction strings "p/q" (the inspector).
struct VoxelRowDetail {
  int voxel = 0, x = 0, y = 0, z = 0;
  bool core = false;
  std::string w;                    // spinor q = (w, m) on S^3
  std::array<std::string, 3> m;
  std::array<std::string, 4> lift;  // q~ = (1/w)(1, m) on the hyperboloid
  std::string beta, beta_eff;       // (1 - w)/w, and after the kappa relaxation
  std::string pi;                   // stationary mass, exact
  int count = 0;                    // candidates; slot 0 = the voxel itself
  std::array<int, kSnapshotCandidates> to{};
  std::array<int, kSnapshotCandidates> chi{};  // active arms the step runs against
  std::array<std::string, kSnapshotCandidates> qh;     // Q_h(i, j)
  std::array<std::string, kSnapshotCandidates> logit;  // z = -beta' Q_h - lambda A
  std::array<std::string, kSnapshotCandidates> A, rho;  // valve barrier, 1/(1 + lambda A)
  std::array<std::string, kSnapshotCandidates> P;      // sparsemax(z)
  std::array<std::string, kSnapshotCandidates> W;      // symmetric base (slot 0 unused)
  std::array<std::string, kSnapshotCandidates> K;      // executable kernel row (slot 0 = diagonal)
  std::array<bool, kSnapshotCandidates> support{};      // of P
  std::string tau;
  int support_size = 0;
};

// A face edge a < b with its stationary net current (J > 0: net flow a -> b).
struct EdgeView {
  int a = 0, b = 0;
  double J = 0;
  int drive = 0;  // +1: a -> b is with the winding (E+); -1: b -> a is; 0: none/frustrated
  std::string J_exact;
};

struct InvariantBadges {
  bool rows_sum_to_one = false;  // every row of K and of P, exactly
  bool pi_K_equals_pi = false;   // exactly
  bool J0_positive = false;
  bool parity_holds = false;     // winding(mantle) % 7 == core on exact pi and every K row
};

struct PumpKernelInfo {
  std::array<VoxelRowDetail, kSnapshotVoxels> rows;
  std::array<double, kSnapshotVoxels> pi{}, pi_gibbs{};
  std::array<bool, kSnapshotVoxels> core{};
  std::vector<EdgeView> edges;  // the 144 face edges
  InvariantBadges badges;
  double J0 = 0, J_plus = 0, entropy_production = 0;
  std::string J0_exact, J_plus_exact, D_exact;
  double J0_gibbs = 0, tv_pi_gibbs = 0;  // analytic (Gibbs) limit, for comparison
  double pi_min = 0, pi_max = 0;         // colour range
  // Octet quarantine: residuals Q_h(analytic) - Q_h(rational), display only.
  std::array<double, 8> octet{};
  std::array<int, 8> octet_voxel{};  // core voxel of each slot
  double octet_max_all = 0;          // largest |residual| over all 64 rows
  // Handshake parity on exact pi, and on the float Gibbs pi for contrast.
  std::string winding, unit_L;  // abbreviated integers
  int winding_mod7 = 0, core_residue = 0;
  bool float_parity_holds = false;
  int float_winding_mod7 = 0, float_core_residue = 0;
  int relaxation = 0, chiral_depth = 0, spinor_grid = 0;
  std::string lambda, A0, spread, w_min, w_max;
  double solve_ms = 0;  // time the exact build + solve took
};

}  // namespace pump

struct PumpSnapshot : Snapshot {
  std::shared_ptr<const pump::PumpKernelInfo> info;
  std::array<double, pump::kSnapshotVoxels> p{};  // p(t) (from the exact state while exact)
  bool exact_mode = true;                         // p(t) is still evolved in exact rationals
  std::uint64_t exact_steps = 0;                  // the horizon
  std::vector<std::uint8_t> walkers, walkers_prev;  // voxel of each walker now / one step ago
  std::size_t moving_walkers = 0;                 // walkers[moving..] are frozen
  double tv_to_pi = 0, walker_flux = 0, core_mass = 0;
  bool p_parity_holds = false;
};

}  // namespace obs
