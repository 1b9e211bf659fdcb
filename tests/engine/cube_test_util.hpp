#pragma once
// Shared by the cube_* test files: systems are built through the scene path the app uses.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "cube/cube_system.hpp"

namespace cube_test {

inline std::unique_ptr<obs::CubeSystem> make(const nlohmann::json& params, std::uint64_t seed = 1) {
  const nlohmann::json doc = {{"format", "observatory-scene"}, {"version", "1.0"}, {"system", "cube"},
                              {"seed", seed},                  {"params", params}};
  obs::Scene scene = obs::parse_scene(doc.dump(2), "test-scene.json");
  std::unique_ptr<obs::System> system = obs::instantiate(scene);
  REQUIRE(scene.warnings.empty());
  auto* c = dynamic_cast<obs::CubeSystem*>(system.get());
  REQUIRE(c != nullptr);
  system.release();
  return std::unique_ptr<obs::CubeSystem>(c);
}

inline std::vector<double> metrics_of(const obs::System& s) {
  std::vector<double> m(s.metric_names().size());
  s.metrics(m.data());
  return m;
}

inline double metric(const obs::System& s, const std::string& name) {
  const auto& names = s.metric_names();
  const auto m = metrics_of(s);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return m[i];
  FAIL("no metric " << name);
  return 0;
}

}  // namespace cube_test
