#pragma once
// Currents on the stationary pump (design §6, T5; TTMPT).
//
// Net current on a face edge:  J_ab = pi_a K_ab - pi_b K_ba  (exact).
// Base-referenced pump current: J0 = sum over E+ of (W_ij / D)(1 - rho_ji), the net
// current the valve drives through the with-winding skeleton measured at the base's
// stationary measure (uniform mass 1 per voxel), before the chain re-equilibrates. It is
// a closed rational: > 0 iff some E+ edge has W_ij > 0 and lambda A_ji > 0.
// J+ = sum over E+ of J_ij is the same sum at the true pi: what the walkers measure.
// Schnakenberg entropy production sigma = sum over edges J_ab ln(pi_a K_ab / (pi_b K_ba)),
// in doubles, over edges travelled both ways (always, here: W is symmetric, rho > 0).
#include <span>
#include <vector>

#include "pump/kernel_builder.hpp"

namespace obs::pump {

struct EdgeFlow {
  int a = 0, b = 0;  // a < b, face neighbours
  int slot_ab = 0, slot_ba = 0;  // candidate slots of b in row a and of a in row b
  int drive = 0;     // +1: a -> b is in E+; -1: b -> a is; 0: unoriented or frustrated
  Exact J;           // pi_a K_ab - pi_b K_ba (> 0: net flow a -> b)
  Exact base;        // (W_ab / D)(rho_ab - rho_ba): this edge's share of J0, signed a -> b
};

struct PumpCurrents {
  std::vector<EdgeFlow> edges;  // the 144 face edges in canonical order
  Exact J0, J_plus;
  double entropy_production = 0;
};

// The 144 face edges with their slots and drive; J and entropy left empty.
std::vector<EdgeFlow> face_edges(const ExactKernel& k);

// J0 alone (no pi needed): the closed form of §6.
Exact pump_current_J0(const ExactKernel& k);

PumpCurrents compute_currents(const ExactKernel& k, std::span<const Exact> pi);

}  // namespace obs::pump
