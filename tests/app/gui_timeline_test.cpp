// The timeline under the view, driven as a person drives it: a drag on the bar rewinds to an
// earlier step (the state hash the run had there), Left and Shift+Left step back, Shift+Right
// steps on along the recorded run, Live returns to the furthest step, and an edit made in the
// past starts a new branch while the old one is kept: Other branch goes to it, Drop it discards it.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <cstdint>
#include <vector>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/scene.hpp"
#include "platform/gl_window.hpp"
#include "ui_driver.hpp"

using namespace obs;
using obs::test::UiDriver;

namespace {

const std::string kScene = std::string(OBS_SOURCE_DIR) + "/scenes/default.json";

std::uint64_t engine_hash(App& app) {
  std::uint64_t h = 0;
  app.session.runner->inspect([&](const System& s) { h = s.state_hash(); });
  return h;
}

}  // namespace

TEST_CASE("gui_timeline: dragging the timeline, Left, Shift+Left, Shift+Right and Live move through the run exactly") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  // The reference: the scene stepped alone, its hash after every step.
  Scene scene = load_scene(kScene);
  auto alone = instantiate(scene);
  std::vector<std::uint64_t> hash{alone->state_hash()};
  for (int i = 0; i < 600; ++i) {
    alone->step();
    hash.push_back(alone->state_hash());
  }

  GlWindow window(1280, 800, "timeline", /*visible=*/false);
  App app(window, make_session(load_scene(kScene)), Options{});
  UiDriver ui(app);
  SimRunner& runner = *app.session.runner;
  runner.set_speed(0);
  runner.step_once(500);
  REQUIRE(ui.frames_until([&] { return runner.status().step == 500; }));
  ui.frames(2);
  CHECK(runner.status().head_step == 500);

  // Drag the bar's knob (at the right end: the live step) to the left, about halfway.
  const ui::Mark bar = ui.find("timeline/slider");
  ui.drag_at({bar.max.x - 4, (bar.min.y + bar.max.y) / 2}, -(bar.max.x - bar.min.x) / 2, 0, 8);
  REQUIRE(ui.frames_until([&] { return runner.status().step < 400; }));
  ui.frames(3);
  runner.sync();
  const SimRunner::Status back = runner.status();
  CHECK(back.step > 100);
  CHECK(back.step < 400);
  CHECK_FALSE(back.playing);
  CHECK(back.head_step == 500);
  CHECK(engine_hash(app) == hash[back.step]);

  // Left: one step back; Shift+Left: a hundred.
  ui.key(GLFW_KEY_LEFT);
  REQUIRE(ui.frames_until([&] { return runner.status().step == back.step - 1; }));
  CHECK(engine_hash(app) == hash[back.step - 1]);
  ui.key(GLFW_KEY_LEFT, {GLFW_KEY_LEFT_SHIFT});
  REQUIRE(ui.frames_until([&] { return runner.status().step == back.step - 101; }));
  CHECK(engine_hash(app) == hash[back.step - 101]);
  // Shift+Right: a hundred on, along the recorded run.
  ui.key(GLFW_KEY_RIGHT, {GLFW_KEY_LEFT_SHIFT});
  REQUIRE(ui.frames_until([&] { return runner.status().step == back.step - 1; }));
  CHECK(engine_hash(app) == hash[back.step - 1]);
  CHECK(runner.status().head_step == 500);

  // Live: back to the furthest step.
  ui.click("timeline/live");
  REQUIRE(ui.frames_until([&] { return runner.status().step == 500; }));
  CHECK(engine_hash(app) == hash[500]);

  // Shift+Right at the head steps on: new steps, recorded.
  ui.key(GLFW_KEY_RIGHT, {GLFW_KEY_LEFT_SHIFT});
  REQUIRE(ui.frames_until([&] { return runner.status().step == 600; }));
  CHECK(runner.status().head_step == 600);
  CHECK(engine_hash(app) == hash[600]);

  // A perturbation from the panel while in the past starts a new branch there.
  ui.key(GLFW_KEY_LEFT, {GLFW_KEY_LEFT_SHIFT});
  REQUIRE(ui.frames_until([&] { return runner.status().step == 500; }));
  ui.click("perturb/noise");
  REQUIRE(ui.frames_until([&] { return runner.status().head_step == 500; }));
  CHECK(engine_hash(app) != hash[500]);
  bool told = false;
  ui.frames(2);
  for (const auto& line : app.log_lines) told |= line.text.find("new branch starts at step 500") != std::string::npos;
  CHECK(told);
  const std::uint64_t kicked = engine_hash(app);

  // The old future is kept: Other branch goes to it (at the same step, the original run
  // exactly, reaching 600), and back; Drop it discards it.
  REQUIRE(ui.frames_until([&] { return runner.status().branch_kept; }));
  ui.frames(2);
  ui.click("timeline/other branch");
  REQUIRE(ui.frames_until([&] { return runner.status().head_step == 600; }));
  CHECK(runner.status().step == 500);
  CHECK(engine_hash(app) == hash[500]);
  ui.click("timeline/live");
  REQUIRE(ui.frames_until([&] { return runner.status().step == 600; }));
  CHECK(engine_hash(app) == hash[600]);
  ui.click("timeline/other branch");
  REQUIRE(ui.frames_until([&] { return runner.status().head_step == 500; }));
  CHECK(engine_hash(app) == kicked);
  ui.click("timeline/drop branch");
  REQUIRE(ui.frames_until([&] { return !runner.status().branch_kept; }));
  ui.frames(2);
  CHECK_FALSE(ui.exists("timeline/other branch"));
  CHECK(runner.status().head_step == 500);

  // The memory for checkpoints is a setting: dragging it left lowers the runner's budget.
  const std::uint64_t before = runner.status().rewind_budget;
  ui.drag("run/rewind memory", -60);
  REQUIRE(ui.frames_until([&] { return runner.status().rewind_budget < before; }));
  CHECK(runner.status().rewind_budget == static_cast<std::uint64_t>(app.rewind_budget_mb) << 20);
  CHECK(runner.status().rewind_bytes <= runner.status().rewind_budget);
}
