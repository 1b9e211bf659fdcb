// The settings panel's View section is generated from each view's declared settings: driven here
// by real input through the frame loop, what a person sets there is saved with the scene and
// loads back, and a scene with a bad view value is refused naming its JSON pointer, leaving the
// running view as it was.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <filesystem>
#include <string>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/input_error.hpp"
#include "platform/gl_window.hpp"
#include "session.hpp"
#include "ui_driver.hpp"
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
