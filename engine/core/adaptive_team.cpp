#include "core/adaptive_team.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

namespace obs {
namespace {

std::atomic<int> g_policy{[] {
  const char* v = std::getenv("OBS_TEAM");
  return static_cast<int>(v && std::strcmp(v, "fixed") == 0 ? AdaptiveTeam::Policy::Fixed : AdaptiveTeam::Policy::Adaptive);
}()};

}  // namespace

void AdaptiveTeam::set_policy(Policy p) { g_policy.store(static_cast<int>(p)); }
AdaptiveTeam::Policy AdaptiveTeam::policy() { return static_cast<Policy>(g_policy.load()); }

AdaptiveTeam::Run::Run(AdaptiveTeam& team, bool parallel) : team_(nullptr), size_(1) {
  if (!parallel) return;
  const int cap = omp_get_max_threads();
  if (cap <= 1) return;
  if (policy() != Policy::Adaptive) {
    team.flip_ = !team.flip_;
    size_ = policy() == Policy::Fixed || team.flip_ ? cap : 1;
    return;
  }
  team_ = &team;
  size_ = team.next_size(cap);
  start_ = std::chrono::steady_clock::now();
}

AdaptiveTeam::Run::~Run() {
  if (team_) team_->record(size_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(), work_);
}

int AdaptiveTeam::size_like(const AdaptiveTeam& leader, bool parallel) {
  if (!parallel) return 1;
  const int cap = omp_get_max_threads();
  if (policy() == Policy::Fixed) return cap;
  if (policy() == Policy::Alternate) {
    thread_local bool flip = false;
    flip = !flip;
    return flip ? cap : 1;
  }
  return leader.current_ > 1 && leader.cap_ == cap ? cap : 1;  // before the leader's first run: one
}

template <std::size_t N>
double AdaptiveTeam::cost(const std::array<Sample, N>& s, int n) {
  double seconds = 0, work = 0;
  for (int i = 0; i < n; ++i) {
    seconds += s[static_cast<std::size_t>(i)].seconds;
    work += s[static_cast<std::size_t>(i)].work;
  }
  return work > 0 ? seconds / work : seconds;
}

int AdaptiveTeam::next_size(int cap) {
  if (cap != cap_) {  // a new cap (or the first run): start over on one thread
    *this = AdaptiveTeam{};
    cap_ = cap;
    current_ = 1;
  }
  running_ = probing_ ? (current_ == 1 ? cap_ : 1) : current_;
  return running_;
}

void AdaptiveTeam::finish_probe(bool take) {
  probing_ = false;
  since_probe_ = 0;
  interval_ = std::min(4 * interval_, kMaxInterval);
  if (take) {
    current_ = current_ == 1 ? cap_ : 1;
    ++switches_;
    window_ = {};
    std::copy(probe_.begin(), probe_.begin() + probe_n_, window_.begin());
    window_n_ = probe_n_;
    window_at_ = probe_n_ % kWindow;
    chosen_cost_ = 0;
  } else {
    chosen_cost_ = cost(window_, window_n_);  // what this size costs now, load and all
  }
  probe_n_ = 0;
}

void AdaptiveTeam::record(int size, double seconds, double work) {
  if (size != running_ || cap_ <= 1 || !(work > 0) || !(seconds >= 0)) return;
  const Sample s{seconds, work};
  if (probing_) {
    const double here = cost(window_, window_n_);
    probe_[static_cast<std::size_t>(probe_n_++)] = s;
    if (probe_n_ == 1 && seconds / work > kReject * here) return finish_probe(false);
    if (probe_n_ == kProbe) finish_probe(cost(probe_, probe_n_) < kSwitch * here);
    return;
  }
  window_[static_cast<std::size_t>(window_at_)] = s;
  window_at_ = (window_at_ + 1) % kWindow;
  window_n_ = std::min(window_n_ + 1, kWindow);
  ++since_probe_;
  if (window_n_ < kWindow) return;
  const double c = cost(window_, window_n_);
  if (chosen_cost_ == 0) chosen_cost_ = c;
  double window_seconds = 0;
  for (const Sample& w : window_) window_seconds += w.seconds;
  if (current_ == 1 && window_seconds / kWindow < kMinParallelSeconds) return;  // too small to be worth a probe
  const bool load_arrived = current_ > 1 && c > kLoadRise * chosen_cost_;
  if (since_probe_ >= interval_ || load_arrived) {
    ++probes_;
    probing_ = true;
  }
}

}  // namespace obs
