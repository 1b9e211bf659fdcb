#pragma once
// What every measuring tool's command line shares: one scene path and any number of
// --set NAME=VALUE overrides, read in the same loop as the tool's own flags.
#include <string>
#include <vector>

#include "core/scene.hpp"

namespace tool_args {

enum class Took { Nothing, Argument, Bad };

// Takes argv[i] (and, for --set, argv[i + 1], advancing i) if it is the scene path or an
// override; Bad for a malformed one or a second path, Nothing for another flag.
inline Took take_scene_or_set(int argc, char** argv, int& i, std::string& path, std::vector<obs::ParamOverride>& sets) {
  const std::string a = argv[i];
  if (a == "--set") {
    if (i + 1 >= argc) return Took::Bad;
    const auto set = obs::parse_override(argv[++i]);
    if (!set) return Took::Bad;
    sets.push_back(*set);
    return Took::Argument;
  }
  if (a.empty() || a[0] == '-') return Took::Nothing;
  if (!path.empty()) return Took::Bad;
  path = a;
  return Took::Argument;
}

}  // namespace tool_args
