// Cube relaxation throughput in neuron-updates per second (items_per_second): one
// neuron-update = one neuron's state updated for one example. Dense updates every relaxing
// neuron each step; lazy only the row blocks near a neuron that moved by more than tol, so
// its items count the neurons it really updated, and the counter dense_equiv_per_second
// gives the dense-equivalent rate (relaxing neurons x examples per wall-clock second).
// The systems are built the way the app builds them: a Scene through obs::instantiate.
//
//   build-*/obs_bench --benchmark_filter=Cube --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// The bar: dense >= 4e8 neuron-updates/s at 32^3, batch 64, on the 2-core machine.
// Batch 1 runs the row kernel (a 16-neuron row segment per vector, cube_relax.cpp); its speed
// depends on the row copy of the weights (Cube::wrow) that the system builds through
// Cube::weights_changed(): without it the kernel gathers the weights from w, about half as fast.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench_systems.hpp"
#include "core/rng.hpp"
#include "core/scene.hpp"
#include "cube/cube_relax.hpp"
#include "cube/cube_system.hpp"

namespace {

void run(benchmark::State& state, const std::string& engine) {
  const std::int64_t n = state.range(0), batch = state.range(1);
  auto sys = obs::bench::cube(n, batch, engine);
  double updated = 0, dense = 0;
  const double per_step = static_cast<double>(sys->lattice().free_neurons) * static_cast<double>(batch);
  for (auto _ : state) {
    sys->step();
    updated += static_cast<double>(sys->last_relax().updated) * static_cast<double>(batch);
    dense += per_step;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(updated));
  state.counters["dense_equiv_per_second"] = benchmark::Counter(dense, benchmark::Counter::kIsRate);
  state.counters["active_fraction"] = dense > 0 ? updated / dense : 0.0;
}

// Whole free phases from a fresh batch to equilibrium, dense vs lazy: the wall-clock a
// relaxation really costs (the lazy engine's advantage grows as the cube settles).
void phase(benchmark::State& state, const std::string& engine) {
  const std::int64_t n = state.range(0), batch = state.range(1);
  obs::Scene scene;
  scene.system = "cube";
  scene.seed = 7;
  scene.params = {{"n", n}, {"batch", batch}, {"engine", engine}, {"train_size", 4096}, {"test_size", 0}, {"free_steps", 400}, {"tol", 1e-4}};
  auto base = obs::instantiate(scene);
  auto* sys = static_cast<obs::CubeSystem*>(base.get());
  double steps = 0, flops0 = sys->flops_effective();
  for (auto _ : state) {
    state.PauseTiming();
    while (sys->stage() != obs::CubeSystem::Stage::Free) sys->finish_phase();  // to the next batch
    flops0 = sys->flops_effective();
    state.ResumeTiming();
    steps += sys->finish_phase();
    state.PauseTiming();
    state.counters["macs_per_phase"] = sys->flops_effective() - flops0;
    state.ResumeTiming();
  }
  state.counters["steps_per_phase"] = steps / static_cast<double>(state.iterations());
}

// The batch-1 kernels alone on one random cube (weights +-0.05, all synapses live), dense
// steps: 0 = the one-neuron-at-a-time reference, 1 = row kernel gathering weights from w,
// 2 = row kernel reading the row copy. The same bits in all three (tests/engine/cube_kernel.cpp).
void BM_CubeKernelB1(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0)), kind = static_cast<int>(state.range(1));
  obs::cube::Cube c;
  c.shape(n, 1, 1);
  obs::Rng rng(7);
  for (std::size_t p = 0; p < c.cells; ++p) {
    if (!c.alive[p]) continue;
    c.bias[p] = static_cast<float>(rng.uniform(-0.2, 0.6));
    c.s[p] = static_cast<float>(rng.uniform());
    for (int d = 0; d < obs::cube::kNeighbours / 2; ++d)
      if (c.possible[p] >> d & 1u) {
        const auto v = static_cast<float>(rng.uniform(-0.05, 0.05));
        const std::size_t q = c.nbr(p, d);
        c.w[p * obs::cube::kNeighbours + static_cast<std::size_t>(d)] = v;
        c.w[q * obs::cube::kNeighbours + static_cast<std::size_t>(obs::cube::kNeighbours - 1 - d)] = v;
        c.mask[p] |= 1u << d;
        c.mask[q] |= 1u << (obs::cube::kNeighbours - 1 - d);
      }
  }
  c.recount();
  if (kind == 2) c.weights_changed();
  const auto kernel = kind == 0 ? obs::cube::RelaxKernel::Reference : obs::cube::RelaxKernel::Fast;
  std::vector<obs::cube::RelaxStats> partial(static_cast<std::size_t>(n));
  obs::cube::RelaxStats st;
  std::int64_t t = 0;
  double updated = 0;
  for (auto _ : state) {
    obs::cube::relax_step(c, t++, false, 1e-4f, partial, st, kernel);
    updated += static_cast<double>(st.updated);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(updated));
}

void BM_CubeDense(benchmark::State& state) { run(state, "dense"); }
void BM_CubeLazy(benchmark::State& state) { run(state, "lazy"); }
void BM_CubeFreePhaseDense(benchmark::State& state) { phase(state, "dense"); }
void BM_CubeFreePhaseLazy(benchmark::State& state) { phase(state, "lazy"); }

void sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {16, 32, 64})
    for (std::int64_t batch : {1, 64}) b->Args({n, batch});
}

}  // namespace

BENCHMARK(BM_CubeKernelB1)->ArgsProduct({{16, 32, 64}, {0, 1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CubeDense)->Apply(sizes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CubeLazy)->Apply(sizes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CubeFreePhaseDense)->Args({32, 64})->Args({16, 64})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(4);
BENCHMARK(BM_CubeFreePhaseLazy)->Args({32, 64})->Args({16, 64})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(4);
