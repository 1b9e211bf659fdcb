#pragma once
// The executable kernel (design §6; Axiom I), built from exact inputs only.
//
// For each voxel i and candidate j ∈ N_i (self + face neighbours):
//   beta_i   = (1 - w_i) / w_i                          (temperature, design §2)
//   g_{i->j} = -beta_i' Q_h(i, j)                        geometric logit
//   z_{i->j} = g_{i->j} - lambda A_ij,  A_ij = A0 s chi(i -> j)   full logit (valve inside)
//   P_i      = sparsemax(z_i)                            the hyperbolic sparsemax row
//   B_i      = sparsemax(g_i)                            the valve-free row (P at lambda = 0)
//   W_ij     = min(B_ij, B_ji),  j != i                  the symmetric sparse base
//   D        = max(1, max_i sum_{j != i} W_ij)           (= 1: see below)
//   rho_ij   = 1 / (1 + lambda A_ij)                     the rational valve (lock 3)
//   K_ij     = (W_ij / D) rho_ij  (j != i),  K_ii = 1 - sum_{j != i} K_ij
// W is the mass both ends of an edge agree to exchange (mutual support, as in Metropolis):
// symmetric by construction, and sparse because an edge survives only where both rows'
// sparsemax supports contain it. Since sum_{j != i} W_ij <= sum_{j != i} B_ij = 1 - B_ii,
// the normaliser D of §6 is always 1 here; it is kept in the formulas because §6 states
// them with it. (Averaging (B_ij + B_ji)/2 instead would need D > 1, leave fewer zeros and
// mix two rows' denominators in every entry: pi's exact solve took 2-3x longer with it.)
// K is the kernel that runs: rows sum to exactly 1, the diagonal keeps what the base
// declines and what the valve rejects, and there is no exponential anywhere. The geometry enters K only through the
// symmetric base and the direction only through rho, which is what makes the pump current
// J0 = sum_{E+} (W_ij/D)(1 - rho_ji) a closed rational with a provable sign (§6, T5b).
// P, the sparsemax with the valve inside the logits, is kept beside K: it is the on-chain
// row the inspector shows (logits, support, tau) and it is row-stochastic on its own.
//
// Escape valve (design §7): if the base graph {W_ij > 0} does not connect all 64 voxels
// (sparsemax collapsed too many rows onto themselves), or carries no mass over any
// forward edge whose reverse the valve attenuates, kappa_i = 1/beta_i is relaxed by the
// same power of two for every voxel, beta_i' = beta_i / 2^r, for the smallest r that fixes
// both (bounded by kMaxRelaxation). Connectivity makes K irreducible, so pi is unique and
// positive; reaching the skeleton makes J0 > 0 whenever some reverse edge has lambda A > 0.
// r = 0 for the shipped scenes.
#include <array>
#include <vector>

#include "pump/exact.hpp"
#include "pump/spinor_field.hpp"
#include "pump/voxel_packet.hpp"

namespace obs::pump {

inline constexpr int kMaxRelaxation = 48;

struct ValveSpec {
  Exact lambda;     // valve strength
  Exact A0;         // reverse-edge barrier scale
  Exact spread;     // s_ij (the Frame-5 baseline s = 3/4 for every edge)
  int depth = 3;    // chiral depth SK_l: active arms 1..3
};

struct KernelRow {
  int count = 0;  // candidates; slot 0 is the voxel itself
  std::array<int, kMaxCandidates> to{};
  std::array<int, kMaxCandidates> chi{};  // active arms the step runs against
  std::array<Exact, kMaxCandidates> qh, geo_logit, logit, A, rho;
  std::array<Exact, kMaxCandidates> base_p, P, W, K;
  std::array<bool, kMaxCandidates> support{};  // of P
  Exact beta, beta_eff, tau, tau_base;
  int support_size = 0, base_support_size = 0;
};

struct ExactKernel {
  std::array<KernelRow, kVoxels> rows;
  ValveSpec valve;
  Exact D;
  int relaxation = 0;
};

// Throws std::invalid_argument for a depth outside 1..3 or a negative lambda, A0 or s,
// std::runtime_error if no relaxation up to kMaxRelaxation connects the base.
ExactKernel build_kernel(const SpinorField& field, const ValveSpec& valve);

// Every row of K and of P sums to exactly 1 and has no negative entry.
bool rows_sum_to_one(const ExactKernel& k);

// Dense 64 x 64 copy of K for the solver and checks.
std::vector<std::vector<Exact>> dense_kernel(const ExactKernel& k);

}  // namespace obs::pump
