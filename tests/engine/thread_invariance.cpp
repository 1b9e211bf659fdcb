// The golden-hash table: every shipped scene gives the same state hash after its steps on one
// thread, on two threads (plain OpenMP), and with every parallel region flipping between one
// and two threads from run to run (what the adaptive team may do mid-run). The app's GUI and a
// headless run of the same scene and seed therefore agree whatever the machine's load. Scenes
// whose sizes would not reach a parallel region are enlarged where noted.
#include <doctest/doctest.h>
#include <omp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/adaptive_team.hpp"
#include "core/input_error.hpp"
#include "core/scene.hpp"

namespace {

struct Row {
  const char* scene;
  int steps;
  std::vector<obs::ParamOverride> overrides;
};

// Step counts keep the whole table to a few seconds per mode.
const std::vector<Row>& table() {
  static const std::vector<Row> rows = {
      {"default.json", 200, {{"N", "100000"}}},  // 25 blocks of 4096: parallel from 16
      {"kuramoto_gaussian.json", 100, {{"N", "100000"}, {"integrator", "rk4"}}},
      {"kuramoto_lorentzian.json", 200, {}},
      {"cube_demo.json", 150, {}},
      {"cube_lazy.json", 60, {}},
      {"cube_fashion.json", 2, {{"train_size", "256"}, {"test_size", "128"}}},
      {"eqprop_fashion.json", 200, {{"n_train", "4000"}, {"n_test", "200"}}},
      {"eqprop_moons.json", 300, {}},
      {"eqprop_gradcheck.json", 50, {}},
      {"resonance_large.json", 40, {}},
      {"resonance_stream.json", 600, {}},
      {"resonance_two_groups.json", 400, {}},
      {"pump_default.json", 50, {}},
      {"pump_single_arm.json", 50, {}},
      {"pump_strong_valve.json", 50, {}},
  };
  return rows;
}

enum class Mode { OneThread, TwoThreads, Alternating };

// The hash after the row's steps, or 0 when the scene cannot run here (its data set is missing).
std::uint64_t hash_after(const Row& row, Mode mode) {
  omp_set_num_threads(mode == Mode::OneThread ? 1 : 2);
  obs::AdaptiveTeam::set_policy(mode == Mode::Alternating ? obs::AdaptiveTeam::Policy::Alternate : obs::AdaptiveTeam::Policy::Fixed);
  obs::Scene scene = obs::load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/" + row.scene);
  std::unique_ptr<obs::System> system;
  try {
    system = obs::instantiate(scene, row.overrides);
  } catch (const obs::InputError& e) {
    MESSAGE("skipped " << row.scene << ": " << e.what());
    return 0;
  }
  for (int i = 0; i < row.steps; ++i) system->step();
  return system->state_hash();
}

}  // namespace

TEST_CASE("golden-hash table: every scene's state is bit-identical on one thread, two, and a changing team") {
  const int saved = omp_get_max_threads();
  for (const Row& row : table()) {
    CAPTURE(row.scene);
    const std::uint64_t one = hash_after(row, Mode::OneThread);
    if (one == 0) continue;
    CHECK(hash_after(row, Mode::TwoThreads) == one);
    CHECK(hash_after(row, Mode::Alternating) == one);
  }
  obs::AdaptiveTeam::set_policy(obs::AdaptiveTeam::Policy::Adaptive);
  omp_set_num_threads(saved);
}
