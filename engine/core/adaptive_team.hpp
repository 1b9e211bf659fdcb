#pragma once
// How many threads one parallel region runs on, chosen by timing the region itself.
//
// Why: on a 2-core machine with one other busy process (a browser, a compiler, this app's own
// render thread) an OpenMP region on two threads waits at every barrier for the thread that
// shares its core with the competitor, and runs 1.5-10x slower than on one thread (README,
// "Threads"). Whether the second core is free is a fact only the clock knows, and it changes
// while a run goes on, so each region measures its own wall time on one thread and on the
// thread cap (omp_get_max_threads(): what the caller or SimRunner allows) and keeps the faster.
// Results never depend on the choice: every region this guards partitions its work by a fixed
// block size and reduces in a fixed order.
//
// The rule (one object per parallel call site per system, used by one thread at a time):
//   - start on one thread (under load the cap's first runs would be the slow ones);
//   - keep the last kWindow runs of the current size and compare throughput, total seconds
//     over total work (not a median: under load two threads alternate fast and very slow runs,
//     and the slow ones are the cost);
//   - every `interval` runs, probe the other size: one run clearly slower (> kReject x the
//     current cost) rejects it at once, so a probe under load costs one slow run; otherwise
//     kProbe runs are taken and the other size wins if it costs < kSwitch x the current;
//   - each probe multiplies the interval by 4 (8, 32, 128, 512 = kMaxInterval), so under a
//     steady load probing costs about one slow run in 512, and a load that comes and goes cannot
//     make the team flip back and forth faster than that;
//   - a region whose runs take under kMinParallelSeconds on one thread stays there: what two
//     threads could save is less than one probe under load costs (a few ms, the competitor's
//     time slice);
//   - on the multi-thread size, a cost that rises above kLoadRise x the one measured when it
//     was chosen (load arrived) probes one thread at once instead of waiting for the interval.
// A region whose work varies from run to run (the lazy cube relaxes only unsettled blocks)
// reports its work. A region that runs too rarely to learn on its own (a cube's learning pass,
// once per batch) follows a frequent region of the same system whose loops are alike.
#include <array>
#include <chrono>
#include <cstdint>

namespace obs {

class AdaptiveTeam {
 public:
  static constexpr int kWindow = 8, kProbe = 4;
  static constexpr int kMinInterval = 8, kMaxInterval = 512;
  static constexpr double kReject = 1.25, kSwitch = 0.9, kLoadRise = 1.5;
  static constexpr double kMinParallelSeconds = 0.5e-3;

  // Fixed: every region runs on the thread cap (plain OpenMP: a benchmark column, a user who
  // wants it). The environment variable OBS_TEAM=fixed sets it at start-up. Alternate: each
  // run flips between one thread and the cap, so a test sees every mix of team sizes in one run.
  enum class Policy { Adaptive, Fixed, Alternate };
  static void set_policy(Policy p);
  static Policy policy();

  // One run of the region on `size()` threads; the destructor records its wall time. A region
  // too small to share (`parallel` false) runs on one thread and records nothing.
  class Run {
   public:
    Run(AdaptiveTeam& team, bool parallel);
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;
    int size() const { return size_; }
    // The work this run did, in the region's own unit (default 1): set before the Run ends.
    void work(double units) { work_ = units; }

   private:
    AdaptiveTeam* team_;
    int size_;
    double work_ = 1;
    std::chrono::steady_clock::time_point start_;
  };

  // Team size for a region that follows `leader` instead of timing itself.
  static int size_like(const AdaptiveTeam& leader, bool parallel);

  // The decision alone, separate from the clock so that tests can feed it times.
  int next_size(int cap);                              // team size for the next run (1 or cap)
  void record(int size, double seconds, double work);  // a finished run of that size
  int current() const { return current_; }             // the size the team is settled on
  std::uint64_t switches() const { return switches_; }
  std::uint64_t probes() const { return probes_; }

 private:
  struct Sample {
    double seconds = 0, work = 0;
  };
  template <std::size_t N>
  static double cost(const std::array<Sample, N>& s, int n);  // seconds per unit of work
  void finish_probe(bool take);

  int cap_ = 0;      // thread cap the statistics were taken under (they reset when it changes)
  int current_ = 0;  // settled size
  int running_ = 0;  // size handed out for the run in flight
  std::array<Sample, kWindow> window_{};
  int window_n_ = 0, window_at_ = 0;
  std::array<Sample, kProbe> probe_{};
  int probe_n_ = 0;
  bool probing_ = false;
  int interval_ = kMinInterval, since_probe_ = 0;
  double chosen_cost_ = 0;  // the cost when the current size was chosen (0: not yet known)
  std::uint64_t switches_ = 0, probes_ = 0;
  bool flip_ = false;  // Policy::Alternate
};

}  // namespace obs
