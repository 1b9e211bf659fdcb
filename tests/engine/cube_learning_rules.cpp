// The cube's discrete learning rules on hand-built lattices: a ternary synapse moves one step
// per update (a +1 flipped to 0 stays 0 until a later update), and structural plasticity
// judges a synapse's loudness against its own plane, so the faint deep planes are not pruned
// wholesale.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "cube/cube_learning.hpp"

namespace {

using obs::cube::Cube;
using obs::cube::kNeighbours;

// A 6^3 cube, batch 1, every possible synapse live with weight w, all states 0.5.
Cube uniform_cube(float w) {
  Cube c;
  c.shape(6, 1, 1);
  for (std::size_t p = 0; p < c.cells; ++p) {
    c.mask[p] = c.possible[p];
    for (int d = 0; d < kNeighbours; ++d)
      if (c.possible[p] >> d & 1u) c.w[p * kNeighbours + static_cast<std::size_t>(d)] = w;
    if (c.alive[p]) c.s[p] = 0.5f;
  }
  c.recount();
  return c;
}

// The pair (p, d) with d < 13 between two relaxing neurons at z = 3.
std::pair<std::size_t, int> inner_pair(const Cube& c) {
  const std::size_t p = c.idx(2, 2, 3);
  for (int d = 0; d < kNeighbours / 2; ++d)
    if (obs::cube::neighbour_offset(d)[2] == 0 && (c.possible[p] >> d & 1u)) return {p, d};
  FAIL("no in-plane neighbour");
  return {0, 0};
}

}  // namespace

TEST_CASE("a ternary synapse moves one step per update: +1 flipped to 0 is not regrown to -1 at once") {
  const float scale = 0.25f;
  Cube c = uniform_cube(scale);
  const auto [p, d] = inner_pair(c);
  const std::size_t q = c.nbr(p, d);
  // Nudged state a: p's partner lower, so g_pq = k (a_p a_q - c_p c_q) < 0 for this pair only.
  std::vector<float> a(c.s.begin(), c.s.end()), free(c.s.begin(), c.s.end());
  a[q] = 0.0f;
  std::vector<std::uint32_t> moved(c.cells);
  obs::cube::LearnConfig cfg;
  cfg.lr = 100.0f;  // flip probability min(1, lr |g| / scale) = 1 wherever g != 0
  cfg.k = 1.0f;
  cfg.ternary = true;
  cfg.scale_ff = cfg.scale_in = scale;
  cfg.budget = c.possible_synapses();
  cfg.moved = moved.data();
  obs::cube::LearnStats stats;
  const std::size_t i = p * kNeighbours + static_cast<std::size_t>(d);

  obs::cube::eqprop_update(c, a.data(), free.data(), cfg, stats);
  CHECK(c.grad[i] < 0);
  CHECK(c.w[i] == 0.0f);  // one step: +1 -> 0 (before the fix the growth pass made it -1 here)
  CHECK(c.w[q * kNeighbours + static_cast<std::size_t>(kNeighbours - 1 - d)] == 0.0f);
  CHECK(((c.mask[p] >> d) & 1u) == 0u);
  CHECK(stats.pruned >= 1);

  cfg.key = 1;  // the next update: the same gradient takes it the next step, 0 -> -1
  obs::cube::eqprop_update(c, a.data(), free.data(), cfg, stats);
  CHECK(c.w[i] == -scale);
  CHECK(((c.mask[p] >> d) & 1u) == 1u);
}

TEST_CASE("plasticity prunes a synapse that is quiet for its plane, not one that is merely deep") {
  Cube c = uniform_cube(0.05f);
  // Loudness fades with depth as the nudge does: plane z has loudness 10^-(5 - z), one synapse
  // in plane 3 is 100 times quieter than its plane.
  for (std::size_t p = 0; p < c.cells; ++p) {
    const int z = c.coords(p)[2];
    for (int d = 0; d < kNeighbours; ++d) c.loud[p * kNeighbours + static_cast<std::size_t>(d)] = static_cast<float>(std::pow(10.0, z - 5));
  }
  const auto [p, d] = inner_pair(c);
  const std::size_t q = c.nbr(p, d);
  c.loud[p * kNeighbours + static_cast<std::size_t>(d)] = c.loud[q * kNeighbours + static_cast<std::size_t>(kNeighbours - 1 - d)] = 1e-4f;
  std::vector<float> same(c.s.begin(), c.s.end());  // no nudge: g = 0, and loud_decay 0 keeps loudness as set
  std::vector<double> planes(2 * static_cast<std::size_t>(c.P));
  obs::cube::LearnConfig cfg;
  cfg.lr = 0;
  cfg.plasticity = cfg.restructure = true;
  cfg.loud_decay = 0;
  cfg.prune_ratio = 0.1f;
  cfg.grow_ratio = 3;
  cfg.budget = c.possible_synapses();
  cfg.plane_scratch = planes.data();
  obs::cube::LearnStats stats;
  const std::uint64_t before = c.live_synapses();
  obs::cube::eqprop_update(c, same.data(), same.data(), cfg, stats);
  CHECK(((c.mask[p] >> d) & 1u) == 0u);  // the quiet one went
  CHECK(stats.pruned == 1);          // and nothing else, though planes 0-2 are 100-100,000x below the cube's mean
  CHECK(c.live_synapses() == before - 1);
}
