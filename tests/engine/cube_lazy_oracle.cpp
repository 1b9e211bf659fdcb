// The ideal lazy scheduler used to measure how much laziness could save: its price of a step
// against a hand count, and its bookkeeping of what moved.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "cube/cube_lazy_oracle.hpp"
#include "cube/cube_readout.hpp"

using obs::cube::Cube;
using obs::cube::kNeighbours;
using obs::cube::LazyOracle;

namespace {

// A 4^3 cube with the input slab z = 0, batch 16, every possible synapse live.
Cube full_cube() {
  Cube c;
  c.shape(4, 16, 1);
  for (std::size_t p = 0; p < c.cells; ++p) c.mask[p] = c.possible[p];
  c.recount();
  return c;
}

}  // namespace

TEST_CASE("the lazy oracle prices a full update as the dense step") {
  Cube c = full_cube();
  LazyOracle oracle;
  oracle.reset(c);
  // After reset every neuron is due: the dense count, which for 4^3 with depth 1 is every
  // relaxing neuron's live synapses: sum over z = 1..3 of (sum_x nx)(sum_y ny)(nz) minus one per neuron.
  // sum_x nx = 2 + 3 + 3 + 2 = 10; nz = 3, 3, 2 for z = 1, 2, 3 (z = 0 exists as a neighbour).
  const std::uint64_t per_example = 10 * 10 * (3 + 3 + 2) - 48;
  CHECK(oracle.plan(c) == per_example * 16);
  CHECK(c.dense_macs == per_example);
}

TEST_CASE("the lazy oracle updates exactly the neighbourhood of what moved") {
  Cube c = full_cube();
  LazyOracle oracle;
  oracle.reset(c);
  oracle.plan(c);
  oracle.observe(c, 1e-3f);  // nothing moved
  CHECK(oracle.plan(c) == 0);

  // Neuron (1, 1, 1) moves in one example by more than tol: its relaxing neighbourhood is
  // x, y in {0, 1, 2}, z in {1, 2} (z = 0 is clamped), 18 neurons with nx ny nz - 1 synapses
  // each: (2 + 3 + 3)^2 (3 + 3) - 18 = 366.
  c.s[c.idx(1, 1, 1) * 16 + 5] = 0.5f;
  oracle.observe(c, 1e-3f);
  CHECK(oracle.plan(c) == 366u * 16u);

  // A move of exactly tol is not a move; the plan above remembered the 0.5.
  c.s[c.idx(1, 1, 1) * 16 + 5] = 0.5f + 0.001f;
  oracle.observe(c, 0.002f);
  CHECK(oracle.plan(c) == 0);

  // A NaN is a move.
  c.s[c.idx(1, 1, 1) * 16 + 5] = std::numeric_limits<float>::quiet_NaN();
  oracle.observe(c, 1e-3f);
  CHECK(oracle.plan(c) == 366u * 16u);
}

TEST_CASE("the lazy oracle wakes the outputs when a nudge starts") {
  Cube c = full_cube();
  c.out_class[c.idx(3, 3, 3)] = 0;  // a corner of the far face: itself and 7 neighbours
  LazyOracle oracle;
  oracle.reset(c);
  oracle.plan(c);
  oracle.observe(c, 1e-3f);
  oracle.mark_outputs(c);
  // x, y in {2, 3} (nx = 3, 2), z in {2, 3} (nz = 3, 2): (3 + 2)^2 (3 + 2) - 8 = 117.
  CHECK(oracle.plan(c) == 117u * 16u);
}

TEST_CASE("the lazy oracle counts the face readout every step, and a unit that moved wakes the far face") {
  Cube c = full_cube();
  obs::cube::shape_readout(c, 2);  // 2 units x 16 face neurons: 2 x 32 multiply-adds per example
  LazyOracle oracle;
  oracle.reset(c);
  oracle.plan(c);
  oracle.observe(c, 1e-3f);
  CHECK(oracle.plan(c) == 64u * 16u);  // nothing moved: only the units

  c.ro.r[3] = 0.5f;  // unit 0, example 3
  oracle.observe(c, 1e-3f);
  // The far face z = 3 is due, and so is every neuron next to it (z = 2): sum over z = 2, 3 of
  // (sum_x nx)(sum_y ny) nz - 16 = 10 * 10 * (3 + 2) - 32 = 468.
  CHECK(oracle.plan(c) == (468u + 64u) * 16u);
}
