// The settings panel's View section is generated from each view's declared settings: driven here
// by real input through the frame loop, what a person sets there is saved with the scene and
// loads back, and a scene with a bad view value is refused naming its JSON pointer, leaving the
// running view as it was.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/input_error.hpp"
#include "platform/gl_window.hpp"
#include "session.hpp"
#include "ui_driver.hpp"
#include "views/neural_cube_view.hpp"
#include "views/phase_wheel_view.hpp"

using namespace obs;
using obs::test::UiDriver;

namespace {

namespace fs = std::filesystem;

std::string scene_copy(const fs::path& dir, const std::string& name) {
  const fs::path to = dir / name;
  fs::copy_file(std::string(OBS_SOURCE_DIR) + "/scenes/" + name, to, fs::copy_options::overwrite_existing);
  return to.string();
}

struct AppUnderTest {
  explicit AppUnderTest(const std::string& scene_path)
      : window(1280, 800, "test", /*visible=*/false), app(window, make_session(load_scene(scene_path)), Options{}) {}
  GlWindow window;
  App app;
};

// The view a scene file makes, as the app makes it on open.
nlohmann::json view_of_file(const std::string& path) { return make_scene_view(load_scene(path))->save(); }

void open_view_section(UiDriver& ui) {
  if (!ui.exists("view/arrow") && !ui.exists("view/color_by")) ui.click("header/View");
  ui.frames(2);
}

}  // namespace

TEST_CASE("gui_view_settings: a checkbox and a slider set in the View section are saved with the scene and load back") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("view_settings_save");
  const std::string scene = scene_copy(dir, "default.json");
  AppUnderTest t(scene);
  UiDriver ui(t.app);
  const nlohmann::json before = t.app.session.view->save();
  REQUIRE(before.at("arrow") == true);
  open_view_section(ui);
  ui.click("view/arrow");
  ui.drag("view/ring_spread", 60);
  const nlohmann::json after = t.app.session.view->save();
  CHECK(after.at("arrow") == false);
  CHECK(after.at("ring_spread").get<double>() > before.at("ring_spread").get<double>());
  ui.click("scene/save");
  const nlohmann::json loaded = view_of_file(scene);
  CHECK(loaded.at("arrow") == false);
  CHECK(loaded.at("ring_spread").get<double>() == doctest::Approx(after.at("ring_spread").get<double>()));
  // What was not touched keeps its value and its JSON type (a count stays an integer).
  CHECK(loaded.at("max_points") == before.at("max_points"));
  CHECK(loaded.at("max_points").is_number_integer());
}

TEST_CASE("gui_view_settings: a choice made in a combo is saved with the scene and loads back") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("view_settings_choice");
  const std::string scene = scene_copy(dir, "pump_default.json");
  AppUnderTest t(scene);
  UiDriver ui(t.app);
  REQUIRE(t.app.session.view->save().at("color_by") == "pi");
  open_view_section(ui);
  ui.choose("view/color_by", "p");
  CHECK(t.app.session.view->save().at("color_by") == "p");
  ui.click("view/walkers");
  ui.click("scene/save");
  const nlohmann::json loaded = view_of_file(scene);
  CHECK(loaded.at("color_by") == "p");
  CHECK(loaded.at("walkers") == false);
}

TEST_CASE("gui_view_settings: a scene with a bad view value is refused naming its pointer, and the view stays as it was") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("view_settings_bad");
  const std::string scene = scene_copy(dir, "default.json");
  AppUnderTest t(scene);
  UiDriver ui(t.app);
  open_view_section(ui);
  ui.click("view/arrow");
  const nlohmann::json before = t.app.session.view->save();
  const fs::path bad = dir / "bad_view.json";
  // A good key before the bad one: neither may reach the view.
  test::write_text(bad, R"({"system": "kuramoto", "view": {"zoom": 3, "point_scale": 99}})");
  ui.type_into("scene/path", bad.string());  // Enter opens
  REQUIRE(ui.frames_until([&] { return !t.app.opening(); }));
  ui.frames(1);
  INFO(t.app.load_error);
  CHECK(t.app.load_error.find("/view/point_scale") != std::string::npos);
  CHECK(t.app.load_error.find("expected a number in [0.25, 4]") != std::string::npos);
  CHECK(t.app.session.scene.source == scene);
  CHECK(t.app.session.view->save() == before);
}

TEST_CASE("gui_view_settings: loading checks every key before it changes any") {
  PhaseWheelView v;
  v.load({{"zoom", 2.0}});
  const nlohmann::json before = v.save();
  std::string error;
  try {
    v.load({{"zoom", 3.0}, {"arrow", false}, {"max_points", "many"}});
  } catch (const InputError& e) {
    error = e.what();
  }
  CHECK(error.find("/view/max_points") != std::string::npos);
  CHECK(error.find("expected a number in [10000, 2e+06]") != std::string::npos);
  CHECK(v.save() == before);
}

TEST_CASE("gui_view_settings: a float setting's declared bounds are accepted as a person writes them") {
  // 0.2f and 0.05f lie above 0.2 and 0.05: compared as doubles, the minimum itself was refused.
  NeuralCubeView v;
  v.load({{"point_size", 0.2}, {"glow", 0.05}, {"threshold", 1.0}});
  CHECK(v.save().at("point_size").get<double>() == doctest::Approx(0.2));
  CHECK(v.save().at("glow").get<double>() == doctest::Approx(0.05));
  CHECK_THROWS_AS(v.load({{"point_size", 0.19}}), InputError);
  CHECK_THROWS_AS(v.load({{"glow", 1.01}}), InputError);
}

TEST_CASE("gui_view_settings: the cube's drawing style is picked in its combo; the brightest-neuron style does not saturate where the additive glow does") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("view_settings_cube_style");
  const std::string scene = scene_copy(dir, "cube_demo.json");
  AppUnderTest t(scene);
  UiDriver ui(t.app);
  REQUIRE(t.app.session.view->save().at("style") == "max");  // the default
  // Paused, reset and stepped 20 relaxation steps by hand: every picture shows one state, the
  // same in every run, where the cube has filled up.
  t.app.session.runner->set_playing(false);
  ui.frames(2);
  ui.key(GLFW_KEY_BACKSPACE);
  ui.frames(2);
  for (int k = 0; k < 20; ++k) {
    ui.key(GLFW_KEY_RIGHT);
    ui.frames(1);
  }
  t.app.session.runner->sync();
  REQUIRE(t.app.session.runner->status().step == 20);
  open_view_section(ui);
  t.app.screenshot_dir = (dir / "shots").string();
  // Pixels at full scale in red or green, counted in the middle of the view (where the cube's
  // dense core is, away from the status text and the output bars, which use full red).
  int shot = 0;
  auto saturated_with = [&](const std::string& style) {
    ui.choose("view/style", style);
    CHECK(t.app.session.view->save().at("style") == style);
    ui.frames(2);
    t.app.take_screenshot();
    ui.frames(2);
    char name[32];
    std::snprintf(name, sizeof name, "observatory_%04d.png", ++shot);
    const test::Png png = test::read_png((dir / "shots" / name).string());
    const int left = static_cast<int>(t.app.left_panel_w), right = png.width - static_cast<int>(t.app.right_panel_w);
    int count = 0;
    for (int y = png.height * 3 / 10; y < png.height * 65 / 100; ++y)
      for (int x = left + (right - left) / 4; x < right - (right - left) / 4; ++x)
        count += std::max(png.at(x, y, 0), png.at(x, y, 1)) >= 250 ? 1 : 0;
    MESSAGE(style << ": " << count << " saturated pixels");
    return count;
  };
  const int glow = saturated_with("glow");
  const int max = saturated_with("max");
  saturated_with("spheres");  // the third style draws too
  CHECK(glow > 5000);
  CHECK(max == 0);  // under the maximum a neuron's core shows at most `glow` (0.8) of its colour
  ui.click("scene/save");
  CHECK(view_of_file(scene).at("style") == "spheres");
}
