#pragma once
// Shared by the resonance_* test files: systems are built through the scene path the app uses.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "scene_test_support.hpp"
#include "resonance/resonance_system.hpp"

namespace resonance_test {

inline std::unique_ptr<obs::ResonanceSystem> make(const nlohmann::json& params, std::uint64_t seed = 1) {
  return scene_test::make_system<obs::ResonanceSystem>("resonance", params, seed);
}

inline std::unique_ptr<obs::ResonanceSystem> from_file(const std::string& name, const std::vector<obs::ParamOverride>& ov = {}) {
  obs::Scene scene = obs::load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/" + name);
  std::unique_ptr<obs::System> system = obs::instantiate(scene, ov);
  auto* r = dynamic_cast<obs::ResonanceSystem*>(system.get());
  REQUIRE(r != nullptr);
  system.release();
  return std::unique_ptr<obs::ResonanceSystem>(r);
}

inline std::map<std::string, double> metrics_of(const obs::System& s) {
  std::vector<double> m(s.metric_names().size());
  s.metrics(m.data());
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < m.size(); ++i) out[s.metric_names()[i]] = m[i];
  return out;
}

inline nlohmann::json dump_of(const obs::System& s) {
  nlohmann::json j;
  s.dump(j);
  return j;
}

inline void run(obs::System& s, int steps) {
  for (int i = 0; i < steps; ++i) s.step();
}

}  // namespace resonance_test
