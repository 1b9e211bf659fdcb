#pragma once
// What one sweep reads and writes, gathered once per step for both kernels (resonance_sweep.cpp,
// the scalar reference; resonance_sweep_vector.cpp, the default): the step's constants in float
// and raw pointers into the state, so the loops carry no member access and no bounds checks.
#include <algorithm>
#include <cstdint>
#include <iterator>

#include "resonance/resonance_system.hpp"

namespace obs {

struct ResonanceSystem::SweepArgs {
  std::size_t d, mcap, kh, blocks, cap;
  bool do_bonds;  // Eq. 13 runs this step (every r_P steps)
  bool modes;     // sum the high spectral mode's drive: an architecture check follows this step
  float dt, hP, tau_p, alpha_p, lambda_p, eps, kappa, Om, alphaA, rho, Pmin, A_retire, dither;
  AmpModel amp_model;
  bool int_phase, stream;
  std::uint64_t step, seed;
  // Carriers, per slot (prepare_carriers).
  const float *kpsi, *kisig, *kcentre, *kre, *kim, *kgate;
  // Oscillators, per slot.
  float *phase, *amp;
  const float *omega, *amp0, *drive;
  const std::uint64_t* until;
  std::uint64_t* acc;
  const std::uint64_t* inc;
  const std::uint8_t* state;
  std::uint8_t* flag;
  const std::int32_t* group;
  // Bonds, row-major N x d.
  std::int32_t* bk;
  float* bp;
  // Outputs: per block, the carrier partials (mcap x F) and the block scalars.
  float* part;
  double* blk;
};

// What one block of oscillators reports besides its carrier partials, in the order of
// ResonanceSystem::blk_ (kBlockScalars values): R's cos/sin sums, the unbound oscillators' A cos,
// A sin and A (§5.6), the genesis apex (largest unbound A and its slot), the counts of flagged,
// retired and snapped, and the stream's cos/sin sums and count.
struct BlockSums {
  double rc, rs, uc, us, ua, apexA, apexI, bad, retire, snaps, gc, gs, gn;
  void store(double* o) const {
    const double v[] = {rc, rs, uc, us, ua, apexA, apexI, bad, retire, snaps, gc, gs, gn};
    std::copy(std::begin(v), std::end(v), o);
  }
};

// One bond's contribution to its carrier's F = 12 partial sums, the same arithmetic in both
// kernels (so the carriers get the same sums from either): [0, 1] T P A e^{i phi}, the drive u_k
// (Eq. 5, gated after the sweep); [2..5] P A e^{i phi}, P A and (P A)^2 for the coherence and its
// baseline (Eq. 14-18); [6..8] the spectral weight P A T and its first two moments in omega (Eq.
// 21-23); [9] the bond count; [10, 11] the drive again when the oscillator is in the high
// spectral mode (`high`: omega at or above the carrier's centre, summed before an architecture
// check).
inline void add_bond_partials(float* p, float T, float P, float A, float c, float s, float w, bool high) {
  const float tp = T * P;
  const float tpa = tp * A, pa = P * A, paw = pa * T * w;
  p[0] += tpa * c;
  p[1] += tpa * s;
  p[2] += pa * c;
  p[3] += pa * s;
  p[4] += pa;
  p[5] += pa * pa;
  p[6] += pa * T;
  p[7] += paw;
  p[8] += paw * w;
  p[9] += 1.0f;
  if (high) {
    p[10] += tpa * c;
    p[11] += tpa * s;
  }
}

}  // namespace obs
