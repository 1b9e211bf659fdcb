// The adaptive team's decision rule, fed wall times by hand (no clock): it starts on one
// thread, moves to the cap when the cap is faster, comes back when load arrives, keeps probing
// rarely under a steady load, compares throughput (seconds per unit of work) rather than raw
// times, and leaves a region too small to share on one thread.
#include <doctest/doctest.h>
#include <omp.h>

#include <functional>

#include "core/adaptive_team.hpp"

namespace {

using obs::AdaptiveTeam;

// Runs `runs` regions; `seconds(size)` is the wall time of a run on that many threads, `work`
// its work. Returns how many of those runs went to the cap.
int drive(AdaptiveTeam& team, int runs, const std::function<double(int)>& seconds, double work = 1) {
  int on_cap = 0;
  for (int i = 0; i < runs; ++i) {
    const int size = team.next_size(2);
    on_cap += size == 2;
    team.record(size, seconds(size) * work, work);
  }
  return on_cap;
}

}  // namespace

TEST_CASE("adaptive team: starts on one thread and moves to the cap when the cap is faster") {
  AdaptiveTeam team;
  CHECK(team.next_size(2) == 1);
  team.record(1, 1e-3, 1);
  drive(team, 7, [](int size) { return size == 1 ? 2e-3 : 1.1e-3; });  // fills the window
  CHECK(team.current() == 1);
  drive(team, 4, [](int size) { return size == 1 ? 2e-3 : 1.1e-3; });  // the probe: 4 runs on the cap
  CHECK(team.current() == 2);
  CHECK(team.switches() == 1);
  // Quiet and steady: it stays, and only rare one-thread probes (one run each, rejected at once) interrupt.
  const int on_cap = drive(team, 1000, [](int size) { return size == 1 ? 2e-3 : 1.1e-3; });
  CHECK(team.current() == 2);
  CHECK(on_cap >= 990);
}

TEST_CASE("adaptive team: load on the other core sends it back to one thread, and it stays there") {
  AdaptiveTeam team;
  drive(team, 40, [](int size) { return size == 1 ? 2e-3 : 1.1e-3; });
  REQUIRE(team.current() == 2);
  // Load arrives: two threads now wait at every barrier (10x); one thread is unaffected. The
  // rise is noticed within a window, without waiting for the probe interval.
  auto loaded = [](int size) { return size == 1 ? 2e-3 : 11e-3; };
  drive(team, 8 + 4, loaded);
  CHECK(team.current() == 1);
  // Under the steady load, the cost of probing is a handful of slow runs in a thousand.
  const int slow = drive(team, 1000, loaded);
  CHECK(team.current() == 1);
  CHECK(slow > 0);   // it does keep looking (the load may leave)
  CHECK(slow <= 6);  // intervals 8, 32, 128, 512: each rejected probe costs one run
  // The load leaves: within the next probe interval (at most 512 runs) it is back on the cap.
  drive(team, 512 + 8 + 4, [](int size) { return size == 1 ? 2e-3 : 1.1e-3; });
  CHECK(team.current() == 2);
}

TEST_CASE("adaptive team: throughput, not raw time, decides when the work per run varies") {
  // The cap does the work in 0.6x the time, but its runs happen to carry 3x more work than the
  // one-thread runs did: raw times would say "slower", seconds per unit of work says "faster".
  AdaptiveTeam team;
  drive(team, 8, [](int) { return 1e-3; }, 1.0);
  drive(team, 4, [](int size) { return size == 1 ? 1e-3 : 0.6e-3; }, 3.0);
  CHECK(team.current() == 2);
}

TEST_CASE("adaptive team: a region too small to share stays on one thread and is never probed") {
  AdaptiveTeam team;
  const int on_cap = drive(team, 2000, [](int size) { return size == 1 ? 0.2e-3 : 0.1e-3; });
  CHECK(on_cap == 0);
  CHECK(team.current() == 1);
}

TEST_CASE("adaptive team: noise does not make it flip back and forth") {
  // Two threads alternate fast and very slow runs (a busy competitor): the mean decides, and
  // the probes thin out as each is rejected.
  AdaptiveTeam team;
  int i = 0;
  drive(team, 3000, [&](int size) { return size == 1 ? 2e-3 : (++i % 2 ? 0.9e-3 : 6e-3); });
  CHECK(team.current() == 1);
  CHECK(team.switches() == 0);
}

TEST_CASE("adaptive team: a new thread cap starts the statistics over") {
  AdaptiveTeam team;
  drive(team, 40, [](int size) { return size == 1 ? 2e-3 : 1.1e-3; });
  REQUIRE(team.current() == 2);
  CHECK(team.next_size(4) == 1);  // the cap changed (the user moved "sim threads"): one thread first
  CHECK(team.current() == 1);
}

TEST_CASE("adaptive team: the policies, and followers") {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  AdaptiveTeam leader, follower;
  {
    AdaptiveTeam::Run run(leader, false);
    CHECK(run.size() == 1);  // not parallel: one thread, nothing recorded
  }
  CHECK(AdaptiveTeam::size_like(leader, true) == 1);  // the leader has not decided: one thread
  AdaptiveTeam::set_policy(AdaptiveTeam::Policy::Fixed);
  {
    AdaptiveTeam::Run run(follower, true);
    CHECK(run.size() == 2);
  }
  CHECK(AdaptiveTeam::size_like(leader, true) == 2);
  AdaptiveTeam::set_policy(AdaptiveTeam::Policy::Alternate);
  int sizes = 0;
  for (int k = 0; k < 4; ++k) {
    AdaptiveTeam::Run run(follower, true);
    sizes += run.size();
  }
  CHECK(sizes == 6);  // 1, 2, 1, 2 in some order
  AdaptiveTeam::set_policy(AdaptiveTeam::Policy::Adaptive);
  omp_set_num_threads(saved);
}
