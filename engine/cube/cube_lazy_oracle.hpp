#pragma once
// How much work an ideal lazy scheduler would skip: a measuring instrument, not an engine.
//
// The lazy engine skips a whole 16-neuron row block unless a block near it moved. The question
// behind its FLOP bar is whether a finer scheduler could do much better. The oracle answers it
// for the rule the issue states, at the finest granularity and with perfect knowledge: at every
// step, a relaxing neuron is updated only if it or one of its 26 neighbours moved by more than
// tol (in any example of the batch) during the previous step, and an update costs its live
// synapses x B multiply-adds (a face readout's units are updated at every step, as the engines do).
// Nothing can skip more under that rule, and it is more optimistic
// than the rule itself (moves smaller than tol never add up). Run it along a dense relaxation
// (plan() before each step, observe() after it) and compare its total with the dense count.
#include <cstdint>
#include <vector>

#include "cube/cube_lattice.hpp"

namespace obs::cube {

class LazyOracle {
 public:
  // Every neuron counts as moved: the next plan() prices a full update.
  void reset(const Cube& c);
  // The multiply-adds the ideal scheduler would do in the coming step; remembers the states.
  std::uint64_t plan(const Cube& c);
  // Which neurons moved by more than tol since plan() (any example; every alive neuron, the
  // clamped input slab included, since a new batch rewrites it). A face readout unit that moved
  // moves the drive of the whole far face, which is then due too.
  void observe(const Cube& c, float tol);
  // A phase switched its nudge on or flipped it: the output neurons' fields changed without
  // their states changing, so they must be updated.
  void mark_outputs(const Cube& c);

 private:
  std::vector<std::uint8_t> moved_;  // cells
  AlignedFloats before_;             // cells * B, the states at plan()
  AlignedFloats before_units_;       // the face readout's unit states at plan()
};

}  // namespace obs::cube
