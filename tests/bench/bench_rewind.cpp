// Rewind: the time to show any step of the last 10,000 (clone the nearest checkpoint at or before
// it, replay to it): the path SimRunner::scrub_to takes when the timeline is dragged. The history
// is recorded first, as the app records it while the run plays, with the default 256 MB budget.
//
//   build/obs_bench --benchmark_filter=Rewind --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The bar: <= 100 ms on scenes/default.json and scenes/eqprop_moons.json.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/rewind_history.hpp"
#include "core/rng.hpp"
#include "core/scene.hpp"

namespace {

using Clock = std::chrono::steady_clock;

void BM_RewindLast10k(benchmark::State& state, const std::string& scene_name) {
  obs::Scene scene = obs::load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/" + scene_name);
  auto system = obs::instantiate(scene);
  obs::RewindHistory history;
  history.keep(*system);
  constexpr std::uint64_t kRecent = 10000;
  const std::uint64_t steps = 2 * kRecent;  // a run longer than the window, so thinning has begun where it will
  for (std::uint64_t i = 0; i < steps; ++i) {
    const auto t0 = Clock::now();
    system->step();
    history.after_step(*system, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  obs::Rng rng(11);
  std::uint64_t replayed = 0;
  double worst = 0;
  for (auto _ : state) {
    const std::uint64_t target = steps - rng.below(kRecent + 1);
    const auto t0 = Clock::now();
    std::uint64_t reached = 0;
    auto back = history.restore(target, reached);
    benchmark::DoNotOptimize(back.get());
    worst = std::max(worst, std::chrono::duration<double>(Clock::now() - t0).count());
    replayed += target - history.checkpoint_before(target);
  }
  state.counters["worst_ms"] = worst * 1e3;
  state.counters["checkpoints"] = static_cast<double>(history.count());
  state.counters["MB"] = static_cast<double>(history.bytes()) / (1 << 20);
  state.counters["spacing"] = static_cast<double>(history.spacing());
  state.counters["replayed_steps"] = static_cast<double>(replayed) / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(BM_RewindLast10k, default_json, std::string("default.json"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_RewindLast10k, eqprop_moons_json, std::string("eqprop_moons.json"))->Unit(benchmark::kMillisecond)->UseRealTime();
