// The three pump scenes, end to end through the same parse/instantiate path as the app,
// and malformed fractions in scene text.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/input_error.hpp"
#include "core/scene.hpp"
#include "pump/pump_system.hpp"

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string scene_path(const char* name) { return std::string(OBS_SOURCE_DIR) + "/scenes/" + name; }

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("pump: each pump scene loads, instantiates and steps with every badge green") {
  for (const char* name : {"pump_default.json", "pump_strong_valve.json", "pump_single_arm.json"}) {
    const std::string scene_name = name;
    CAPTURE(scene_name);
    obs::Scene scene = obs::parse_scene(read_text(scene_path(name)), name);
    CHECK(scene.system == "pump");
    auto system = obs::instantiate(scene);
    CHECK(scene.warnings.empty());
    REQUIRE(system);
    CHECK(system->kind() == "pump");
    for (int t = 0; t < 24; ++t) system->step();  // across the exact horizon of 16
    const auto snap = std::static_pointer_cast<const obs::PumpSnapshot>(system->snapshot());
    REQUIRE(snap->info);
    const auto& b = snap->info->badges;
    CHECK(b.rows_sum_to_one);
    CHECK(b.pi_K_equals_pi);
    CHECK(b.J0_positive);
    CHECK(b.parity_holds);
    CHECK_FALSE(snap->exact_mode);
    std::vector<double> m(system->metric_names().size());
    system->metrics(m.data());
    MESSAGE(scene_name << ": J0 = " << snap->info->J0 << ", J+ = " << snap->info->J_plus
                 << ", sigma = " << snap->info->entropy_production << ", Gibbs J0 = " << snap->info->J0_gibbs
                 << ", TV(pi, pi_Gibbs) = " << snap->info->tv_pi_gibbs << ", relaxation = " << snap->info->relaxation
                 << ", build+solve " << snap->info->solve_ms << " ms");
    // The scene round-trips: capture it and instantiate again to the same state.
    obs::Scene again = obs::capture_scene(*system);
    auto twin = obs::instantiate(again);
    for (int t = 0; t < 24; ++t) twin->step();
    CHECK(twin->state_hash() == system->state_hash());
  }
}

TEST_CASE("pump: malformed fractions in a scene are refused with their pointer") {
  const std::string text = read_text(scene_path("pump_default.json"));
  struct Case {
    const char* from;
    const char* to;
    const char* pointer;
  };
  for (const Case& c : {Case{"\"spread\": \"3/4\"", "\"spread\": \"1/0\"", "/params/spread"},
                        Case{"\"lambda\": \"1\"", "\"lambda\": \"abc\"", "/params/lambda"},
                        Case{"\"w_min\": \"1/4\"", "\"w_min\": \"1/4.5\"", "/params/w_min"},
                        Case{"\"A0\": \"1\"", "\"A0\": 0.5", "/params/A0"}}) {
    const std::string bad_value = c.to;
    CAPTURE(bad_value);
    obs::Scene scene = obs::parse_scene(replace(text, c.from, c.to), "bad.json");
    try {
      obs::instantiate(scene);
      FAIL("accepted " << c.to);
    } catch (const obs::InputError& e) {
      const std::string what = e.what();
      CHECK(what.find(c.pointer) != std::string::npos);
      CHECK(what.find("bad.json") != std::string::npos);
      MESSAGE(what);
    }
  }
}
