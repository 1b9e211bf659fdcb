// The rewind history: any kept step is restored exactly (the state hash the run had there),
// the budget holds and the kept steps thin out into the past, edits are never replayed across,
// a new branch drops the old future, and a branch split off and joined back restores as before. The reference is the run itself: its hash at every step.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "contract_support.hpp"
#include "core/rewind_history.hpp"
#include "core/rng.hpp"

namespace {

using obs::RewindHistory;

// A run of `steps` steps recorded into `h`, with its hash after every step (index = step).
// Each step is reported as taking `step_seconds` (1 ms: a replay of 50 steps takes 50 ms).
std::vector<std::uint64_t> record(obs::System& s, RewindHistory& h, int steps, double step_seconds = 1e-3) {
  std::vector<std::uint64_t> hash{s.state_hash()};
  h.keep(s);
  for (int i = 0; i < steps; ++i) {
    s.step();
    h.after_step(s, step_seconds);
    hash.push_back(s.state_hash());
  }
  return hash;
}

}  // namespace

TEST_CASE("rewind history: every kept step comes back with the hash the run had there") {
  for (const char* kind : {"kuramoto", "eqprop", "sparse"}) {
    CAPTURE(kind);
    auto s = obs::contract::build(kind, obs::contract::small_params().at(kind));
    RewindHistory h;
    const auto hash = record(*s, h, 300);
    CHECK(h.earliest() == 0);
    obs::Rng rng(7);
    for (int trial = 0; trial < 12; ++trial) {
      const std::uint64_t t = trial == 0 ? 0 : trial == 1 ? 300 : rng.below(301);
      CAPTURE(t);
      std::uint64_t reached = 0;
      auto back = h.restore(t, reached);
      REQUIRE(back);
      CHECK(reached == t);
      CHECK(back->steps() == t);
      CHECK(back->state_hash() == hash[t]);
    }
  }
}

TEST_CASE("rewind history: the budget holds and the past thins out geometrically") {
  auto s = obs::contract::build("kuramoto", obs::contract::small_params().at("kuramoto"));
  const std::uint64_t one = s->clone_bytes();
  // 20 clones: a quarter of them over the last 10,000 steps is a clone every 2,000, a 2 s replay
  // at 1 ms a step; so half of them, every 1,000. 100,000 steps would take 100.
  RewindHistory h(20 * one);
  const auto hash = record(*s, h, 100000);
  CHECK(h.spacing() == 1000);
  CHECK(h.bytes() <= 20 * one);
  CHECK(h.count() >= 18);
  const auto kept = h.steps();
  REQUIRE(kept.size() >= 3);
  CHECK(kept.front() == 0);       // the start stays reachable
  CHECK(kept.back() == 100000);   // so does the head
  // Gaps grow with age: the newest is the spacing, the oldest at least four times it.
  CHECK(kept[kept.size() - 1] - kept[kept.size() - 2] == 1000);
  CHECK(kept[1] - kept[0] >= 4 * 1000);
  CHECK(std::is_sorted(kept.begin(), kept.end()));
  // Still exact between the sparse old checkpoints.
  std::uint64_t reached = 0;
  auto back = h.restore(7777, reached);
  REQUIRE(back);
  CHECK(back->state_hash() == hash[7777]);
}

TEST_CASE("rewind history: an edit is where replays through it start, and a branch drops the old future") {
  auto s = obs::contract::build("kuramoto", obs::contract::small_params().at("kuramoto"));
  RewindHistory h;
  auto hash = record(*s, h, 120);
  obs::Perturbation kick;
  kick.amplitude = 0.3;
  s->perturb(kick);  // at step 120
  h.after_edit(*s);
  const std::uint64_t kicked = s->state_hash();
  for (int i = 0; i < 80; ++i) {
    s->step();
    h.after_step(*s, 1e-3);
    hash.push_back(s->state_hash());
  }
  CHECK_FALSE(h.replayable(100, 150));
  CHECK(h.replayable(120, 200));
  std::uint64_t reached = 0;
  CHECK(h.restore(120, reached)->state_hash() == kicked);
  CHECK(h.restore(170, reached)->state_hash() == hash[170]);
  CHECK(h.restore(119, reached)->state_hash() == hash[119]);

  // A new branch at 150: nothing after it is kept, and recording goes on from there.
  h.truncate_after(150);
  CHECK(h.latest() <= 150);
  CHECK(h.restore(199, reached)->steps() == 199);  // replayed from the last kept point, past the old head's checkpoints
}

TEST_CASE("rewind history: spacing follows the budget and the step's cost, and restoring before the earliest step gives nothing") {
  auto s = obs::contract::build("kuramoto", obs::contract::small_params().at("kuramoto"));
  // 8 clones. Fast steps (5 us: 5,000 replay in 25 ms): a quarter of the budget (2 clones) over
  // 10,000 steps. Not faster: the clone-cost rule (a clone per 5 % of stepping) would then set
  // the spacing from this machine's clone time (an ASan build's clone is several times slower).
  RewindHistory fast(8 * s->clone_bytes());
  record(*s, fast, 100, 5e-6);
  CHECK(fast.spacing() == 5000);
  // Slow steps (1 ms): 5,000 would replay for 5 s, so the recent window takes half (every 2,500).
  RewindHistory slow(8 * s->clone_bytes());
  record(*s, slow, 100, 1e-3);
  CHECK(slow.spacing() == 2500);
  slow.clear();
  CHECK(slow.empty());
  std::uint64_t reached = 0;
  CHECK(slow.restore(5, reached) == nullptr);
}

TEST_CASE("rewind history: a state larger than half the budget is never cloned") {
  auto s = obs::contract::build("kuramoto", obs::contract::small_params().at("kuramoto"));
  RewindHistory h(s->clone_bytes() + s->clone_bytes() / 2);
  record(*s, h, 50);
  h.after_edit(*s);
  CHECK(h.empty());
  CHECK(h.bytes() == 0);
  std::uint64_t reached = 0;
  CHECK(h.restore(10, reached) == nullptr);
}

TEST_CASE("rewind history: a branch split off and joined back restores every step as before, with its own base state") {
  auto s = obs::contract::build("kuramoto", obs::contract::small_params().at("kuramoto"));
  RewindHistory h;
  const auto hash = record(*s, h, 200);
  const std::uint64_t count = h.count();
  // The newest checkpoint: 200 unless cloning measured slow enough (a sanitized build on a busy
  // machine) to widen the spacing; then an earlier step, and the checks follow it.
  const std::uint64_t last = h.latest();
  REQUIRE(last > 100);
  std::uint64_t reached = 0;

  // Split at 90 with the state at 90 handed in (as a runner hands in the pre-edit state).
  auto at_90 = h.restore(90, reached);
  REQUIRE(reached == 90);
  RewindHistory part = h.split_from(90, std::move(at_90));
  CHECK(h.latest() < 90);
  CHECK(part.earliest() == 90);
  CHECK(part.latest() == last);
  CHECK(h.count() + part.count() >= count);
  // Nothing of the branch is reachable from the rest: restoring 150 now only replays.
  CHECK(h.restore(150, reached)->state_hash() == hash[150]);

  // Joined back: every step restores to the run's hash, and the byte count adds up.
  h.join(std::move(part));
  CHECK(part.count() == 0);
  CHECK(h.latest() == last);
  for (std::uint64_t t : {0u, 89u, 90u, 91u, 150u, 200u}) {
    CAPTURE(t);
    CHECK(h.restore(t, reached)->state_hash() == hash[t]);
  }

  // Split without a state: an edit at 120 goes with the branch, so the rest replays past it.
  obs::Perturbation kick;
  kick.amplitude = 0.3;
  auto edited = h.restore(200, reached);
  h.truncate_after(200);
  RewindHistory empty_tail = h.split_from(201);
  CHECK(empty_tail.empty());
  h.join(std::move(empty_tail));
  CHECK(h.latest() == last);
  edited->perturb(kick);
  h.after_edit(*edited);
  CHECK_FALSE(h.replayable(150, 200));
  RewindHistory edit_part = h.split_from(200);
  CHECK(h.replayable(150, 200));  // the edit left with its branch
  h.join(std::move(edit_part));
  CHECK_FALSE(h.replayable(150, 200));
  CHECK(h.restore(200, reached)->state_hash() == edited->state_hash());
}
