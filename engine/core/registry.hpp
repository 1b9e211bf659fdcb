#pragma once
// kind() -> factory, one line per system in engine/registry.cpp (Box2D's RegisterSample).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/system.hpp"

namespace obs {

struct SystemEntry {
  std::string kind;
  std::string summary;
  std::function<std::unique_ptr<System>()> make;
};

const std::vector<SystemEntry>& system_registry();
// nullptr when no system has that kind.
std::unique_ptr<System> make_system(const std::string& kind);

}  // namespace obs
