// Resonance step throughput and effective memory traffic, next to this machine's copy bandwidth.
//
//   build-*/obs_bench --benchmark_filter='Resonance|Memcpy' --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The bar of issue #20: N = 1e5 oscillators with 4 bonds each, >= 1000 full steps/s (bond
// updates included) on 2 cores; at N = 1e6 at least half the copy traffic of BM_Memcpy (about
// 7 ms). Each size runs with the vector kernel (the default) and the scalar one it is tested
// against (tests/engine/resonance_kernels.cpp). The bytes a step touches
// are counted from the layout: per live oscillator it reads phase, omega, A, A0, drive (5 x 4 B),
// drive_until (8 B), state (1 B), group (4 B) and its row of P (d x (4 B slot + 4 B value)),
// and writes phase, A (2 x 4 B) and the d bond values (d x 4 B).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "bench_systems.hpp"

namespace {

void BM_ResonanceStep(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const bool scalar = state.range(1) != 0;
  auto system = obs::bench::resonance(n, scalar ? "scalar" : "vector");
  for (int i = 0; i < 10; ++i) system->step();
  for (auto _ : state) {
    system->step();
    benchmark::ClobberMemory();
  }
  constexpr double d = 4;
  const double bytes_per_osc = 5 * 4 + 8 + 1 + 4 + d * 8 + 2 * 4 + d * 4;
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(static_cast<std::int64_t>(static_cast<double>(state.iterations()) * static_cast<double>(n) * bytes_per_osc));
  state.counters["steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["N"] = static_cast<double>(n);
  state.SetLabel(scalar ? "scalar kernel" : "vector kernel");
}

// Copy bandwidth of this machine: a 256 MiB memcpy, far beyond the caches. bytes_per_second
// counts bytes copied; the memory traffic is twice that (read + write).
void BM_Memcpy(benchmark::State& state) {
  const std::size_t size = static_cast<std::size_t>(state.range(0));
  std::vector<char> a(size, 1), b(size, 2);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), size);
    benchmark::DoNotOptimize(b.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
  state.counters["traffic_bytes_per_s"] = benchmark::Counter(2.0 * static_cast<double>(state.iterations() * size), benchmark::Counter::kIsRate);
}

}  // namespace

// Second argument: 0 the vector kernel (the default), 1 the scalar reference kernel.
BENCHMARK(BM_ResonanceStep)->ArgsProduct({{100'000, 1'000'000}, {0, 1}})->ArgNames({"N", "scalar"})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Memcpy)->Arg(256 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();
