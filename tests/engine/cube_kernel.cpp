// The cube's batch-1 kernel (a row segment as one vector along x) against the one-neuron-at-a-
// time reference path: on a random cube with dead synapses, killed neurons, an input slab and
// nudged outputs, both must give the same bits for states, per-neuron |ds|, lazy block stamps
// and step statistics, step after step, dense and lazy, plain and over-relaxed, with the
// weights read from the row copy (wrow) and gathered from w. And the system keeps that copy in
// step with w through learning.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/rng.hpp"
#include "cube/cube_relax.hpp"
#include "cube_test_util.hpp"

namespace {

using obs::cube::Cube;
using obs::cube::kNeighbours;
using obs::cube::RelaxKernel;
using obs::cube::RelaxStats;

// Side 21 gives one full 16-neuron segment and a short one of 5 per row; side 7 only short ones.
Cube random_cube(int n, float omega, std::uint64_t seed) {
  Cube c;
  c.shape(n, 1, 2);
  c.omega = omega;
  obs::Rng rng(seed);
  for (std::size_t p = 0; p < c.cells; ++p) {
    if (!c.alive[p]) continue;
    c.bias[p] = static_cast<float>(rng.uniform(-0.2, 0.6));
    c.s[p] = static_cast<float>(rng.uniform());
    for (int d = 0; d < kNeighbours / 2; ++d) {
      if (!(c.possible[p] >> d & 1u) || rng.uniform() < 0.25) continue;  // a quarter of the synapses dead
      const auto v = static_cast<float>(rng.uniform(-0.15, 0.15));
      c.set_synapse(p, d, v);
    }
  }
  for (std::size_t p = 0; p < c.cells; ++p)
    if (c.alive[p] && rng.uniform() < 0.05) c.alive[p] = 0;  // killed: its state must never change
  c.recount();
  const int classes = 3;
  for (int k = 0; k < classes; ++k) {
    c.out_class[c.idx(2 + 2 * k, n / 2, n - 1)] = static_cast<std::int16_t>(k);            // even x
    c.out_class[c.idx((3 + 2 * k) % n, n / 2 + 1, n - 1)] = static_cast<std::int16_t>(k);  // odd x (x = 0 at n = 7, k = 2)
    c.target.push_back(static_cast<float>(rng.uniform()));
  }
  return c;
}

// Bit-identical, except that a NaN matches any NaN: which NaN an operation on NaN returns
// (its sign, its payload) is up to the compiler's choice of instructions, and a Debug build
// picks differently from a Release one. That a state went NaN is the behaviour under test.
template <class Floats>
bool same_bits(const Floats& a, const Floats& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (std::isnan(a[i]) != std::isnan(b[i])) return false;
    } else if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) {
      return false;
    }
  }
  return true;
}

void check_same_stats(const RelaxStats& a, const RelaxStats& b) {
  CHECK(std::bit_cast<std::uint32_t>(a.max_ds) == std::bit_cast<std::uint32_t>(b.max_ds));
  CHECK(std::bit_cast<std::uint64_t>(a.sum_ds) == std::bit_cast<std::uint64_t>(b.sum_ds));
  CHECK(a.updated == b.updated);
  CHECK(a.blocks == b.blocks);
  CHECK(a.macs == b.macs);
  CHECK(a.dense_macs == b.dense_macs);
  CHECK(a.nonfinite == b.nonfinite);
}

struct Activity {
  int busy = 0;     // steps that updated some block
  int skipping = 0; // steps that updated some blocks but not all (the lazy engine at work)
};

// Runs both kernels side by side through a free phase and two nudged ones.
Activity run_both(Cube& fast, Cube& ref, bool lazy, int steps_per_phase) {
  std::vector<RelaxStats> pf(static_cast<std::size_t>(fast.n)), pr(static_cast<std::size_t>(ref.n));
  RelaxStats sf, sr;
  std::int64_t t = 0;
  Activity act;
  for (const float beta : {0.0f, 0.5f, -0.3f}) {
    fast.beta = ref.beta = beta;
    obs::cube::mark_all(fast, t);
    obs::cube::mark_all(ref, t);
    for (int k = 0; k < steps_per_phase; ++k, ++t) {
      obs::cube::relax_step(fast, t, lazy, 1e-3f, pf, sf, RelaxKernel::Fast);
      obs::cube::relax_step(ref, t, lazy, 1e-3f, pr, sr, RelaxKernel::Reference);
      CAPTURE(beta);
      CAPTURE(t);
      REQUIRE(same_bits(fast.s, ref.s));
      REQUIRE(same_bits(fast.vel0, ref.vel0));
      CHECK(fast.moved_at == ref.moved_at);
      CHECK(fast.updated_at == ref.updated_at);
      check_same_stats(sf, sr);
      if (sf.updated > 0) ++act.busy;
      if (sf.updated > 0 && sf.macs < sf.dense_macs) ++act.skipping;
    }
  }
  return act;
}

}  // namespace

TEST_CASE("batch-1 row kernel: the same bits as the one-neuron-at-a-time path (dense and lazy, omega 1 and 1.5)") {
  for (const int n : {7, 21})
    for (const bool lazy : {false, true})
      for (const float omega : {1.0f, 1.5f})
        for (const bool copy : {false, true}) {
        CAPTURE(n);
        CAPTURE(lazy);
        CAPTURE(omega);
        CAPTURE(copy);
        Cube fast = random_cube(n, omega, 11 + static_cast<std::uint64_t>(n));
        if (copy) fast.weights_changed();
        REQUIRE(fast.wrow.empty() != copy);
        Cube ref = fast;
        const Cube start = fast;
        // Fewer steps at side 21: it runs on two threads, and on a loaded machine every step's
        // join can wait a time slice.
        const Activity act = run_both(fast, ref, lazy, n < 12 ? 25 : 8);
        CHECK(act.busy >= 10);
        if (lazy) CHECK(act.skipping >= 3);
        CHECK_FALSE(same_bits(fast.s, start.s));  // the states did move
        // Killed neurons and the input slab keep their states.
        for (std::size_t p = 0; p < fast.cells; ++p)
          if (!fast.relaxes[p]) CHECK(std::bit_cast<std::uint32_t>(fast.s[p]) == std::bit_cast<std::uint32_t>(start.s[p]));
      }
}

TEST_CASE("batch-1 row kernel: the row copy holds w(p, d) lane by lane, zero past the row's end; states and copy are 64-byte aligned") {
  Cube c = random_cube(21, 1.0f, 3);
  c.weights_changed();
  REQUIRE(c.wrow.size() == static_cast<std::size_t>(21 * 21 * 2 * kNeighbours * 16));
  CHECK(reinterpret_cast<std::uintptr_t>(c.wrow.data()) % 64 == 0);
  // States too: at batch 64 every 16-example chunk is one cache line.
  for (const int B : {1, 64}) {
    Cube d;
    d.shape(9, B, 1);
    CHECK(reinterpret_cast<std::uintptr_t>(d.s.data()) % 64 == 0);
  }
  int mismatches = 0, nonzero = 0;
  for (int z = 0; z < 21; ++z)
    for (int y = 0; y < 21; ++y)
      for (int x = 0; x < 32; ++x)
        for (int d = 0; d < kNeighbours; ++d) {
          const float got = c.wrow[(c.row_block(x / 16, y, z) * kNeighbours + static_cast<std::size_t>(d)) * 16 + static_cast<std::size_t>(x % 16)];
          const float want = x < 21 ? c.w[c.idx(x, y, z) * kNeighbours + static_cast<std::size_t>(d)] : 0.0f;
          mismatches += got != want;
          nonzero += got != 0;
        }
  CHECK(mismatches == 0);
  CHECK(nonzero > 21 * 21 * 21 * 10);
}

TEST_CASE("batch-1 row kernel: a non-finite state is reported by both kernels alike") {
  Cube fast = random_cube(21, 1.0f, 5);
  fast.weights_changed();
  fast.s[fast.idx(17, 9, 10)] = std::numeric_limits<float>::quiet_NaN();
  fast.s[fast.idx(4, 3, 8)] = std::numeric_limits<float>::infinity();
  Cube ref = fast;
  std::vector<RelaxStats> pf(21), pr(21);
  RelaxStats sf, sr;
  obs::cube::relax_step(fast, 0, false, 1e-3f, pf, sf, RelaxKernel::Fast);
  obs::cube::relax_step(ref, 0, false, 1e-3f, pr, sr, RelaxKernel::Reference);
  CHECK(sf.nonfinite);
  CHECK(sr.nonfinite);
  CHECK(same_bits(fast.s, ref.s));
  CHECK(same_bits(fast.vel0, ref.vel0));
  check_same_stats(sf, sr);
}

TEST_CASE("batch-1 system: after learning and plasticity the row copy still matches w, and both kernels agree") {
  auto sys = cube_test::make({{"n", 18}, {"batch", 1}, {"step_mode", "batch"}, {"train_size", 16}, {"test_size", 0},
                              {"lr", 0.2}, {"plasticity", true}, {"plasticity_every", 1}});
  for (int k = 0; k < 4; ++k) sys->step();
  const Cube& lat = sys->lattice();
  Cube fresh = lat;
  fresh.weights_changed();
  // Empty means the system never built the copy and the kernel gathers from w, which is always
  // current; a copy that exists must be the current one.
  CHECK(!lat.wrow.empty());
  CHECK(lat.wrow == fresh.wrow);
  Cube fast = lat, ref = lat;
  const Activity act = run_both(fast, ref, false, 10);
  CHECK(act.busy > 0);
}
