// The pump engine's costs: building the exact kernel K, solving pi exactly (GTH over GMP
// rationals, checked pi K = pi), one exact step p(t) K near the horizon, and walker
// steps per second. Systems are built the way the app builds them: a Scene through
// obs::instantiate (the scene is pump_default.json's parameters).
//
//   build-*/obs_bench --benchmark_filter=Pump --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/scene.hpp"
#include "pump/kernel_builder.hpp"
#include "pump/pump_model.hpp"
#include "pump/pump_system.hpp"
#include "pump/stationary_solver.hpp"

namespace {

using namespace obs::pump;

obs::Scene pump_scene(std::int64_t walkers, std::int64_t exact_steps) {
  obs::Scene scene;
  scene.system = "pump";
  scene.seed = 1;
  scene.params = {{"lambda", "1"}, {"A0", "1"},      {"spread", "3/4"},       {"chiral_depth", 3},
                  {"w_min", "1/4"}, {"w_max", "3/4"}, {"walkers", walkers}, {"exact_steps", exact_steps}};
  return scene;
}

PumpConfig default_config() {
  return {{*Exact::parse("1/4"), *Exact::parse("3/4")}, {Exact(1), Exact(1), *Exact::parse("3/4"), 3}};
}

// Spinor field + logits + both sparsemaxes + base + valve: everything up to K.
void BM_PumpBuildKernel(benchmark::State& state) {
  const PumpConfig cfg = default_config();
  for (auto _ : state) {
    const SpinorField f = generate_spinor_field(cfg.annulus, 1);
    benchmark::DoNotOptimize(build_kernel(f, cfg.valve));
  }
}

// Exact pi by GTH, then the exact check pi K = pi.
void BM_PumpSolvePiExact(benchmark::State& state) {
  const PumpConfig cfg = default_config();
  const auto K = dense_kernel(build_kernel(generate_spinor_field(cfg.annulus, 1), cfg.valve));
  for (auto _ : state) {
    const auto pi = stationary_exact(K);
    if (!is_stationary(K, pi)) state.SkipWithError("pi K != pi");
  }
}

// The whole reset: kernel, exact pi, currents, Gibbs comparison, Octet, parity, strings.
void BM_PumpBuildModel(benchmark::State& state) {
  const PumpConfig cfg = default_config();
  for (auto _ : state) benchmark::DoNotOptimize(build_pump_model(cfg, 1));
}

// One exact step p(t) K taken at step `range(0)` (the fractions grow with t).
void BM_PumpExactStep(benchmark::State& state) {
  const auto at = state.range(0);
  obs::Scene scene = pump_scene(0, at + 1);
  auto system = obs::instantiate(scene);
  for (std::int64_t t = 0; t < at; ++t) system->step();
  auto& pump = static_cast<obs::PumpSystem&>(*system);
  std::uint64_t steps = 0;
  for (auto _ : state) {
    state.PauseTiming();
    system->reset(1);  // restart at p(0) and walk to step `at` untimed
    for (std::int64_t t = 0; t < at; ++t) system->step();
    state.ResumeTiming();
    system->step();
    ++steps;
    if (!pump.exact_mode() && at + 1 < static_cast<std::int64_t>(scene.params["exact_steps"])) state.SkipWithError("left exact mode");
  }
  state.counters["at_step"] = static_cast<double>(at);
}

// Walker steps per second (double mode: p(t) K in doubles plus every walker sampling its
// next voxel from its row of K).
void BM_PumpWalkerSteps(benchmark::State& state) {
  const std::int64_t walkers = state.range(0);
  obs::Scene scene = pump_scene(walkers, 0);
  auto system = obs::instantiate(scene);
  for (int i = 0; i < 10; ++i) system->step();
  for (auto _ : state) {
    system->step();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * walkers);
  state.counters["walkers"] = static_cast<double>(walkers);
}

}  // namespace

BENCHMARK(BM_PumpBuildKernel)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PumpSolvePiExact)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PumpBuildModel)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PumpExactStep)->Arg(1)->Arg(16)->Arg(32)->Arg(63)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_PumpWalkerSteps)->Arg(1'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond)->UseRealTime();
