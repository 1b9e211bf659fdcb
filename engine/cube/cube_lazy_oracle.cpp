#include "cube/cube_lazy_oracle.hpp"

#include <bit>
#include <cmath>

namespace obs::cube {

void LazyOracle::reset(const Cube& c) { moved_.assign(c.cells, 1); }

std::uint64_t LazyOracle::plan(const Cube& c) {
  if (moved_.size() != c.cells) reset(c);
  std::uint64_t synapses = 0;
  for (std::size_t p = 0; p < c.cells; ++p) {
    if (!c.relaxes[p]) continue;
    bool due = moved_[p] != 0;
    for (int d = 0; d < kNeighbours && !due; ++d) due = moved_[c.nbr(p, d)] != 0;
    if (due) synapses += static_cast<std::uint64_t>(std::popcount(c.mask[p]));
  }
  before_ = c.s;
  before_units_ = c.ro.r;
  // The face readout's units are few and read the whole face: the engines update them at every
  // step, and so does the oracle (their fields and the drive, as readout_step counts them).
  const std::uint64_t readout = 2 * static_cast<std::uint64_t>(c.ro.K) * static_cast<std::uint64_t>(c.ro.F);
  return (synapses + readout) * static_cast<std::uint64_t>(c.B);
}

void LazyOracle::observe(const Cube& c, float tol) {
  const auto B = static_cast<std::size_t>(c.B);
  for (std::size_t p = 0; p < c.cells; ++p) {
    bool moved = false;
    for (std::size_t b = 0; b < B && !moved; ++b) {
      // A non-finite difference counts as a move (it is one the engine must react to).
      const float ds = std::fabs(c.s[p * B + b] - before_[p * B + b]);
      moved = !(ds <= tol);
    }
    moved_[p] = moved ? 1 : 0;
  }
  // A face readout unit that moved changes the drive on the whole far face.
  bool units_moved = false;
  for (std::size_t i = 0; i < c.ro.r.size() && i < before_units_.size() && !units_moved; ++i)
    units_moved = !(std::fabs(c.ro.r[i] - before_units_[i]) <= tol);
  if (units_moved)
    for (int y = 0; y < c.n; ++y)
      for (int x = 0; x < c.n; ++x) moved_[c.idx(x, y, c.n - 1)] = 1;
}

void LazyOracle::mark_outputs(const Cube& c) {
  for (std::size_t p = 0; p < c.cells; ++p)
    if (c.out_class[p] >= 0) moved_[p] = 1;
}

}  // namespace obs::cube
