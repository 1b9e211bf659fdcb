// eqprop benchmarks: relaxation sweeps per second on the 784-512-10 recipe's shapes, seconds per
// Fashion-MNIST epoch for EqProp and for the backprop baseline, and the gradient-alignment sweep
// over depth and beta (EqProp update against the reference gradient, per weight matrix).
//
//   build-*/obs_bench --benchmark_filter=EqProp                      # everything (several minutes)
//   build-*/obs_bench --benchmark_filter=EqPropRelax                 # sweeps/s
//   build-*/obs_bench --benchmark_filter=EqPropFashionEpoch          # s/epoch and test accuracy
//   build-*/obs_bench --benchmark_filter=EqPropAlignment             # the depth x beta table
//
// The epoch benchmarks read Debian's dataset-fashion-mnist; without it they are skipped with
// that message. Systems are built the way the app builds them: a Scene through obs::instantiate.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "core/rng.hpp"
#include "core/scene.hpp"
#include "eqprop/eqprop_system.hpp"
#include "eqprop/layered_net.hpp"

namespace {

using obs::eqprop::Mat;

// The scene files: by absolute path when the build defines OBS_SOURCE_DIR, otherwise relative
// to the working directory (run the benchmark from the repository root).
std::string scene_path(const char* name) {
#ifdef OBS_SOURCE_DIR
  return std::string(OBS_SOURCE_DIR) + "/scenes/" + name;
#else
  return std::string("scenes/") + name;
#endif
}

// One free-phase sweep of the 784-512-10 net on a batch of 50 (the recipe's shapes), with the
// clamped input projected once, as in training. Random weights; the cost does not depend on them.
void BM_EqPropRelaxSweep(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  obs::eqprop::Net net;
  net.init_shape({784, 512, 10}, obs::eqprop::Activation::HardSigmoid, obs::eqprop::Activation::Linear);
  obs::Rng rng(3);
  for (auto& W : net.W)
    for (Eigen::Index k = 0; k < W.size(); ++k) W.data()[k] = static_cast<float>(rng.uniform(-0.05, 0.05));
  Mat x(784, batch);
  for (Eigen::Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<float>(rng.uniform());
  obs::eqprop::Relaxer r(net, batch);
  r.set_input(net, x);
  r.zero_state();
  for (auto _ : state) benchmark::DoNotOptimize(r.sweep(net, 0.0f));
  state.counters["sweeps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["example_sweeps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * batch, benchmark::Counter::kIsRate);
}

// The scenes/eqprop_fashion.json network with the speed recipe, and `extra` on top.
std::unique_ptr<obs::System> fashion(const std::vector<obs::ParamOverride>& extra) {
  obs::Scene scene = obs::load_scene(scene_path("eqprop_fashion.json"));
  // The speed recipe is batch 50; the scene trains with batch 20 for accuracy. Dreams per
  // class: 0 for the recipe as it was timed before dreaming existed (a variant sets 10, as the
  // scene dreams).
  std::vector<obs::ParamOverride> sets = {{"showcase_every", "0"}, {"batch", "50"}, {"dreams", "0"}};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return obs::instantiate(scene, sets);
}

// One whole epoch of that network: 1200 mini-batches of 50 (30 free sweeps, 10 nudged), then
// the 10,000 test images, as the app runs it.
void fashion_epoch(benchmark::State& state, const std::vector<obs::ParamOverride>& extra = {}) {
  std::unique_ptr<obs::System> system;
  try {
    system = fashion(extra);
  } catch (const obs::InputError& e) {
    state.SkipWithError(e.what());
    return;
  }
  auto* s = dynamic_cast<obs::EqPropSystem*>(system.get());
  for (auto _ : state) {
    const int start = s->epoch();
    while (s->epoch() == start) s->step();
  }
  state.counters["test_accuracy"] = s->test_accuracy();
  state.counters["epochs"] = s->epoch();
}

void BM_EqPropFashionEpoch_EqProp(benchmark::State& state) { fashion_epoch(state); }
void BM_EqPropFashionEpoch_Backprop(benchmark::State& state) { fashion_epoch(state, {{"algorithm", "backprop"}}); }
// The same epoch with the scene's dreaming (10 dreams per class after the test pass): its cost.
void BM_EqPropFashionEpoch_EqPropDreams(benchmark::State& state) { fashion_epoch(state, {{"dreams", "10"}}); }
// Single-phase learning: one relaxation of 48 sweeps under the oscillating nudge per batch.
void BM_EqPropFashionEpoch_EqPropOscillating(benchmark::State& state) { fashion_epoch(state, {{"nudge_schedule", "oscillating"}}); }
// Ternary weights by stochastic flips: a random draw per weight per batch.
void BM_EqPropFashionEpoch_EqPropTernary(benchmark::State& state) { fashion_epoch(state, {{"weights", "ternary"}}); }
// The same with sub-level counters: an int8 read and written per weight and draw.
void BM_EqPropFashionEpoch_EqPropTernaryCounters(benchmark::State& state) {
  fashion_epoch(state, {{"weights", "ternary"}, {"flip_substeps", "8"}});
}
// Homeostasis: two norms per weight layer and a pass over the hidden states per batch.
void BM_EqPropFashionEpoch_EqPropHomeostasis(benchmark::State& state) { fashion_epoch(state, {{"homeostasis", "true"}}); }

// Alignment of the EqProp update with the reference gradient (implicit differentiation at the
// free fixed point) on the 8x8 patterns, tanh, 32 units per hidden layer, relaxed tightly.
// Args: hidden layers, beta in thousandths, estimate (0 symmetric, 1 one-sided +beta). Each
// iteration trains one epoch (30 mini-batches of 20) measuring every batch. Counters: the
// worst weight matrix over the last 10 batches (cos_min, nerr_max, sign_min), the input matrix
// W_0 (farthest from the output) averaged over them, and the worst matrix at the very first
// batch, from the random initial weights (cos_min_init).
void BM_EqPropAlignment(benchmark::State& state) {
  const auto depth = state.range(0);
  const double beta = static_cast<double>(state.range(1)) / 1000.0;
  const bool symmetric = state.range(2) == 0;
  obs::Scene scene = obs::load_scene(scene_path("eqprop_gradcheck.json"));
  double cos_min = 1, nerr_max = 0, sign_min = 1, cos_w0 = 0, nerr_w0 = 0, cos_init = 1;
  int measured = 0;
  for (auto _ : state) {
    auto system = obs::instantiate(scene, {{"hidden_layers", std::to_string(depth)},
                                           {"beta", std::to_string(beta)},
                                           {"beta_mode", symmetric ? "symmetric" : "positive"},
                                           {"free_steps", "2000"},
                                           {"nudged_steps", "2000"},
                                           {"tol", "1e-6"},
                                           {"showcase_every", "0"}});
    for (int i = 0; i < 30; ++i) {
      system->step();
      const auto snap = std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(system->snapshot());
      if (i == 0)
        for (const auto& a : snap->alignment) cos_init = std::min(cos_init, a.cosine);
      if (i < 20) continue;
      for (const auto& a : snap->alignment) {
        cos_min = std::min(cos_min, a.cosine);
        nerr_max = std::max(nerr_max, a.normalised_error);
        sign_min = std::min(sign_min, a.sign_agreement);
      }
      cos_w0 += snap->alignment.front().cosine;
      nerr_w0 += snap->alignment.front().normalised_error;
      ++measured;
    }
  }
  state.counters["cos_min"] = cos_min;
  state.counters["nerr_max"] = nerr_max;
  state.counters["sign_min"] = sign_min;
  state.counters["cos_W0_mean"] = cos_w0 / std::max(1, measured);
  state.counters["nerr_W0_mean"] = nerr_w0 / std::max(1, measured);
  state.counters["cos_min_init"] = cos_init;
}

}  // namespace

BENCHMARK(BM_EqPropRelaxSweep)->Arg(50)->Arg(500)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_EqPropFashionEpoch_EqProp)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_EqPropFashionEpoch_Backprop)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_EqPropFashionEpoch_EqPropDreams)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_EqPropFashionEpoch_EqPropOscillating)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_EqPropFashionEpoch_EqPropTernary)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_EqPropFashionEpoch_EqPropTernaryCounters)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_EqPropFashionEpoch_EqPropHomeostasis)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_EqPropAlignment)
    ->ArgsProduct({{1, 2, 3, 5, 10, 20}, {500, 100, 20}, {0}})
    ->Args({50, 20, 0})
    ->Args({1, 100, 1})
    ->Args({3, 100, 1})
    ->Args({10, 100, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
