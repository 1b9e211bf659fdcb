#pragma once
// Runs a System on its own thread, as MuJoCo's simulate does: it steps as fast as the
// speed setting allows, edits from the UI are queued and applied between steps, and the
// render thread picks up the latest snapshot at display rate. A slow step never blocks
// the render thread, which only ever takes short locks.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/rewind_history.hpp"
#include "core/series.hpp"
#include "core/system.hpp"
#include "core/twin_pair.hpp"

namespace obs {

class SimRunner {
 public:
  struct Status {
    std::string kind;
    std::uint64_t step = 0;
    std::uint64_t seed = 0;
    double steps_per_second = 0;  // measured over the last second
    // Seconds the step under way has taken so far (0 between steps), and the last step's
    // duration: a step of seconds (eqprop with 200 layers) shows its progress by these.
    double step_running_seconds = 0, last_step_seconds = 0;
    bool playing = false;
    // The rewindable past: the run has gone as far as head_step; any step from earliest_step on
    // can be shown again (scrub_to). step < head_step while the view is in the past.
    std::uint64_t head_step = 0, earliest_step = 0;
    std::size_t rewind_checkpoints = 0;
    std::uint64_t rewind_bytes = 0, rewind_budget = 0, rewind_spacing = 1;  // bytes and budget: a kept branch's included
    bool twinned = false;  // the system is a TwinPair (fork): A and B step in lockstep
    // The future an edit in the past replaced, kept aside: it left the shared past at
    // branch_from and reached branch_head.
    bool branch_kept = false;
    std::uint64_t branch_from = 0, branch_head = 0;
  };

  // The engine's parameters and seed as of the last edit the simulation thread applied, so the
  // window can follow them (a refused edit rolled back, a reset) without ever waiting for a step.
  struct ParamsRecord {
    std::uint64_t version = 0;  // moves with every applied edit (edit, rollback, reset, replace)
    bool current = false;       // no edit was queued when it was read: this is what the engine runs
    std::uint64_t seed = 0;
    ParamSet params;    // A's when twinned: the pair's own are A's
    bool twinned = false;
    ParamSet b_params;  // B's, when twinned
  };

  // The metric history a window keeps: 65,536 steps (35 Fashion-MNIST epochs at batch 32).
  static constexpr std::size_t kHistoryRows = 1 << 16;

  explicit SimRunner(std::unique_ptr<System> system, std::size_t history_rows = kHistoryRows);
  ~SimRunner();
  SimRunner(const SimRunner&) = delete;
  SimRunner& operator=(const SimRunner&) = delete;

  void set_playing(bool playing);
  void step_once(int n = 1);
  void set_speed(double steps_per_second);  // 0 = as fast as it goes
  double speed() const { return speed_.load(); }
  // OpenMP threads the engine may use inside a step (applies to the simulation thread only):
  // the cap each parallel loop's adaptive team chooses under (core/adaptive_team.hpp). The GUI
  // asks for one by default and leaves the other cores to the renderer: OpenMP's idle workers
  // spin for a while after each loop, and on a small machine they starve Mesa's software
  // rasteriser, which no loop's own timing would notice.
  void set_worker_threads(int n);
  int worker_threads() const { return worker_threads_.load(); }

  // Runs `edit` on the simulation thread between two steps. Exceptions it throws become
  // error events; the system keeps running.
  void post(std::function<void(System&)> edit);
  // Cheap: compare with the last version adopted before asking for the record (a copy).
  std::uint64_t params_version() const;
  ParamsRecord params_record() const;
  // Swaps in a new system (a loaded scene); metric history starts again.
  void replace(std::unique_ptr<System> system);
  // Blocks until every posted edit so far has been applied (tests, scene save).
  void sync();
  // The same with a limit: false if the simulation thread did not get there in time (a hung
  // step); tests use it to fail with a message instead of hanging.
  bool sync_for(std::chrono::milliseconds limit);

  std::shared_ptr<const Snapshot> snapshot();
  Status status() const;
  std::vector<Event> take_events();
  // Calls fn with the history under its lock; keep fn short (copy out what you draw).
  void with_series(const std::function<void(const SeriesStore&)>& fn) const;
  // History recorded before the runner existed (a headless run stepped for a screenshot) goes in
  // front of its own, so the first frame's plots show the whole run. Ignored for another system's
  // metrics.
  void adopt_history(const SeriesStore& earlier);
  // Calls fn with the system on the simulation thread and waits (dump, capture_scene).
  void inspect(const std::function<void(const System&)>& fn);
  // Headless recording: runs `n` steps on the simulation thread as playing makes them (metric
  // history, rewind checkpoints), calls `after_step` there after each, publishes a snapshot of
  // the state reached and returns; so the next frame drawn shows exactly that step, which the
  // asynchronous snapshot() cannot promise. Call while paused. Rethrows what a step or
  // `after_step` threw.
  void advance(std::uint64_t n, const std::function<void(System&)>& after_step);

  // Shows the state at `step` (clamped to what the history keeps): pauses, restores the nearest
  // checkpoint at or before it and replays to it exactly. Nothing is discarded: playing or
  // stepping from the past follows the recorded run again (the engines are deterministic), and
  // the first edit made in the past forks a new branch there. The old future is kept aside
  // (its checkpoints and metric rows), one branch at a time: a later edit in the past replaces
  // it. Only the latest request counts, so a dragged timeline never queues up replays.
  void scrub_to(std::uint64_t step);
  // The kept branch: switch_branch() makes it the current one and keeps the current one aside
  // in its place, showing the same step where both have it (else the kept branch's furthest);
  // discard_branch() drops it. Queued in order with edits. A reset, another system, a fork or
  // keeping one twin drops it too (its states would not fit the run any more). While a branch
  // is kept it holds a quarter of the rewind memory and the current history the rest.
  void switch_branch();
  void discard_branch();
  // Twins: fork() makes the running system side A of a TwinPair whose side B is its deep copy;
  // from then on both step in lockstep, the metric history holds a_NAME and b_NAME (both with
  // the run's past, which the twins share) and the rewind history keeps pairs (its past is
  // converted, so the timeline still reaches before the fork). keep_side(A or B) ends it: the
  // other side is dropped and the kept side's columns take the plain names again. Both are
  // queued like edits, in order with them; forking in the past starts a new branch there.
  void fork();
  void keep_side(TwinPair::Side side);

  // The rewind history's byte budget (RewindHistory::kDefaultBudget by default).
  void set_rewind_budget(std::uint64_t bytes);

 private:
  void loop();
  void publish_locked_snapshot();
  void record_metrics();
  void publish_params_locked();  // after an applied edit, under mu_
  void publish_rewind_locked();  // the history's extent into status_, under mu_
  // Simulation thread, unlocked: an edit made in the past starts a new branch there. Given the
  // state before the edit (`before_edit`), the future after it is kept aside; else dropped.
  void fork_if_in_past(std::unique_ptr<System> before_edit);
  struct KeptBranch {
    std::uint64_t from = 0, head = 0;
    RewindHistory history;  // its checkpoints from `from` on
    SeriesStore rows;       // its metric rows after `from`
  };
  void change_branch(bool to_kept);  // switch (true) or discard (false)
  void drop_branch(const std::string& why);
  void apply_rewind_budget();
  std::optional<KeptBranch> branch_;  // simulation thread only
  void scrub(std::uint64_t target);
  // One step, simulation thread, unlocked; past the head it is recorded (metrics, checkpoint).
  void step_recorded();

  std::unique_ptr<System> system_;  // touched only by the simulation thread after start
  std::size_t history_rows_;
  std::vector<double> metric_row_;

  mutable std::mutex mu_;  // guards the queue, flags, snapshot, events and status
  std::condition_variable cv_, done_cv_;
  struct Queued {
    enum class Kind { Edit, Inspect, Fork, Keep, SwitchBranch, DiscardBranch };
    std::function<void(System&)> fn;
    Kind kind = Kind::Edit;  // Inspect reads only, so it neither forks nor checkpoints
    TwinPair::Side keep = TwinPair::Side::A;
  };
  void queue(Queued q);
  // Simulation thread: fork (true) or keep one side (false), with the series and history.
  void change_twins(bool fork, TwinPair::Side keep);
  // The series store's columns follow the system's metric list (a restart may re-declare it).
  void follow_metric_names();
  std::deque<Queued> queue_;
  bool scrub_wanted_ = false;
  std::uint64_t scrub_target_ = 0;
  std::uint64_t rewind_budget_ = RewindHistory::kDefaultBudget;  // asked for (under mu_)
  std::uint64_t budget_applied_ = RewindHistory::kDefaultBudget;  // simulation thread's copy
  bool rewind_budget_changed_ = false;
  std::uint64_t posted_ = 0, applied_ = 0;
  bool playing_ = false, quit_ = false, dirty_ = true;
  int pending_steps_ = 0;
  // Bumped by set_speed/set_playing so a paced wait (up to 1/speed seconds) wakes at once.
  std::uint64_t pacing_changes_ = 0;
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<Event> events_;
  Status status_;
  ParamsRecord params_;  // `current` is decided when read
  std::chrono::steady_clock::time_point step_began_{};  // of the step under way (under mu_)
  bool in_step_ = false;
  std::atomic<bool> snapshot_wanted_{true};
  std::atomic<double> speed_{0};
  std::atomic<int> worker_threads_{0};  // 0 = OpenMP's default

  mutable std::mutex series_mu_;
  SeriesStore series_;

  RewindHistory history_;  // simulation thread only
  std::uint64_t head_ = 0;  // the furthest step of the current branch (simulation thread)

  std::thread thread_;
};

}  // namespace obs
