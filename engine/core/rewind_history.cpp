#include "core/rewind_history.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <new>

namespace obs {
namespace {

using Clock = std::chrono::steady_clock;

// The recent window the spacing is sized for: the last 10,000 steps at the spacing take at most
// a quarter of the budget, leaving the rest for the thinned far past.
constexpr double kRecentSteps = 10000;
// A restore replays at most about this long where the budget allows (the bar is 100 ms;
// half of it leaves room for a busy second core).
constexpr double kMaxReplaySeconds = 0.05;
// Cloning may cost this share of stepping.
constexpr double kCloneShare = 0.05;
// An edit's checkpoint counts as this many ordinary ones when choosing what to thin: losing it
// makes every step up to the next checkpoint unreachable, not just slower to reach.
constexpr double kEditWeight = 8;

}  // namespace

void RewindHistory::set_budget(std::uint64_t bytes) {
  budget_ = bytes;
  thin();
}

void RewindHistory::clear() {
  points_.clear();
  edits_.clear();
  bytes_ = 0;
}

std::vector<std::uint64_t> RewindHistory::steps() const {
  std::vector<std::uint64_t> out;
  out.reserve(points_.size());
  for (const Point& p : points_) out.push_back(p.step);
  return out;
}

void RewindHistory::update_spacing() {
  // Steps between clones such that the last 10,000 steps take `share` of the budget.
  const auto by_bytes = [&](double share) {
    return std::ceil(static_cast<double>(clone_bytes_) * kRecentSteps / (static_cast<double>(budget_) * share + 1));
  };
  // Steps that replay within kMaxReplaySeconds, and steps over which one clone costs kCloneShare.
  const double by_replay = step_seconds_ > 0 ? std::floor(kMaxReplaySeconds / step_seconds_) : INFINITY;
  const double by_clone_cost = step_seconds_ > 0 ? std::ceil(clone_seconds_ / (kCloneShare * step_seconds_)) : 1;
  // A quarter of the budget for the recent window, up to half where a quarter would make
  // replays longer than kMaxReplaySeconds; never so dense that cloning slows the run.
  const double spacing = std::max(by_clone_cost, std::min(by_bytes(0.25), std::max(by_replay, by_bytes(0.5))));
  spacing_ = static_cast<std::uint64_t>(std::clamp(spacing, 1.0, 1e9));
}

void RewindHistory::add(const System& s, bool after_edit) {
  // A checkpoint may take at most half the budget (two must fit): a system near the memory
  // budget is never doubled for its history.
  const std::uint64_t bytes = s.clone_bytes();
  clone_bytes_ = bytes;
  if (bytes > budget_ / 2) {
    clear();
    return;
  }
  const auto t0 = Clock::now();
  std::unique_ptr<System> copy;
  try {
    copy = s.clone();
  } catch (const std::bad_alloc&) {
    clear();  // no memory for the past: the run goes on without it
    return;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  clone_seconds_ = clone_seconds_ == 0 ? seconds : 0.9 * clone_seconds_ + 0.1 * seconds;
  update_spacing();
  // A checkpoint at the same step (taken before an edit at that step) is replaced.
  if (!points_.empty() && points_.back().step == s.steps()) {
    bytes_ -= points_.back().bytes;
    after_edit = after_edit || points_.back().after_edit;
    points_.pop_back();
  }
  points_.push_back({s.steps(), bytes, after_edit, std::move(copy)});
  bytes_ += bytes;
  thin();
}

void RewindHistory::after_step(const System& s, double step_seconds) {
  if (step_seconds > 0) {
    step_seconds_ = step_seconds_ == 0 ? step_seconds : 0.9 * step_seconds_ + 0.1 * step_seconds;
    update_spacing();
  }
  if (!points_.empty() && s.steps() <= points_.back().step) clear();  // a new run (a reset stepped on)
  if (points_.empty() || s.steps() >= points_.back().step + spacing_) add(s, false);
}

void RewindHistory::after_edit(const System& s) {
  if (!points_.empty() && s.steps() < points_.back().step) clear();  // a reset: a new run
  if (edits_.empty() || edits_.back() != s.steps()) edits_.push_back(s.steps());
  add(s, true);
}

void RewindHistory::keep(const System& s) {
  if (points_.empty() || points_.back().step != s.steps()) add(s, false);
}

void RewindHistory::convert_states(const std::function<std::unique_ptr<System>(std::unique_ptr<System>)>& convert) {
  bytes_ = 0;
  for (Point& p : points_) {
    p.state = convert(std::move(p.state));
    p.bytes = p.state->clone_bytes();
    bytes_ += p.bytes;
  }
  if (!points_.empty()) clone_bytes_ = points_.back().bytes;
  update_spacing();
  thin();
}

void RewindHistory::thin() {
  // Drop the checkpoint whose loss leaves the smallest gap for its age (gap / age), until the
  // budget holds: spacing then grows in proportion to age, so the kept steps thin out
  // geometrically into the past. The newest is never dropped (it is where play resumes); the
  // oldest only when it is the only one left besides the newest.
  while (bytes_ > budget_ && points_.size() > 1) {
    const std::uint64_t head = points_.back().step;
    std::size_t drop = 0;
    double best = INFINITY;
    for (std::size_t i = 1; i + 1 < points_.size(); ++i) {
      const double gap = static_cast<double>(points_[i + 1].step - points_[i - 1].step);
      const double age = static_cast<double>(head - points_[i].step) + 1;
      const double score = gap / age * (points_[i].after_edit ? kEditWeight : 1);
      if (score < best) {
        best = score;
        drop = i;
      }
    }
    if (points_.size() == 2) drop = 0;
    bytes_ -= points_[drop].bytes;
    points_.erase(points_.begin() + static_cast<std::ptrdiff_t>(drop));
  }
}

std::unique_ptr<System> RewindHistory::restore(std::uint64_t target, std::uint64_t& reached) const {
  reached = target;
  auto after = std::upper_bound(points_.begin(), points_.end(), target, [](std::uint64_t t, const Point& p) { return t < p.step; });
  if (after == points_.begin()) return nullptr;
  const Point& from = *std::prev(after);
  // An edit after the checkpoint and at or before the target cannot be replayed: stop before it.
  auto edit = std::upper_bound(edits_.begin(), edits_.end(), from.step);
  if (edit != edits_.end() && *edit <= target) reached = *edit - 1;
  std::unique_ptr<System> s = from.state->clone();
  while (s->steps() < reached) s->step();
  s->drain_events();  // already heard when the run first went through these steps
  return s;
}

bool RewindHistory::replayable(std::uint64_t from, std::uint64_t to) const {
  auto edit = std::upper_bound(edits_.begin(), edits_.end(), from);
  return edit == edits_.end() || *edit > to;
}

std::uint64_t RewindHistory::checkpoint_before(std::uint64_t step) const {
  auto after = std::upper_bound(points_.begin(), points_.end(), step, [](std::uint64_t t, const Point& p) { return t < p.step; });
  return after == points_.begin() ? earliest() : std::prev(after)->step;
}

void RewindHistory::truncate_after(std::uint64_t step) {
  while (!points_.empty() && points_.back().step > step) {
    bytes_ -= points_.back().bytes;
    points_.pop_back();
  }
  while (!edits_.empty() && edits_.back() > step) edits_.pop_back();
}

RewindHistory RewindHistory::split_from(std::uint64_t step, std::unique_ptr<System> state_at_step) {
  RewindHistory part(budget_);
  part.spacing_ = spacing_, part.clone_bytes_ = clone_bytes_;
  part.step_seconds_ = step_seconds_, part.clone_seconds_ = clone_seconds_;
  const auto first = std::lower_bound(points_.begin(), points_.end(), step, [](const Point& p, std::uint64_t t) { return p.step < t; });
  for (auto it = first; it != points_.end(); ++it) {
    bytes_ -= it->bytes;
    if (state_at_step && it->step == step) continue;  // replaced below
    part.bytes_ += it->bytes;
    part.points_.push_back(std::move(*it));
  }
  points_.erase(first, points_.end());
  if (state_at_step) {
    const std::uint64_t bytes = state_at_step->clone_bytes();
    part.points_.insert(part.points_.begin(), Point{step, bytes, false, std::move(state_at_step)});
    part.bytes_ += bytes;
  }
  const auto first_edit = std::lower_bound(edits_.begin(), edits_.end(), step);
  part.edits_.assign(first_edit, edits_.end());
  edits_.erase(first_edit, edits_.end());
  return part;
}

void RewindHistory::join(RewindHistory&& part) {
  for (Point& p : part.points_) {
    bytes_ += p.bytes;
    points_.push_back(std::move(p));
  }
  edits_.insert(edits_.end(), part.edits_.begin(), part.edits_.end());
  part.clear();
  thin();
}

}  // namespace obs
