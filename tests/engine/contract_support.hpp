#pragma once
// What the contract suites (system_contract.cpp, contract_faults.cpp) share: a small scene per
// registered system, built through the same scene path the app uses.
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/scene.hpp"

namespace obs::contract {

// Small enough that a system builds and runs 100 steps in well under a second. A system added
// to the registry without a line here fails the contract suites until it has one.
inline const std::map<std::string, nlohmann::json>& small_params() {
  static const std::map<std::string, nlohmann::json> p = {
      {"kuramoto", {{"N", 400}}},
      {"cube",
       {{"n", 6}, {"batch", 4}, {"train_size", 16}, {"test_size", 8}, {"free_steps", 20}, {"nudged_steps", 10},
        {"step_mode", "batch"}}},
      {"eqprop",
       {{"train_size", 40}, {"test_size", 20}, {"hidden_units", 8}, {"batch", 10}, {"free_steps", 10}, {"nudged_steps", 4},
        {"showcase_every", 0}, {"map_every", 0}}},
      {"resonance", {{"N", 400}, {"M0", 4}, {"r_arch", 5}}},
      {"pump", {{"walkers", 32}, {"exact_steps", 4}}},
      {"sparse", {{"dataset", "patterns"}, {"train_size", 64}, {"test_size", 32}, {"hidden_1", 16}, {"hidden_2", 8}, {"batch", 8}, {"rewire_every", 3},
                  {"method", "evidence"}, {"region_width", 4}, {"budget_scale", 1.5}}},  // the planner: the newest method (SET and RigL: sparse_system.cpp)
  };
  return p;
}

// Parameters that reach the optional parts of a state: the sparse system's planner, Δ-log and
// baselines exist only under some parameters; eqprop's per-layer metrics depend on the depth,
// its showcase and decision map on their periods; the cube's plasticity, ternary weights, face
// readout and one-relaxation-step mode each carry state of their own.
struct Variant {
  std::string label, kind;
  nlohmann::json params;
};
inline std::vector<Variant> optional_part_variants() {
  auto with = [](const std::string& kind, const nlohmann::json& extra) {
    nlohmann::json p = small_params().at(kind);
    p.update(extra);
    return p;
  };
  return {
      {"sparse, baselines + delta log + splits", "sparse", with("sparse", {{"baselines", true}, {"delta_log", 16}, {"split_every", 2}})},
      {"eqprop, three hidden layers, showcase and map", "eqprop", with("eqprop", {{"hidden_layers", 3}, {"showcase_every", 1}, {"map_every", 2}})},
      {"eqprop, random feedback, dreams", "eqprop", with("eqprop", {{"hidden_layers", 2}, {"feedback", "random"}, {"dreams", 2}, {"dream_steps", 5}})},
      {"eqprop, ternary flips, oscillating nudge, robustness with healing", "eqprop",
       with("eqprop", {{"hidden_layers", 2}, {"weights", "ternary"}, {"nudge_schedule", "oscillating"}, {"osc_period", 4},
                       {"robustness", true}, {"robust_count", 20}, {"heal_batches", 2}})},
      {"eqprop, ternary shadow", "eqprop", with("eqprop", {{"weights", "ternary"}, {"ternary_rule", "shadow"}})},
      {"eqprop, ternary flips with sub-level counters, momentum", "eqprop",
       with("eqprop", {{"weights", "ternary"}, {"flip_substeps", 4}, {"momentum", 0.9}})},
      {"eqprop, homeostasis, evolving feedback, momentum", "eqprop",
       with("eqprop", {{"hidden_layers", 2}, {"homeostasis", true}, {"feedback", "evolving"}, {"momentum", 0.9}, {"lr_first", 1e-4}, {"lr_last", 1e-4}})},  // boosted at every step
      {"cube, plasticity on ternary weights", "cube",
       with("cube", {{"plasticity", true}, {"plasticity_every", 1}, {"init_density", 0.5}, {"synapse_budget", 0.7}, {"grow_ratio", 1.2},
                     {"prune_ratio", 0.5}, {"weights", "ternary"}})},
      {"cube, one relaxation step at a time, batch 1, healing, face readout", "cube",
       with("cube", {{"step_mode", "relaxation"}, {"batch", 1}, {"heal", true}, {"readout", "face"}})},
  };
}

inline Scene small_scene(const std::string& kind, const nlohmann::json& params, std::uint64_t seed = 3) {
  const nlohmann::json doc = {{"format", "observatory-scene"}, {"version", kSceneVersion}, {"system", kind}, {"seed", seed}, {"params", params}};
  return parse_scene(doc.dump(), "contract.json");
}

inline std::unique_ptr<System> build(const std::string& kind, const nlohmann::json& params, std::uint64_t seed = 3) {
  Scene scene = small_scene(kind, params, seed);
  return instantiate(scene);
}

inline std::vector<double> metrics_of(const System& s) {
  std::vector<double> m(s.metric_names().size());
  s.metrics(m.data());
  return m;
}

// The reference for exactness checks: `s` stepped alone, its hash before the first step and
// after each (index = step).
inline std::vector<std::uint64_t> hashes_of_run(System& s, int steps) {
  std::vector<std::uint64_t> hash{s.state_hash()};
  for (int i = 0; i < steps; ++i) {
    s.step();
    hash.push_back(s.state_hash());
  }
  return hash;
}

}  // namespace obs::contract
