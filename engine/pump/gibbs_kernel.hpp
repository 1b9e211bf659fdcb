#pragma once
// The analytic kernel (Axiom II, design §2 lock 2-3), in doubles, for comparison only.
// Same construction as the executable kernel with the two analytic substitutions:
//   softmax of the geometric logits instead of sparsemax, with Q_h formed through the
//   transcendental route sinh^2(arcosh <q~_i, q~_j>_L);
//   the exponential valve e^{-lambda A_ij} instead of rho_ij = 1/(1 + lambda A_ij).
// It reads the exact kernel (exact -> double is the allowed direction) and produces only
// doubles; nothing here is ever fed back.
#include <array>
#include <vector>

#include "pump/kernel_builder.hpp"
#include "pump/spinor_field.hpp"

namespace obs::pump {

struct GibbsKernel {
  std::array<std::array<double, kMaxCandidates>, kVoxels> G{};  // candidate layout of ExactKernel
  double D = 1;
  double J0 = 0;          // sum over E+ of (W_ij/D)(1 - e^{-lambda A_ji})
  std::vector<double> pi;  // stationary, by GTH in doubles
};

GibbsKernel build_gibbs_kernel(const ExactKernel& k, const SpinorField& field);

// Dense double matrix in the candidate layout of `k` (rows: the given values).
std::vector<std::vector<double>> dense_double(const ExactKernel& k,
                                              const std::array<std::array<double, kMaxCandidates>, kVoxels>& rows);

}  // namespace obs::pump
