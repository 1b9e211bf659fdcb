// Threads: the same step on one thread, on every core with plain OpenMP, and in the default
// configuration (every core allowed, each parallel region choosing its team by timing itself:
// engine/core/adaptive_team.hpp). Run quiet and with the other core busy, in one process each:
//
//   build/obs_bench --benchmark_filter=Threads --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//   build/obs_bench --busy ...   (the same options, with a competing busy process)
//
// The bar: the default no slower than 1.25x one thread with the other core busy, and at
// least 1.6x faster than one thread on a quiet machine where the work is parallel.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "bench_systems.hpp"
#include "core/adaptive_team.hpp"

namespace {

enum class Mode { One, AllFixed, Default };

struct Workload {
  const char* name;
  std::function<std::unique_ptr<obs::System>()> make;
};

void run(benchmark::State& state, const Workload& w, Mode mode) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(mode == Mode::One ? 1 : omp_get_num_procs());
  obs::AdaptiveTeam::set_policy(mode == Mode::AllFixed ? obs::AdaptiveTeam::Policy::Fixed : obs::AdaptiveTeam::Policy::Adaptive);
  auto system = w.make();
  // Warm up for 30 steps and at least a second: caches, the thread pool, and the default's
  // teams, which settle after 8 + 4 runs of each region (README, Threads): the table is the
  // steady state of a run that has been going for a second.
  const auto warm_until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (int i = 0; i < 30 || std::chrono::steady_clock::now() < warm_until; ++i) system->step();
  for (auto _ : state) {
    system->step();
    benchmark::ClobberMemory();
  }
  obs::AdaptiveTeam::set_policy(obs::AdaptiveTeam::Policy::Adaptive);
  omp_set_num_threads(saved);
}

const int registered = [] {
  static const Workload workloads[] = {
      {"kuramoto_euler_1e6", [] { return obs::bench::kuramoto(1'000'000, "euler"); }},
      {"cube_dense_32_b64", [] { return std::unique_ptr<obs::System>(obs::bench::cube(32, 64, "dense")); }},
      {"cube_lazy_32_b64", [] { return std::unique_ptr<obs::System>(obs::bench::cube(32, 64, "lazy")); }},
      {"resonance_1e5", [] { return obs::bench::resonance(100'000); }},
      {"resonance_1e6", [] { return obs::bench::resonance(1'000'000); }},
  };
  static const std::pair<const char*, Mode> modes[] = {{"one_thread", Mode::One}, {"all_fixed", Mode::AllFixed}, {"default", Mode::Default}};
  for (const Workload& w : workloads)
    for (const auto& [label, mode] : modes)
      benchmark::RegisterBenchmark((std::string("BM_Threads/") + w.name + "/" + label).c_str(),
                                   [&w, mode = mode](benchmark::State& s) { run(s, w, mode); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
  return 0;
}();

}  // namespace
