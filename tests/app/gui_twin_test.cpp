// Twins in the window, driven as a person does: the Fork button and the F key fork the run; the
// Twins section aims a typed parameter value and a perturbation at B, which A never sees (A
// stays step for step the solo run); both panes are drawn side by side; the plots' history holds
// a_ and b_; undo goes back on the side it was done on; Keep A / Keep B end it.
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
using Side = TwinPair::Side;

namespace {

std::uint64_t side_hash(SimRunner& runner, Side side) {
  std::uint64_t h = 0;
  runner.inspect([&](const System& s) { h = side_of(s, side).state_hash(); });
  return h;
}

double side_param(SimRunner& runner, Side side, const char* name) {
  double v = 0;
  runner.inspect([&](const System& s) { v = side_of(s, side).params().at(name).value; });
  return v;
}

}  // namespace

TEST_CASE("gui_twin: Fork, aim an edit and a kick at B, A stays the solo run, keep one side") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const std::string path = std::string(OBS_SOURCE_DIR) + "/scenes/default.json";
  // The reference: the scene alone, its hash after every step.
  Scene scene = load_scene(path);
  auto alone = instantiate(scene);
  std::vector<std::uint64_t> hash{alone->state_hash()};
  for (int i = 0; i < 120; ++i) {
    alone->step();
    hash.push_back(alone->state_hash());
  }

  GlWindow window(1280, 800, "twins", /*visible=*/false);
  App app(window, make_session(load_scene(path)), Options{});
  UiDriver ui(app);
  SimRunner& runner = *app.session.runner;
  runner.set_speed(0);
  runner.step_once(40);
  REQUIRE(ui.frames_until([&] { return runner.status().step == 40; }));

  ui.click("twins/fork");
  REQUIRE(ui.frames_until([&] { return app.twinned(); }));
  CHECK(app.twin_target() == Side::B);  // forking is for changing B
  // The plots mark where the run forked.
  REQUIRE_FALSE(app.markers().empty());
  CHECK(app.markers().back().kind == MarkerKind::Fork);
  CHECK(app.markers().back().step == 40);
  ui.frames(2);
  CHECK(app.session.twin_view);  // B's pane is drawn beside A's
  CHECK(ui.exists("twins/keep A"));

  // K typed on B's side: B's K changes, A's does not; the panel shows B's value.
  const double a_k = side_param(runner, Side::A, "K");
  ui.type_into("param/K", "0.3");
  runner.sync();
  ui.frames(2);
  CHECK(side_param(runner, Side::B, "K") == doctest::Approx(0.3));
  CHECK(side_param(runner, Side::A, "K") == a_k);
  CHECK(app.session.params.at("K").value == doctest::Approx(0.3));
  // The panel shows A's values when A is aimed at, and the scene (A) is not dirty.
  ui.click("twins/A");
  ui.frames(2);
  CHECK(app.session.params.at("K").value == a_k);
  CHECK_FALSE(app.dirty());
  ui.click("twins/B");
  ui.frames(2);

  // A kick for B only.
  ui.click("perturb/noise");
  runner.sync();
  runner.step_once(60);
  REQUIRE(ui.frames_until([&] { return runner.status().step == 100; }));
  CHECK(side_hash(runner, Side::A) == hash[100]);
  CHECK(side_hash(runner, Side::B) != hash[100]);
  runner.with_series([](const SeriesStore& s) {
    CHECK(s.names().front() == "a_r");
    CHECK(s.size() == 101);  // the shared past and the 60 steps since
  });

  // Undo the K edit: it goes back on B, where it was made.
  ui.click("twins/A");
  ui.frames(1);
  ui.key(GLFW_KEY_Z, {GLFW_KEY_LEFT_CONTROL});
  runner.sync();
  ui.frames(2);
  CHECK(app.twin_target() == Side::B);
  CHECK(side_param(runner, Side::B, "K") == a_k);
  CHECK(side_param(runner, Side::A, "K") == a_k);

  // Keep A: the run is A alone, and is still the solo run.
  const std::uint64_t b_now = side_hash(runner, Side::B);
  ui.click("twins/keep A");
  REQUIRE(ui.frames_until([&] { return !app.twinned(); }));
  CHECK(app.markers().back().what == "kept A");
  ui.frames(2);
  CHECK_FALSE(app.session.twin_view);
  CHECK(side_hash(runner, Side::A) == hash[100]);
  runner.with_series([](const SeriesStore& s) { CHECK(s.names().front() == "r"); });

  // The key forks again; Keep B leaves B's state as the run.
  ui.key(GLFW_KEY_F);
  REQUIRE(ui.frames_until([&] { return app.twinned(); }));
  ui.click("perturb/noise");
  runner.sync();
  const std::uint64_t kicked_b = side_hash(runner, Side::B);
  CHECK(kicked_b != hash[100]);
  CHECK(b_now != kicked_b);
  ui.click("twins/keep B");
  REQUIRE(ui.frames_until([&] { return !app.twinned(); }));
  CHECK(side_hash(runner, Side::A) == kicked_b);
}
