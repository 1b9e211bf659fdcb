#pragma once
// Scene files: {"format": "observatory-scene", "version": "1.1", "system": "...",
// "seed": 1, "params": {...}, "view": {...}}, after glTF's asset/version/minVersion.
// Missing keys take their defaults; unknown keys are kept (and written back) with a
// warning; a newer minVersion is refused. Every error names its JSON pointer and line:column.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "core/json_locator.hpp"
#include "core/system.hpp"

namespace obs {

inline constexpr const char* kSceneFormat = "observatory-scene";
// What this build writes and reads. 1.1 gave shared concepts one spelling across engines
// (eqprop n_train/n_test -> train_size/test_size, cube nudge_steps -> nudged_steps, beta_mode
// "random-sign"/"fixed" -> "random_sign"/"positive"); each engine declares its former names,
// and a 1.0 scene still loads, with a warning per renamed key or value.
inline constexpr const char* kSceneVersion = "1.1";

// A trained state saved beside a scene (core/checkpoint.hpp), written in the scene as
// "state": {"file": "NAME.state", "checksum": "fnv1a64:..."}: opening the scene restores it
// instead of starting afresh.
struct SceneState {
  std::string file;      // as written: relative to the scene's folder, or absolute
  std::string checksum;  // of the whole file; empty: not checked (--load-state)
  std::string path;      // where it is read from: `file` placed against the scene's folder
};

struct Scene {
  std::string system = "kuramoto";
  std::uint64_t seed = 1;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json view = nlohmann::json::object();
  std::string description;                          // one or two sentences shown in the app
  std::optional<SceneState> state;                  // a saved state to restore, if any
  nlohmann::json extra = nlohmann::json::object();  // unknown top-level keys, kept verbatim
  std::vector<std::string> warnings;                // unknown keys and the like
  std::string source = "<scene>";                   // path, for messages
  std::string text;  // the text it was parsed from, to locate errors (empty if built in code)
};

// Errors and warnings about a scene's contents, placed in its text: "file:line:column: pointer:
// text". The text is scanned once, on the first need (a file with thousands of unknown keys must
// not be rescanned per key). Positions are empty for a scene built in code.
class SceneLocator {
 public:
  explicit SceneLocator(const Scene& scene);
  ~SceneLocator();
  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const;
  [[noreturn]] void rethrow(const InputError& e) const;
  SourcePos position(const std::string& pointer) const;
  std::string warning(const std::string& pointer, const std::string& text) const;

 private:
  const Scene& scene_;
  mutable std::unique_ptr<JsonLocator> locator_;
};

// Parses and checks the envelope (format, version gate, types of the known keys); whether the
// system exists is instantiate's question. Throws InputError with pointer and line:column.
Scene parse_scene(const std::string& text, const std::string& source = "<scene>");
Scene load_scene(const std::string& path);

// How a scene names its state file's checksum ("fnv1a64:" and 16 hex digits).
std::string state_checksum_text(std::uint64_t checksum);

// `--set NAME=VALUE` from the command line: applied after the scene's own parameters.
struct ParamOverride {
  std::string name, value;
};
// "NAME=VALUE" split at the first '='; nothing when there is no '=' or no name.
std::optional<ParamOverride> parse_override(const std::string& text);

// Defined in engine/registry.cpp, the one place that knows every engine (core does not).
// Builds the scene's system through the registry (an unknown kind is refused, listing the
// known ones), applies and validates every parameter
// (the scene's, then the overrides), and resets it once with the scene's seed. Unknown
// scene parameters become warnings in `scene`; an unknown override is an error.
// `byte_limit` (0: none beyond the system's own memory budget) refuses, before reset allocates
// anything, a state larger than the caller wants to pay for: the fuzzer's size guard.
// A scene with a "state" comes back as that state instead (core/checkpoint.hpp): its file must
// have the checksum the scene gives, the same system and seed, and the same restart parameters
// (a trained network cannot change shape); the scene's and the overrides' other parameters are
// applied to it as edits.
// Throws InputError (pointer and line:column when the scene came from text).
std::unique_ptr<System> instantiate(Scene& scene, const std::vector<ParamOverride>& overrides = {},
                                    std::uint64_t byte_limit = 0);

// The scene that reproduces `system` from its start: its kind, seed and current parameters.
Scene capture_scene(const System& system, const nlohmann::json& view = nlohmann::json::object(),
                    const nlohmann::json& extra = nlohmann::json::object());
// The same from a system's parts (the app holds a published copy of its parameters).
Scene capture_scene(std::string kind, std::uint64_t seed, const ParamSet& params, const nlohmann::json& view,
                    const nlohmann::json& extra);

std::string scene_to_text(const Scene& scene);
void save_scene(const std::string& path, const Scene& scene);  // atomic

}  // namespace obs
