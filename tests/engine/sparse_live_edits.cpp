// The sparse system under a storm of live edits, in the order a person at the panel might make
// them: the method switched back and forth, splits, nascent layers, budget moves, the kernel and
// the rewiring period changed while it runs, faults injected. Whatever the sequence, the chain
// stays a valid chain (each layer's CSR well formed, each layer reading what the one before
// writes), no unit loses its last input to the planner, and the weights stay finite.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "scene_test_support.hpp"
#include "sparse/sparse_system.hpp"

namespace {

// Empty when the chain is well formed, else what is wrong.
std::string chain_fault(const obs::sparse::SparseChain& chain) {
  const auto& layers = chain.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& W = layers[l];
    const std::string where = "layer " + std::to_string(l) + ": ";
    if (l > 0 && W.cols != layers[l - 1].rows) return where + "reads " + std::to_string(W.cols) + " inputs after a layer of " + std::to_string(layers[l - 1].rows);
    if (W.row_start.size() != static_cast<std::size_t>(W.rows) + 1 || W.row_start.front() != 0 || W.row_start.back() != W.col.size())
      return where + "row offsets";
    if (W.value.size() != W.col.size() || W.bias.size() != static_cast<std::size_t>(W.rows)) return where + "value or bias sizes";
    if (!W.moment1.empty() && (W.moment1.size() != W.value.size() || W.moment2.size() != W.value.size())) return where + "Adam moments misaligned";
    for (int r = 0; r < W.rows; ++r)
      for (auto k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k) {
        if (W.col[k] >= static_cast<std::uint32_t>(W.cols)) return where + "a column out of range";
        if (k > W.row_start[static_cast<std::size_t>(r)] && W.col[k] <= W.col[k - 1]) return where + "columns not ascending";
      }
  }
  return "";
}

}  // namespace

TEST_CASE("sparse live edits: any sequence of edits and faults leaves a valid chain with finite weights") {
  int layer_changes = 0;
  for (std::uint64_t seed : {1, 2, 3, 4, 5, 6, 7, 8}) {
    CAPTURE(seed);
    auto s = scene_test::make_system<obs::SparseSystem>(
        "sparse",
        {{"dataset", "patterns"}, {"train_size", 400}, {"test_size", 80}, {"hidden_1", 16}, {"hidden_2", 12}, {"density", 0.3},
         {"batch", 10}, {"lr", 0.03}, {"method", "evidence"}, {"rewire_every", 3}, {"region_width", 4}},
        seed);
    obs::Rng pick(seed * 7919);
    const auto set = [&](const std::string& name, const nlohmann::json& v) {
      s->params().set_json(name, v, "/params/" + name);
      if (s->params().at(name).restart_) s->reset(s->seed());
      else s->apply_params();
    };
    int layer_counts_seen = 0;
    std::size_t last_layers = s->chain().layers().size();
    for (int step = 0; step < 3000; ++step) {
      CAPTURE(step);
      switch (pick.below(150)) {  // an edit every 14 steps on average
        case 0: set("method", std::vector<std::string>{"static", "set", "rigl", "evidence", "evidence"}[pick.below(5)]); break;
        case 1: set("split_every", static_cast<int>(pick.below(3))); break;
        case 2: set("nascent_after", static_cast<int>(pick.below(3))); break;
        case 3: set("budget_moves", pick.below(2) == 1); break;
        case 4: set("kernel", pick.below(2) ? "dense" : "sparse"); break;
        case 5: set("rewire_every", static_cast<int>(1 + pick.below(5))); break;
        case 6: set("optimizer", pick.below(2) ? "adam" : "sgd"); break;
        case 7: s->perturb({.kind = obs::PerturbKind::InjectNaN, .fraction = 0.05}); break;
        case 8: s->perturb({.kind = obs::PerturbKind::Ablate, .fraction = 0.1}); break;
        case 9: s->perturb({.kind = obs::PerturbKind::Noise, .amplitude = 0.05}); break;
        case 10: if (pick.below(10) == 0) set("baselines", pick.below(2) == 1); break;  // a restart
        default: break;
      }
      s->step();
      const std::string fault = chain_fault(s->chain());
      REQUIRE_MESSAGE(fault.empty(), fault);
      if (s->chain().layers().size() != last_layers) ++layer_counts_seen, last_layers = s->chain().layers().size();
      scene_test::metrics_of(*s);  // every metric readable at every step
    }
    // After the storm: the faults are gone once a training batch has run (NaN is quarantined
    // before each; a test pass takes four steps).
    for (int i = 0; i < 5; ++i) s->step();
    for (const auto& W : s->chain().layers())
      for (float w : W.value) REQUIRE(std::isfinite(w));
    layer_changes += layer_counts_seen;
    MESSAGE("seed " << seed << ": the number of layers changed " << layer_counts_seen << " times; epoch " << s->epoch()
                    << ", test accuracy " << s->test_accuracy());
  }
  CHECK(layer_changes > 0);  // nascent layers came and went under the edits
}
