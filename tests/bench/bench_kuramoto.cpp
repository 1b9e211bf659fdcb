// Kuramoto step throughput, in oscillator-updates per second (items_per_second).
// The system is built the way the app builds it (bench_systems.hpp).
//
//   build-*/obs_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The bar: an Euler step at >= 7e8 oscillator-updates/s on the 2-core machine.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "bench_systems.hpp"

namespace {

void run(benchmark::State& state, const std::string& integrator) {
  const std::int64_t n = state.range(0);
  auto system = obs::bench::kuramoto(n, integrator);
  for (int i = 0; i < 20; ++i) system->step();  // warm caches and the OpenMP pool
  for (auto _ : state) {
    system->step();
    benchmark::ClobberMemory();
  }
  // One oscillator-update = one oscillator advanced by one full time step (all four
  // stages for RK4), so the two integrators are compared on the same footing.
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["N"] = static_cast<double>(n);
}

void BM_KuramotoEuler(benchmark::State& state) { run(state, "euler"); }
void BM_KuramotoRK4(benchmark::State& state) { run(state, "rk4"); }

}  // namespace

BENCHMARK(BM_KuramotoEuler)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_KuramotoRK4)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond)->UseRealTime();
