#pragma once
// Shared by the per-system test utilities: a system built from scene text through the path the
// app uses (parse_scene -> instantiate), and its metrics read by name.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/scene.hpp"

namespace scene_test {

template <class SystemT>
std::unique_ptr<SystemT> make_system(const std::string& kind, const nlohmann::json& params, std::uint64_t seed) {
  const nlohmann::json doc = {{"format", "observatory-scene"}, {"version", "1.0"}, {"system", kind},
                              {"seed", seed},                  {"params", params}};
  obs::Scene scene = obs::parse_scene(doc.dump(2), "test-scene.json");
  std::unique_ptr<obs::System> system = obs::instantiate(scene);
  REQUIRE(scene.warnings.empty());  // a misspelt parameter would silently test the default
  auto* typed = dynamic_cast<SystemT*>(system.get());
  REQUIRE(typed != nullptr);
  system.release();
  return std::unique_ptr<SystemT>(typed);
}

inline std::vector<double> metrics_of(const obs::System& s) {
  std::vector<double> m(s.metric_names().size());
  s.metrics(m.data());
  return m;
}

inline double metric(const obs::System& s, const std::string& name) {
  const auto& names = s.metric_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return metrics_of(s)[i];
  FAIL("no metric " << name);
  return 0;
}

}  // namespace scene_test
