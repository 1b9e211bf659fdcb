#pragma once
// One relaxation step of the cube: an 8-colour Gauss-Seidel sweep of the fixed-point map
//   s_p <- clip(b_p + sum_d w(p, d) s_{p + offset(d)}, 0, 1)
// over every relaxing neuron (output neurons in a nudged phase minimise E + beta/2 (s - y)^2
// instead: s <- clip((field + beta y) / (1 + beta), 0, 1)). Under a face readout
// (cube_readout.hpp) the far face's fields gain the units' drive, and the units are updated as
// one more block after the planes.
//
// Why Gauss-Seidel by colour: with symmetric weights and no self-coupling the energy
//   E(s) = sum_p (s_p^2 / 2 - b_p s_p) - sum_{pairs} w_pq s_p s_q
// is a convex quadratic in each s_p alone, and the update above is its exact minimiser over
// [0, 1]. Two neurons of one colour (x & 1, y & 1, z & 1) are never neighbours, so a colour
// class is a block of independent coordinates: each class update lowers E (or leaves it),
// whatever the weights. Jacobi has no such guarantee.
//
// Order: planes of even z, then odd z (planes of one parity do not touch, so they run in
// parallel, and the result does not depend on the thread count); inside a plane, rows of
// even y then odd y; inside a row segment, even x then odd x (run as a wavefront that
// gives the same bits, see relax_step; at batch 1 all even x of a segment as one vector, then
// all odd x, again the same bits).
//
// Lazy: a block (row segment) is updated only if some block in its 3x3x3 neighbourhood
// (itself included) moved by more than tol at this step or the previous one, i.e. since
// the block's own last update. Dense updates every block.
#include <cstdint>
#include <vector>

#include "cube/cube_lattice.hpp"

namespace obs::cube {

struct RelaxStats {
  float max_ds = 0;          // largest |ds| over updated neurons and examples
  double sum_ds = 0;         // sum of |ds| over updated neurons and examples
  std::uint64_t updated = 0; // neurons updated (each for all B examples)
  std::uint64_t blocks = 0;  // blocks updated
  std::uint64_t macs = 0;    // live-synapse multiply-adds done (all examples)
  std::uint64_t dense_macs = 0;  // what a dense step does on the same cube
  bool nonfinite = false;    // a non-finite field was met (a fault inside the kernel)
  // Checkpoints (core/state_archive.hpp): field by field, so the padding is never written and
  // equal states give equal bytes.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.max_ds, self.sum_ds, self.updated, self.blocks, self.macs, self.dense_macs, self.nonfinite);
  }
};

// Fast: batch 1 runs a row segment at a time as one vector along x. Reference: one neuron at a
// time (the batch-innermost path), kept so tests can check that both give the same bits.
enum class RelaxKernel : std::uint8_t { Fast, Reference };

// partial must hold n entries (per-plane scratch, reduced in plane order).
void relax_step(Cube& c, std::int64_t t, bool lazy, float tol, std::vector<RelaxStats>& partial, RelaxStats& out,
                RelaxKernel kernel = RelaxKernel::Fast);

// Marks every relaxing block / the blocks of the output neurons as moved at step t - 1, so
// step t updates them and their neighbours (a new batch, a nudge switched on, a perturbation).
void mark_all(Cube& c, std::int64_t t);
void mark_outputs(Cube& c, std::int64_t t);
void mark_neuron(Cube& c, std::size_t p, std::int64_t t);

// E (plus beta/2 |s_out - y|^2 when beta != 0; the face readout's terms when it is on) of one
// example, in double.
double energy(const Cube& c, int example);

// Resets every non-finite state of a neuron (readout units included) to 0; returns how many
// neurons had one.
std::uint64_t quarantine_nonfinite(Cube& c);

}  // namespace obs::cube
