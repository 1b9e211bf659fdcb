#pragma once
// The rewindable past of one run: clones of the system (System::clone) taken as it steps, kept
// within a byte budget and thinned so the recent past is dense and the far past sparse, as
// MuJoCo's simulate keeps a scrubbable history of states. Every engine is deterministic, so any
// step between two checkpoints is restored exactly by cloning the one before it and replaying.
//
// Edits (a parameter changed, a perturbation) are not replayed: the checkpoint taken right after
// an edit is where replays through it start. Should that checkpoint be thinned away, the steps
// after the edit up to the next checkpoint are no longer reachable, and restore() says so by
// stopping at the last step it can reproduce.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/system.hpp"

namespace obs {

class RewindHistory {
 public:
  static constexpr std::uint64_t kDefaultBudget = 256ull << 20;

  explicit RewindHistory(std::uint64_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}

  void set_budget(std::uint64_t bytes);
  std::uint64_t budget() const { return budget_; }
  // Forgets everything: a reset or another system starts a new run.
  void clear();

  // A clone larger than half the budget is never taken (the history then stays empty), nor one
  // that runs out of memory.
  // After each step, on the thread that steps: keeps a clone when one is due. `step_seconds` is
  // what the step took. Clones are spaced so the last 10,000 steps take a quarter of the budget,
  // or up to half where that keeps a replay under 50 ms, and never so densely that cloning costs
  // more than 5 % of stepping.
  void after_step(const System& s, double step_seconds);
  // After an edit changed the state at its current step: a checkpoint of the edited state
  // replaces any at that step, and replays never cross the edit from before it.
  void after_edit(const System& s);
  // Makes sure the state at s.steps() is a checkpoint (before scrubbing away from the head).
  void keep(const System& s);

  // The state at `target`: a clone of the latest checkpoint at or before it, stepped forward.
  // `reached` is target, or the last step before it that can be reproduced exactly (an edit
  // whose checkpoint was thinned away lies between). Null when nothing at or before target is
  // kept (target is before earliest()).
  std::unique_ptr<System> restore(std::uint64_t target, std::uint64_t& reached) const;
  // True when nothing blocks stepping from `from` to `to` (no edit in between).
  bool replayable(std::uint64_t from, std::uint64_t to) const;
  // The latest checkpoint's step at or before `step` (earliest() when none is).
  std::uint64_t checkpoint_before(std::uint64_t step) const;
  // A new branch starts at `step`: checkpoints and edits after it are dropped.
  void truncate_after(std::uint64_t step);
  // A branch's own part, moved out: the checkpoints and edits from `step` on. `state_at_step`,
  // when given, replaces the checkpoint at `step` (the state the branch left the shared past
  // in); without one, a checkpoint there stays the branch's. The part has this history's
  // budget and spacing; join() puts it back after a history that ends before `step`.
  RewindHistory split_from(std::uint64_t step, std::unique_ptr<System> state_at_step = nullptr);
  void join(RewindHistory&& part);

  // Replaces every kept state by what `convert` makes of it, then thins to the budget: a fork
  // turns each into a twin pair, keeping one side turns each pair into that side.
  void convert_states(const std::function<std::unique_ptr<System>(std::unique_ptr<System>)>& convert);

  bool empty() const { return points_.empty(); }
  std::uint64_t earliest() const { return points_.empty() ? 0 : points_.front().step; }
  std::uint64_t latest() const { return points_.empty() ? 0 : points_.back().step; }
  std::size_t count() const { return points_.size(); }
  std::uint64_t bytes() const { return bytes_; }
  // Steps between clones now (for the README's table and the timeline's tooltip).
  std::uint64_t spacing() const { return spacing_; }
  // The kept checkpoints' steps, oldest first (tests and the timeline's ticks).
  std::vector<std::uint64_t> steps() const;

 private:
  struct Point {
    std::uint64_t step = 0;
    std::uint64_t bytes = 0;
    bool after_edit = false;
    std::unique_ptr<System> state;
  };
  void add(const System& s, bool after_edit);
  void thin();
  void update_spacing();

  std::uint64_t budget_;
  std::vector<Point> points_;      // by step, oldest first
  std::vector<std::uint64_t> edits_;  // steps at which edits were applied, ascending
  std::uint64_t bytes_ = 0;
  std::uint64_t spacing_ = 1;      // steps between clones
  std::uint64_t clone_bytes_ = 0;  // of the latest clone
  double step_seconds_ = 0, clone_seconds_ = 0;  // running means
};

}  // namespace obs
