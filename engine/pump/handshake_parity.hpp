#pragma once
// Handshake parity: `torusWinding(mantle) % 7 == core` (design §1.1, §8), made precise.
//
// A node's packet state is a distribution x over the 64 voxels (pi, a row of K, or p(t)).
// Read each x_i as a point on the circle R/Z, one full turn = all the mass, so the mantle
// state is a point of the 56-torus and its winding along the diagonal cycle is
// sum_{mantle} x_i turns. Counting it in integer steps needs a common unit:
//   ALIGN   L = lcm of the denominators of every value both nodes hold (for a double,
//           its exact dyadic value m 2^e is what is read: that is what the bits say);
//   N_i     = L x_i, an integer;
//   winding = sum over mantle voxels of N_i  (the receiver counts it from its own state);
//   core    = (L - sum over core voxels of N_i) mod 7  (the sender declares it from its own);
//   parity holds iff winding mod 7 == core.
// Exactly, sum x_i = 1 gives winding = L - sum_core N_i, so the check holds on the rational
// kernel by construction, for any evaluation order, on any machine. A float path holds it
// only if its doubles add up to exactly 1 in real arithmetic and both nodes rounded
// alike: one low bit of difference shifts winding by a unit that 7 almost never divides,
// which is the ENTROPIC_COLLAPSE the design predicts for a softmax.
#include <gmpxx.h>

#include <span>
#include <string>

#include "pump/exact.hpp"

namespace obs::pump {

struct ParityReport {
  mpz_class L;        // the aligned unit count
  mpz_class winding;  // sum over mantle of N_i (receiver)
  int winding_mod7 = 0;
  int core = 0;       // declared by the sender
  bool holds = false;
  bool finite = true;  // false if a double was NaN or infinite (then holds is false)
};

// Both spans have 64 entries in voxel order; otherwise std::invalid_argument.
ParityReport handshake(std::span<const Exact> sender, std::span<const Exact> receiver);
ParityReport handshake(std::span<const double> sender, std::span<const double> receiver);
inline ParityReport parity(std::span<const Exact> x) { return handshake(x, x); }
inline ParityReport parity(std::span<const double> x) { return handshake(x, x); }

// The same verdict as parity(x) for doubles, in machine integers (no allocation): used
// every step once the dynamics has switched to doubles.
bool parity_holds_fast(std::span<const double> x);

// "123" or, for long integers, "…last 12 digits (N digits)".
std::string abbreviate(const mpz_class& z);

}  // namespace obs::pump
