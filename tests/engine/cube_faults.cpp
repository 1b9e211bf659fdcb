// Faults the cube's own learning can cause: an update that overflows is refused and reported,
// and a step always returns, whatever a legal setting does to the numbers.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "cube_test_util.hpp"

namespace {

std::unique_ptr<obs::System> from_scene(const std::string& name, const std::vector<obs::ParamOverride>& overrides) {
  obs::Scene scene = obs::load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/" + name);
  return obs::instantiate(scene, overrides);
}

bool all_finite(const std::vector<float>& v) {
  for (float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

}  // namespace

TEST_CASE("cube: lr = 10 with the face readout refuses the overflowing update and every step returns") {
  // `observatory scenes/cube_demo.json --headless --steps 37 --set step_mode=batch --set lr=10
  // --set readout=face` never returned: the readout biases overflowed at step 36, every relaxation
  // step then met a non-finite field and returned before its step limit, and the batch never ended.
  auto system = from_scene("cube_demo.json", {{"step_mode", "batch"}, {"lr", "10"}, {"readout", "face"}});
  auto* cube = dynamic_cast<obs::CubeSystem*>(system.get());
  REQUIRE(cube != nullptr);
  const auto start = std::chrono::steady_clock::now();
  bool refused = false;
  for (int k = 0; k < 40; ++k) {
    system->step();
    for (const auto& e : system->drain_events())
      refused |= e.level == obs::Event::Level::Error && e.text.find("refused") != std::string::npos;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("40 batch steps in " << seconds << " s");
  CHECK(refused);
  CHECK(system->steps() == 40);
  const auto& c = cube->lattice();
  CHECK(all_finite(c.w));
  CHECK(all_finite(c.bias));
  CHECK(all_finite(c.ro.u));
  CHECK(all_finite(c.ro.bias));
  CHECK(all_finite(c.ro.mu));
  const auto m = scene_test::metrics_of(*system);
  const auto& names = system->metric_names();
  for (std::size_t i = 0; i < m.size(); ++i)
    if (!system->metric_table().may_be_unmeasured(i)) {  // NaN means "not measured yet" only for those declared so
      CAPTURE(names[i]);
      CHECK(std::isfinite(m[i]));
    }
}

TEST_CASE("cube: a phase whose every step meets a non-finite field still ends at its step limit") {
  // A NaN bias makes every relaxation step non-finite; the quarantine resets the states but not
  // the bias. The free phase must still end after free_steps, not run on.
  auto s = cube_test::make({{"n", 6}, {"batch", 1}, {"train_size", 16}, {"test_size", 0}, {"free_steps", 10}, {"nudged_steps", 5}});
  auto& c = const_cast<obs::cube::Cube&>(s->lattice());
  c.bias[c.idx(3, 3, 4)] = NAN;  // a test-only fault: no perturbation writes biases
  REQUIRE(s->stage() == obs::CubeSystem::Stage::Free);
  const int taken = s->finish_phase();
  CHECK(taken == 10);
  CHECK(s->stage() != obs::CubeSystem::Stage::Free);
  bool reported = false;
  for (const auto& e : s->drain_events()) reported |= e.level == obs::Event::Level::Error;
  CHECK(reported);
}
