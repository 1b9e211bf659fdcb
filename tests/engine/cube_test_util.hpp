#pragma once
// Shared by the cube_* test files: systems are built through the scene path the app uses.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "scene_test_support.hpp"
#include "cube/cube_system.hpp"

namespace cube_test {

inline std::unique_ptr<obs::CubeSystem> make(const nlohmann::json& params, std::uint64_t seed = 1) {
  return scene_test::make_system<obs::CubeSystem>("cube", params, seed);
}

using scene_test::metric;
using scene_test::metrics_of;

}  // namespace cube_test
