#pragma once
// Scene files: {"format": "observatory-scene", "version": "1.1", "system": "...",
// "seed": 1, "params": {...}, "view": {...}}, after glTF's asset/version/minVersion.
// Missing keys take their defaults; unknown keys are kept (and written back) with a
// warning; a newer minVersion is refused. Every error names its JSON pointer and line:column.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
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

struct Scene {
  std::string system = "kuramoto";
  std::uint64_t seed = 1;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json view = nlohmann::json::object();
  std::string description;                          // one or two sentences shown in the app
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

// `--set NAME=VALUE` from the command line: applied after the scene's own parameters.
struct ParamOverride {
  std::string name, value;
};

// Defined in engine/registry.cpp, the one place that knows every engine (core does not).
// Builds the scene's system through the registry (an unknown kind is refused, listing the
// known ones), applies and validates every parameter
// (the scene's, then the overrides), and resets it once with the scene's seed. Unknown
// scene parameters become warnings in `scene`; an unknown override is an error.
// `byte_limit` (0: none beyond the system's own memory budget) refuses, before reset allocates
// anything, a state larger than the caller wants to pay for: the fuzzer's size guard.
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
