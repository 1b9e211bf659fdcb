#pragma once
// The face readout: one readout unit per class, each coupled to every neuron of the far face
// z = n - 1 by its own learned synapse, instead of reading each class at one far-face neuron.
//
// Why: a local lattice under a Lipschitz bound attenuates its input with depth, so at 12^3 and
// beyond the class is carried by the whole far face as a pattern a few thousandths deep, not by
// any one neuron (a logistic regression on the untrained 16^3 cube's free far-face states
// separates two moons at 0.87 while a single output neuron sits at chance). A unit that sums the
// whole face can read that pattern.
//
// The units are part of the energy, so the relaxation and EqProp treat them as neurons:
//   E += sum_k (r_k^2 / 2 - b_k r_k) - sum_k sum_f u_kf r_k (s_f - mu_f)  [+ beta/2 sum_k (r_k - y_k)^2]
// with f over the far face. The offsets mu_f (a running mean of the free face states) centre the
// coupling: without them the face's common level, about 0.6 against a class signal of 0.003,
// dominates every gradient and the units learn nothing in reasonable time (Montavon & Mueller
// 2012, "Deep Boltzmann machines and the centering trick"). A unit's field is
//   b_k - sum_f u_kf mu_f + sum_f u_kf s_f,
// and a face neuron's field gains drive_f = sum_k u_kf r_k. The units are linear (not clipped to
// [0, 1] as the lattice is): a clipped unit whose field fell below 0 for every example had no
// gradient left and stayed dead, and with ten classes (targets mostly 0) that happened within an
// epoch of Fashion-MNIST, after which every test image went to one class. Units are not coupled to each other,
// so after each lattice sweep they are one more block of the Gauss-Seidel sweep and every update
// still lowers E. The coupling is part of the recurrent operator whose norm the Lipschitz bound
// holds (lipschitz_estimate, scale_recurrent).
#include <cstdint>
#include <vector>

#include "cube/cube_lattice.hpp"

namespace obs::cube {

struct RelaxStats;

// The readout's state (FaceReadout) lives in the Cube (cube_lattice.hpp).


// Sizes the readout of cube c (already shaped) for K units: u = 0, bias 0, mu 0, states 0.
void shape_readout(Cube& c, int K);
// Bytes shape_readout allocates (without allocating).
std::uint64_t readout_bytes(std::uint64_t n, std::uint64_t B, std::uint64_t K);

// The readout block of one relaxation step, after the lattice planes: every unit's exact
// (over-relaxed, nudged when c.beta != 0) minimiser given the face, then the drive. Adds
// its |dr| and multiply-adds to st; a unit that moved by more than tol marks the far face's
// blocks as moved at step t, so a lazy sweep updates them next.
void readout_step(Cube& c, std::int64_t t, float tol, RelaxStats& st);
// Recomputes the drive from the unit states (after they were written from outside the sweep).
void refresh_drive(Cube& c);
// The readout's terms of E (and of the nudge) for one example.
double readout_energy(const Cube& c, int example);
// E's gradient steps for the units, from the two phases' lattice states (a_s, c_s: cells * B)
// and unit states (a_r, c_r: K * B), with the factor k of eqprop_update:
//   du_kf = lr k mean_b(a_k (a_f - mu_f) - c_k (c_f - mu_f)),  db_k = lr k mean_b(a_k - c_k).
void readout_update(Cube& c, const float* a_s, const float* a_r, const float* c_s, const float* c_r, float lr,
                    float k);
// mu <- mu + rate (mean_b free face state - mu), with b moved so that every unit's field, and so
// the model, is unchanged: the offsets change the coordinates of learning, not what the cube computes.
void move_readout_offsets(Cube& c, const float* free_states, float rate);

}  // namespace obs::cube
