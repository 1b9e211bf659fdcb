#include "core/sim_runner.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <new>
#include <vector>

namespace obs {

using Clock = std::chrono::steady_clock;

SimRunner::SimRunner(std::unique_ptr<System> system, std::size_t history_rows)
    : system_(std::move(system)), history_rows_(history_rows) {
  metric_row_.resize(system_->metric_names().size());
  series_ = SeriesStore(system_->metric_names(), history_rows_, system_->metric_table().resolutions());
  status_.kind = std::string(system_->kind());
  status_.seed = system_->seed();
  status_.step = system_->steps();
  snapshot_ = system_->snapshot();
  record_metrics();
  head_ = system_->steps();
  history_.keep(*system_);
  publish_params_locked();  // no thread yet: nothing to lock against
  publish_rewind_locked();
  thread_ = std::thread([this] { loop(); });
}

SimRunner::~SimRunner() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SimRunner::set_playing(bool playing) {
  {
    std::lock_guard lock(mu_);
    playing_ = playing;
    status_.playing = playing;
    ++pacing_changes_;
  }
  cv_.notify_all();
}

void SimRunner::step_once(int n) {
  {
    std::lock_guard lock(mu_);
    pending_steps_ += n;
  }
  cv_.notify_all();
}

void SimRunner::set_speed(double steps_per_second) {
  {
    std::lock_guard lock(mu_);
    speed_.store(steps_per_second < 0 ? 0 : steps_per_second);
    ++pacing_changes_;
  }
  cv_.notify_all();
}

void SimRunner::set_worker_threads(int n) {
  worker_threads_.store(std::max(0, n));
  cv_.notify_all();
}

void SimRunner::queue(Queued q) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(q));
    ++posted_;
  }
  cv_.notify_all();
}

void SimRunner::post(std::function<void(System&)> edit) { queue({std::move(edit)}); }

void SimRunner::fork() { queue({nullptr, Queued::Kind::Fork}); }

void SimRunner::keep_side(TwinPair::Side side) { queue({nullptr, Queued::Kind::Keep, side}); }

void SimRunner::switch_branch() { queue({nullptr, Queued::Kind::SwitchBranch}); }

void SimRunner::discard_branch() { queue({nullptr, Queued::Kind::DiscardBranch}); }

void SimRunner::change_twins(bool fork, TwinPair::Side keep) {
  if (fork == (dynamic_cast<TwinPair*>(system_.get()) != nullptr)) return;  // already so
  // A kept branch's states would be of the other shape (single or pair): it goes.
  drop_branch(fork ? "forking into twins" : "keeping one twin");
  fork_if_in_past(nullptr);
  const std::uint64_t step = system_->steps();
  const char* kept = keep == TwinPair::Side::B ? "b_" : "a_";
  const auto as_pair = [](std::unique_ptr<System> s) -> std::unique_ptr<System> { return TwinPair::fork(std::move(s)); };
  const auto as_side = [keep](std::unique_ptr<System> s) -> std::unique_ptr<System> {
    auto* pair = dynamic_cast<TwinPair*>(s.get());
    return pair ? std::move(*pair).take(keep) : std::move(s);
  };
  system_ = fork ? as_pair(std::move(system_)) : as_side(std::move(system_));
  metric_row_.assign(system_->metric_names().size(), 0.0);
  std::string said;
  if (system_->steps() == step) {
    {
      std::lock_guard lock(series_mu_);
      const auto& table = system_->metric_table();
      series_ = remap_series(series_, table.names(), table.resolutions(), [&](const std::string& name) {
        return fork ? name.substr(2) : kept + name;  // a_NAME, b_NAME <- NAME; NAME <- a_NAME or b_NAME
      });
    }
    history_.convert_states(fork ? std::function(as_pair) : std::function(as_side));
    history_.keep(*system_);
    said = fork ? "forked at step " + std::to_string(step) + ": B is a copy of A; both step in lockstep"
                : std::string("kept ") + (keep == TwinPair::Side::B ? "B" : "A") + " at step " + std::to_string(step) + ", the other twin is dropped";
  } else {
    // B was restarted by an edit and counts its own steps: its past is not the pair's.
    {
      std::lock_guard lock(series_mu_);
      series_ = SeriesStore(system_->metric_names(), history_rows_, system_->metric_table().resolutions());
    }
    history_.clear();
    head_ = system_->steps();
    record_metrics();
    history_.keep(*system_);
    said = "kept B at its own step " + std::to_string(system_->steps()) + " (it was restarted): its history starts here";
  }
  std::lock_guard lock(mu_);
  events_.push_back({Event::Level::Info, system_->steps(), std::move(said)});
}

void SimRunner::follow_metric_names() {
  if (system_->metric_names() == series_.names()) return;  // only this thread replaces series_
  metric_row_.assign(system_->metric_names().size(), 0.0);
  std::lock_guard lock(series_mu_);
  series_ = remap_series(series_, system_->metric_names(), system_->metric_table().resolutions(),
                         [](const std::string& name) { return name; });
}

void SimRunner::replace(std::unique_ptr<System> system) {
  auto holder = std::make_shared<std::unique_ptr<System>>(std::move(system));
  post([this, holder](System&) {
    system_ = std::move(*holder);
    metric_row_.assign(system_->metric_names().size(), 0.0);
    {
      std::lock_guard lock(series_mu_);
      series_ = SeriesStore(system_->metric_names(), history_rows_, system_->metric_table().resolutions());
    }
    record_metrics();
  });
}

void SimRunner::sync() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = posted_;
  done_cv_.wait(lock, [&] { return applied_ >= target || quit_; });
}

bool SimRunner::sync_for(std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  const std::uint64_t target = posted_;
  return done_cv_.wait_for(lock, limit, [&] { return applied_ >= target || quit_; });
}

void SimRunner::inspect(const std::function<void(const System&)>& fn) {
  queue({[&fn](System& s) { fn(s); }, Queued::Kind::Inspect});
  sync();
}

void SimRunner::advance(std::uint64_t n, const std::function<void(System&)>& after_step) {
  std::shared_ptr<const Snapshot> snap;
  std::exception_ptr failure;
  // Not an edit (queued as a read): nothing forks, and no checkpoint is taken beyond the steps' own.
  queue({[&](System&) {
           try {
             for (std::uint64_t i = 0; i < n; ++i) {
               step_recorded();
               after_step(*system_);
             }
             snap = system_->snapshot();
             snapshot_wanted_.store(false);  // this one answers any request made so far
           } catch (...) {
             failure = std::current_exception();
           }
         },
         Queued::Kind::Inspect});
  sync();
  if (failure) std::rethrow_exception(failure);
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snap);
  dirty_ = false;  // the snapshot is of the current state: the loop need not take another
}

void SimRunner::step_recorded() {
  const auto began = Clock::now();
  system_->step();
  // Past the head, a new step: recorded. Behind it (after a rewind), the recorded run is
  // followed again and its rows and checkpoints are already there.
  if (system_->steps() > head_) {
    head_ = system_->steps();
    record_metrics();
    history_.after_step(*system_, std::chrono::duration<double>(Clock::now() - began).count());
  }
}

void SimRunner::scrub_to(std::uint64_t step) {
  {
    std::lock_guard lock(mu_);
    scrub_wanted_ = true;
    scrub_target_ = step;
    playing_ = status_.playing = false;
    pending_steps_ = 0;
    ++pacing_changes_;
  }
  cv_.notify_all();
}

void SimRunner::set_rewind_budget(std::uint64_t bytes) {
  {
    std::lock_guard lock(mu_);
    rewind_budget_ = bytes;
    rewind_budget_changed_ = true;
  }
  cv_.notify_all();
}

void SimRunner::publish_rewind_locked() {
  status_.head_step = head_;
  status_.earliest_step = history_.earliest();
  status_.rewind_checkpoints = history_.count();
  status_.rewind_bytes = history_.bytes() + (branch_ ? branch_->history.bytes() : 0);
  status_.rewind_budget = history_.budget() + (branch_ ? branch_->history.budget() : 0);
  status_.rewind_spacing = history_.spacing();
  status_.branch_kept = branch_.has_value();
  status_.branch_from = branch_ ? branch_->from : 0;
  status_.branch_head = branch_ ? branch_->head : 0;
}

void SimRunner::fork_if_in_past(std::unique_ptr<System> before_edit) {
  const std::uint64_t now = system_->steps();
  if (now >= head_) return;
  const std::uint64_t old_head = head_;
  head_ = now;
  if (before_edit && before_edit->steps() != now) before_edit.reset();  // not the state this edit left
  if (!before_edit) {
    history_.truncate_after(now);
    {
      std::lock_guard lock(series_mu_);
      series_.drop_after(now);
    }
    std::lock_guard lock(mu_);
    events_.push_back({Event::Level::Info, now, "edited in the past: a new branch starts at step " + std::to_string(now) + ", steps " +
                                                    std::to_string(now + 1) + ".." + std::to_string(old_head) + " are dropped"});
    return;
  }
  if (branch_) drop_branch("an edit in the past keeps a newer one (one is kept at a time)");
  KeptBranch kept{now, old_head, history_.split_from(now, std::move(before_edit)), {}};
  {
    std::lock_guard lock(series_mu_);
    kept.rows = series_.split_after(now);
  }
  branch_ = std::move(kept);
  apply_rewind_budget();
  std::lock_guard lock(mu_);
  events_.push_back({Event::Level::Info, now, "edited in the past: a new branch starts at step " + std::to_string(now) + "; the old one (steps " +
                                                  std::to_string(now + 1) + ".." + std::to_string(old_head) +
                                                  ") is kept: Other branch on the timeline goes back to it"});
}

void SimRunner::drop_branch(const std::string& why) {
  if (!branch_) return;
  const std::string said = "the kept branch (steps " + std::to_string(branch_->from + 1) + ".." + std::to_string(branch_->head) + ") is discarded: " + why;
  branch_.reset();
  apply_rewind_budget();
  std::lock_guard lock(mu_);
  events_.push_back({Event::Level::Info, system_->steps(), said});
}

void SimRunner::apply_rewind_budget() {
  if (!branch_) {
    history_.set_budget(budget_applied_);
    return;
  }
  history_.set_budget(budget_applied_ - budget_applied_ / 4);
  branch_->history.set_budget(budget_applied_ / 4);
}

void SimRunner::change_branch(bool to_kept) {
  if (!branch_) return;
  if (!to_kept) {
    drop_branch("asked for");
    return;
  }
  const std::uint64_t now = system_->steps(), from = branch_->from;
  if (now == head_) history_.keep(*system_);  // the current head stays one restore away
  KeptBranch other = std::move(*branch_);
  KeptBranch mine{from, head_, history_.split_from(from), {}};
  {
    std::lock_guard lock(series_mu_);
    mine.rows = series_.split_after(from);
    series_.append_rows(other.rows);
  }
  history_.join(std::move(other.history));
  head_ = other.head;
  branch_ = std::move(mine);
  apply_rewind_budget();
  // Before the fork point both branches are the same run: the view stays where it is. At it,
  // they differ by the edit made there.
  if (now >= from) {
    std::uint64_t reached = 0;
    if (auto restored = history_.restore(std::min(now, head_), reached)) system_ = std::move(restored);
  }
  system_->drain_events();  // heard when the run first went through these steps
  follow_metric_names();    // an edit on that branch may have re-declared the metrics
  std::lock_guard lock(mu_);
  events_.push_back({Event::Level::Info, system_->steps(), "switched to the other branch (steps " + std::to_string(from + 1) + ".." +
                                                               std::to_string(head_) + "); the one left (steps " + std::to_string(from + 1) +
                                                               ".." + std::to_string(branch_->head) + ") is kept"});
}

void SimRunner::scrub(std::uint64_t target) {
  target = std::clamp(target, history_.earliest(), head_);
  const std::uint64_t now = system_->steps();
  if (target == now) return;
  if (now == head_) history_.keep(*system_);  // the head stays one restore away
  // Forward along the branch, and no checkpoint nearer than where we are: step on.
  if (target > now && history_.replayable(now, target) && history_.checkpoint_before(target) <= now) {
    while (system_->steps() < target) system_->step();
  } else {
    std::uint64_t reached = target;
    if (auto restored = history_.restore(target, reached)) system_ = std::move(restored);
  }
  system_->drain_events();  // heard when the run first went through these steps
}

std::uint64_t SimRunner::params_version() const {
  std::lock_guard lock(mu_);
  return params_.version;
}

SimRunner::ParamsRecord SimRunner::params_record() const {
  std::lock_guard lock(mu_);
  ParamsRecord r = params_;
  r.current = queue_.empty() && applied_ == posted_;
  return r;
}

void SimRunner::publish_params_locked() {
  ++params_.version;
  params_.seed = system_->seed();
  params_.params = system_->params();
  const auto* pair = dynamic_cast<const TwinPair*>(system_.get());
  params_.twinned = status_.twinned = pair != nullptr;
  params_.b_params = pair ? pair->b().params() : ParamSet();
}

std::shared_ptr<const Snapshot> SimRunner::snapshot() {
  {
    // Set under the lock: set outside it, the store can fall between the loop's predicate
    // check and its wait, and the wake-up is lost until some other event.
    std::lock_guard lock(mu_);
    snapshot_wanted_.store(true);
  }
  cv_.notify_all();
  std::lock_guard lock(mu_);
  return snapshot_;
}

SimRunner::Status SimRunner::status() const {
  std::lock_guard lock(mu_);
  Status s = status_;
  if (in_step_) s.step_running_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - step_began_).count();
  return s;
}

std::vector<Event> SimRunner::take_events() {
  std::lock_guard lock(mu_);
  return std::exchange(events_, {});
}

void SimRunner::with_series(const std::function<void(const SeriesStore&)>& fn) const {
  std::lock_guard lock(series_mu_);
  fn(series_);
}

void SimRunner::adopt_history(const SeriesStore& earlier) {
  std::lock_guard lock(series_mu_);
  if (earlier.names() != series_.names() || earlier.size() == 0) return;
  SeriesStore merged(series_.names(), history_rows_, series_.resolutions());
  std::vector<double> row(series_.names().size());
  auto copy_rows = [&](const SeriesStore& from, std::uint64_t after, bool all) {
    for (std::size_t i = 0; i < from.size(); ++i) {
      if (!all && from.step_at(i) <= after) continue;
      for (std::size_t m = 0; m < row.size(); ++m) row[m] = from.value_at(i, m);
      merged.append(from.step_at(i), row.data());
    }
  };
  copy_rows(earlier, 0, true);
  copy_rows(series_, earlier.step_at(earlier.size() - 1), false);
  series_ = std::move(merged);
}

void SimRunner::record_metrics() {
  follow_metric_names();  // before writing a row of the new length
  system_->metrics(metric_row_.data());
  std::lock_guard lock(series_mu_);
  // A reset (same or new seed) starts a new run: its history must not splice onto the old one.
  if (series_.size() > 0 && system_->steps() <= series_.step_at(series_.size() - 1)) series_.clear();
  series_.append(system_->steps(), metric_row_.data());
}

void SimRunner::loop() {
  auto window_start = Clock::now();
  std::uint64_t window_steps = 0;
  auto next_tick = Clock::now();
  std::unique_lock lock(mu_);
  int threads_applied = -1;
  while (true) {
    const double speed = speed_.load();
    if (const int t = worker_threads_.load(); t != threads_applied) {
      omp_set_num_threads(t > 0 ? t : omp_get_num_procs());  // per-thread setting: ours only
      threads_applied = t;
    }
    auto has_work = [&] {
      return quit_ || !queue_.empty() || scrub_wanted_ || rewind_budget_changed_ || playing_ || pending_steps_ > 0 || (dirty_ && snapshot_wanted_.load());
    };
    if (speed > 0 && (playing_ || pending_steps_ > 0) && queue_.empty()) {
      const std::uint64_t pacing = pacing_changes_;
      cv_.wait_until(lock, next_tick, [&] { return quit_ || !queue_.empty() || pacing_changes_ != pacing; });
      if (pacing_changes_ != pacing) {
        // A new speed counts from now, not from a tick planned at the old (maybe 1 step/s) rate.
        const double new_speed = speed_.load();
        if (new_speed > 0)
          next_tick = std::min(next_tick, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                             std::chrono::duration<double>(1.0 / new_speed)));
        continue;
      }
    } else {
      cv_.wait(lock, has_work);
    }
    if (quit_) break;

    if (rewind_budget_changed_) {
      rewind_budget_changed_ = false;
      budget_applied_ = rewind_budget_;
      lock.unlock();
      apply_rewind_budget();
      lock.lock();
      publish_rewind_locked();
    }
    if (scrub_wanted_) {
      scrub_wanted_ = false;
      const std::uint64_t target = scrub_target_;
      lock.unlock();
      std::string failure;
      try {
        scrub(target);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      lock.lock();
      if (!failure.empty()) events_.push_back({Event::Level::Error, system_->steps(), "rewind failed: " + failure});
      dirty_ = true;
      status_.step = system_->steps();
      publish_rewind_locked();
    }

    // Edits first, so a step never sees half an edit.
    while (!queue_.empty()) {
      Queued edit = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      std::string failure;
      bool failed = false;
      try {
        const std::uint64_t before = system_->steps();
        const System* const was = system_.get();
        const bool twins = edit.kind == Queued::Kind::Fork || edit.kind == Queued::Kind::Keep;
        const bool branches = edit.kind == Queued::Kind::SwitchBranch || edit.kind == Queued::Kind::DiscardBranch;
        const bool edits = edit.kind == Queued::Kind::Edit || twins;
        std::unique_ptr<System> before_edit;  // in the past: the state the old future left from
        if (twins) change_twins(edit.kind == Queued::Kind::Fork, edit.keep);
        else if (branches) change_branch(edit.kind == Queued::Kind::SwitchBranch);
        else {
          // In the past, a copy of the state the edit changes keeps the old future reachable
          // (cheaper than replaying to it again afterwards).
          if (system_->steps() < head_ && !history_.empty() && edit.kind == Queued::Kind::Edit) {
            try {
              before_edit = system_->clone();
            } catch (const std::bad_alloc&) {
              // no memory for it: the old future is dropped, as it was before branches were kept
            }
          }
          edit.fn(*system_);
        }
        // A reset starts a new history at the new run's step 0 (an edit at step 0 re-records it).
        const bool new_run = !twins && !branches && (system_.get() != was || (edits && (system_->steps() < before || system_->steps() == 0)));
        if (new_run) record_metrics();
        else if (edits) follow_metric_names();
        if (edits && !twins) {  // change_twins converts the history itself
          if (new_run) {
            drop_branch("a new run");
            history_.clear();
            head_ = system_->steps();
          } else {
            fork_if_in_past(std::move(before_edit));
          }
          history_.after_edit(*system_);
        }
      } catch (const std::exception& e) {
        failed = true;
        failure = e.what();
      }
      lock.lock();
      // The error and the parameters it left are published together: whoever reads the one
      // finds the other (the App adopts the rolled-back values in the frame that logs why).
      if (failed) events_.push_back({Event::Level::Error, system_->steps(), std::move(failure)});
      ++applied_;
      publish_params_locked();
      dirty_ = true;
      status_.kind = std::string(system_->kind());
      status_.seed = system_->seed();
      status_.step = system_->steps();
      publish_rewind_locked();
      done_cv_.notify_all();
    }

    const bool stepping = playing_ || pending_steps_ > 0;
    if (stepping && (speed <= 0 || Clock::now() >= next_tick)) {
      if (pending_steps_ > 0 && !playing_) --pending_steps_;
      in_step_ = true;
      step_began_ = Clock::now();
      lock.unlock();
      bool failed = false;
      std::string failure;
      try {
        step_recorded();
      } catch (const std::exception& e) {
        failed = true;
        failure = e.what();
      }
      lock.lock();
      in_step_ = false;
      status_.last_step_seconds = std::chrono::duration<double>(Clock::now() - step_began_).count();
      if (failed) {
        playing_ = status_.playing = false;
        pending_steps_ = 0;
        events_.push_back({Event::Level::Error, system_->steps(), "step failed, paused: " + failure});
      }
      dirty_ = true;
      status_.step = system_->steps();
      publish_rewind_locked();
      ++window_steps;
      if (speed > 0) next_tick = std::max(next_tick + std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double>(1.0 / speed)),
                                          Clock::now() - std::chrono::milliseconds(100));
    } else if (!stepping) {
      next_tick = Clock::now();
    }

    for (auto& e : system_->drain_events()) events_.push_back(std::move(e));
    if (events_.size() > 1000) events_.erase(events_.begin(), events_.end() - 1000);

    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - window_start).count();
    if (elapsed >= 0.5) {
      status_.steps_per_second = static_cast<double>(window_steps) / elapsed;
      window_steps = 0;
      window_start = now;
    } else if (!stepping && elapsed > 0.25) {
      status_.steps_per_second = 0;
    }

    if (dirty_ && snapshot_wanted_.load()) {
      snapshot_wanted_.store(false);
      dirty_ = false;
      lock.unlock();
      // A snapshot copies the state: under memory pressure that copy can fail. The views then
      // keep the last picture and the person hears why, instead of the app terminating.
      std::shared_ptr<const Snapshot> snap;
      std::string failure;
      try {
        snap = system_->snapshot();
      } catch (const std::exception& e) {
        failure = e.what();
      }
      lock.lock();
      if (snap) snapshot_ = std::move(snap);
      else events_.push_back({Event::Level::Error, system_->steps(), "snapshot failed, showing the previous one: " + failure});
    }
  }
}

}  // namespace obs
