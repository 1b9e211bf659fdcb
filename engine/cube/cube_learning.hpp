#pragma once
// Learning on the cube: the two-phase EqProp weight update (Scellier & Bengio 2017),
// ternary weights trained by stochastic flips, structural plasticity under a synapse
// budget, and the Lipschitz projection that keeps the relaxation a contraction.
//
// The update is local: for a synapse (p, q) and bias p,
//   dW_pq = lr * k * mean_b(a_p a_q - c_p c_q),   db_p = lr * k * mean_b(a_p - c_p)
// with (a, c, k) = (nudged, free, 1/beta) or (+beta, -beta, 1/(2 beta)) for the symmetric
// estimate. rho(s) = s because the states are already clipped to [0, 1].
#include <cstdint>
#include <vector>

#include "cube/cube_lattice.hpp"

namespace obs::cube {

struct LearnConfig {
  float lr = 0.05f;
  float k = 2.0f;            // 1/beta, or 1/(2 beta) for the symmetric estimate
  float w_in_max = 1.0f;     // bound on input-slab synapses (outside the Lipschitz operator)
  bool ternary = false;
  float scale_ff = 0, scale_in = 0;  // ternary: w = scale * t, t in {-1, 0, 1}
  bool plasticity = false;
  bool restructure = false;  // prune and grow at this update (quiet / loud relative to the plane's mean)
  float grow_ratio = 3, prune_ratio = 0.1f;
  float loud_decay = 0.1f;   // weight of the newest |grad| in the running mean
  std::uint64_t budget = 0;  // most live synapses
  std::uint64_t key = 0;     // random stream of this update (ternary flips)
  // Scratch of cells entries (the caller's, so no allocation here): bit d of moved[p], d < 13,
  // marks the pair (p, p + offset(d)) as already stepped by this update, so it is not
  // stepped again (a ternary +1 flipped to 0 must not regrow to -1 in the same update).
  std::uint32_t* moved = nullptr;
  double* plane_scratch = nullptr;  // 2 (n + 2) entries: per-plane loudness means (plasticity)
};

struct LearnStats {
  std::uint64_t flips = 0, grown = 0, pruned = 0;
};

// Updates w, bias, mask (and grad, loud) from the two phases' states a and c (cells * B).
// Returns whether the synapse set changed (the caller recounts).
bool eqprop_update(Cube& cube, const float* a, const float* c, const LearnConfig& cfg, LearnStats& stats);

// Power iteration for ||W||_2 of the symmetric operator among relaxing neurons, the face
// readout's units and their coupling included (v persists between calls as a warm start; v and u
// have cells + K entries, resized if shorter). Returns ||W v|| / ||v||.
double lipschitz_estimate(const Cube& cube, std::vector<float>& v, std::vector<float>& u, int iterations);

// Multiplies every synapse between two relaxing neurons, and the face readout's coupling, by f.
void scale_recurrent(Cube& cube, float f);

// A deterministic uniform number in [0, 1) for (key, p, d): the same draw on any thread.
float hash_uniform(std::uint64_t key, std::uint64_t p, std::uint64_t d);

}  // namespace obs::cube
