// One line per system: kind, one-line summary, factory; and building a system from a scene,
// the one step of loading a scene that needs to know every engine.
#include "core/registry.hpp"

#include <nlohmann/json.hpp>

#include "core/checkpoint.hpp"
#include "core/input_error.hpp"
#include "core/json_locator.hpp"
#include "core/scene.hpp"

#include "cube/cube_system.hpp"
#include "eqprop/eqprop_system.hpp"
#include "kuramoto/kuramoto_system.hpp"
#include "pump/pump_system.hpp"
#include "resonance/resonance_system.hpp"
#include "sparse/sparse_system.hpp"

namespace obs {
namespace {

// The scene's saved state, in place of a fresh start. `wanted` holds the scene's parameters with
// the overrides applied (never reset): the restart ones must be the state's, the others are
// applied to the restored state as edits.
// `byte_limit` (the fuzzer's guard) also bounds the file read: a scene may name /dev/zero.
std::unique_ptr<System> restore_scene_state(const Scene& scene, const System& wanted, const SceneLocator& at,
                                            std::uint64_t byte_limit) {
  const SceneState& st = *scene.state;
  std::string bytes;
  try {
    bytes = read_checkpoint_bytes(st.path, byte_limit != 0 ? byte_limit : kMaxCheckpointBytes);
  } catch (const std::runtime_error& e) {
    at.fail("/state/file", e.what());
  }
  if (!st.checksum.empty() && state_checksum_text(checkpoint_checksum(bytes)) != st.checksum)
    at.fail("/state/checksum", st.file + " has changed since the scene was saved: its checksum is " +
                                   state_checksum_text(checkpoint_checksum(bytes)) + ", the scene expects " + st.checksum);
  CheckpointHeader header;
  nlohmann::json saved;
  try {
    header = read_checkpoint_header(bytes);
    saved = nlohmann::json::parse(header.params_json);
  } catch (const std::exception& e) {
    at.fail("/state/file", st.file + ": " + e.what());
  }
  if (header.kind != scene.system)
    at.fail("/system", "the saved state " + st.file + " is of system " + header.kind + ", not " + scene.system);
  if (header.seed != scene.seed)
    at.fail("/seed", "the saved state " + st.file + " was run with seed " + std::to_string(header.seed) +
                         "; a restored run keeps its own random stream (remove \"state\" to start afresh with seed " +
                         std::to_string(scene.seed) + ")");
  const nlohmann::json want = wanted.params().to_json();
  std::vector<const Param*> edits;
  for (const Param& p : wanted.params().all()) {
    if (saved.contains(p.name) && saved[p.name] == want[p.name]) continue;
    if (p.restart_)
      at.fail(child_pointer("/params", p.name),
              "the saved state " + st.file + " was built with " + p.name + " = " + (saved.contains(p.name) ? saved[p.name].dump() : "nothing") +
                  ", not " + want[p.name].dump() + "; a restart parameter cannot differ from a saved state (start afresh to change it)");
    edits.push_back(&p);
  }
  std::unique_ptr<System> restored;
  try {
    restored = read_checkpoint(bytes, scene.system);
  } catch (const CheckpointError& e) {
    at.fail("/state/file", st.file + ": " + e.what());
  }
  for (const Param* p : edits) restored->params().set_json(p->name, want[p->name], child_pointer("/params", p->name));
  if (!edits.empty()) restored->apply_params();
  return restored;
}

}  // namespace

const std::vector<SystemEntry>& system_registry() {
  static const std::vector<SystemEntry> entries = {
      {"kuramoto", "mean-field Kuramoto oscillators (phase wheel)", [] { return std::make_unique<KuramotoSystem>(); }},
      {"cube", "TorEqProp on an n^3 lattice, 26-neighbour coupling, lazy relaxation (3-D neural cube)", [] { return std::make_unique<CubeSystem>(); }},
      {"eqprop", "TorEqProp: Lipschitz-bounded equilibrium propagation on layered nets (R/G/B channel heatmaps)", [] { return std::make_unique<EqPropSystem>(); }},
      {"resonance", "resonant compression: oscillators coupled through carriers, with mitosis, metabolism and genesis (carrier phase wheels)", [] { return std::make_unique<ResonanceSystem>(); }},
      {"pump", "torsional Markov pump, exact hyperbolic sparsemax on the 4x4x4 packet (voxel packet)", [] { return std::make_unique<PumpSystem>(); }},
      {"sparse", "sparse feed-forward networks rewired by SET or RigL, truly sparse kernels (layer masks)", [] { return std::make_unique<SparseSystem>(); }},
  };
  return entries;
}

std::unique_ptr<System> make_system(const std::string& kind) {
  for (const auto& e : system_registry())
    if (e.kind == kind) return e.make();
  return nullptr;
}

std::unique_ptr<System> instantiate(Scene& scene, const std::vector<ParamOverride>& overrides,
                                    std::uint64_t byte_limit) {
  const SceneLocator at(scene);
  auto system = make_system(scene.system);
  if (!system) {
    std::string known;
    for (const auto& e : system_registry()) known += (known.empty() ? "" : ", ") + e.kind;
    at.fail("/system", "unknown system \"" + scene.system + "\"; expected one of: " + known);
  }
  try {
    for (auto& [key, given] : scene.params.items()) {
      const std::string ptr = child_pointer("/params", key);
      std::string name = key;
      nlohmann::json value = given;
      if (const std::string* now = system->params().current_name(key)) {
        // A key an older scene version spelled otherwise; the current spelling wins if both are given.
        const bool both = scene.params.contains(*now);
        scene.warnings.push_back(at.warning(ptr, "renamed to \"" + *now + "\" in scene version 1.1; " +
                                                     (both ? "ignored, the file also gives " + *now : "read as " + *now)));
        if (both) continue;
        name = *now;
      }
      const Param* param = system->params().find(name);
      if (!param) {
        scene.warnings.push_back(at.warning(ptr, scene.system + " has no parameter \"" + name + "\"; ignored"));
        continue;
      }
      if (value.is_string())
        for (const auto& [old, now] : param->former_choices)
          if (value.get<std::string>() == old) {
            scene.warnings.push_back(at.warning(ptr, "\"" + old + "\" is spelled \"" + now + "\" since scene version 1.1; read as \"" + now + "\""));
            value = now;
          }
      system->params().set_json(name, value, ptr);
    }
  } catch (const InputError& e) {
    at.rethrow(e);
  }
  for (const auto& o : overrides) {
    std::string name = o.name;
    if (const std::string* now = system->params().current_name(name)) {
      scene.warnings.push_back("--set " + o.name + ": renamed to " + *now + " in scene version 1.1; read as " + *now);
      name = *now;
    }
    const std::string ptr = child_pointer("/params", name);
    if (!system->params().find(name))
      throw InputError(ptr, scene.system + " has no parameter \"" + o.name + "\"", {}, "--set");
    try {
      system->params().set_text(name, o.value, ptr);
    } catch (const InputError& e) {
      throw e.located("--set " + o.name + "=" + o.value, {});
    }
  }
  if (byte_limit != 0 && system->bytes_needed() > byte_limit)
    at.fail("/params", "the state needs " + std::to_string(system->bytes_needed()) + " bytes; this run allows " +
                           std::to_string(byte_limit));
  if (scene.state) return restore_scene_state(scene, *system, at, byte_limit);
  try {
    system->reset(scene.seed);
  } catch (const InputError& e) {
    at.rethrow(e);
  }
  return system;
}

}  // namespace obs
