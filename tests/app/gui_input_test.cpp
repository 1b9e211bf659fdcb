// The app driven as a person drives it: synthetic mouse and keys through App::run_frame, the
// window's own loop. Each case names what a person did and what went wrong before (the crash on
// releasing the N slider, the dead Record button, Ctrl+S overwriting a file that had just failed
// to open). Scenes are copied into a temporary folder first: a save must never touch the
// shipped ones.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <filesystem>
#include <string>

#include "app.hpp"
#include "app_test_support.hpp"
#include "platform/gl_window.hpp"
#include "ui_driver.hpp"

using namespace obs;
using obs::test::UiDriver;

namespace {

namespace fs = std::filesystem;
const std::string kScenes = std::string(OBS_SOURCE_DIR) + "/scenes/";

// A copy of a shipped scene in `dir`, so the test may save over it.
std::string scene_copy(const fs::path& dir, const std::string& name) {
  const fs::path to = dir / name;
  fs::copy_file(kScenes + name, to, fs::copy_options::overwrite_existing);
  return to.string();
}

struct AppUnderTest {
  explicit AppUnderTest(const std::string& scene_path)
      : window(1280, 800, "test", /*visible=*/false), app(window, make_session(load_scene(scene_path)), Options{}) {
    app.session.runner->set_speed(0);
    app.session.runner->set_playing(true);
  }
  GlWindow window;
  App app;
};

std::string log_text(const App& app) {
  std::string out;
  for (const auto& line : app.log_lines) out += line.text + "\n";
  return out;
}

bool log_has(const App& app, const std::string& text) {
  for (const auto& line : app.log_lines)
    if (line.text.find(text) != std::string::npos) return true;
  return false;
}

std::int64_t engine_int(App& app, const char* name) {
  std::int64_t v = 0;
  app.session.runner->inspect([&](const System& s) { v = s.params().integer(name); });
  return v;
}

void require_display() {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
}

}  // namespace

TEST_CASE("gui_input: dragging N on the default scene and releasing restarts with the new N (it crashed)") {
  require_display();
  const auto dir = test::temp_dir("input_n");
  AppUnderTest t(scene_copy(dir, "default.json"));
  UiDriver ui(t.app);
  REQUIRE(t.app.session.params.integer("N") == 4000);
  ui.drag("param/N", 20);
  ui.frames(3);
  t.app.session.runner->sync();
  const std::int64_t n = engine_int(t.app, "N");
  CHECK(n != 4000);
  CHECK(t.app.session.params.integer("N") == n);
  CHECK(log_has(t.app, "N: 4000 -> " + std::to_string(n)));
  CHECK(t.app.dirty());
  // R goes back to the scene file's value.
  ui.click("param/N/R");
  ui.frames(2);
  t.app.session.runner->sync();
  CHECK(engine_int(t.app, "N") == 4000);
  CHECK_FALSE(t.app.dirty());
}

TEST_CASE("gui_input: typing a value (Ctrl+click, 5000, Enter) and choosing from a combo restart the system") {
  require_display();
  const auto dir = test::temp_dir("input_type");
  AppUnderTest t(scene_copy(dir, "default.json"));
  UiDriver ui(t.app);
  ui.type_into("param/N", "5000");
  ui.frames(2);
  t.app.session.runner->sync();
  CHECK(engine_int(t.app, "N") == 5000);
  // Typed values are held to the declared range.
  ui.type_into("param/N", "999999999999");
  ui.frames(2);
  t.app.session.runner->sync();
  CHECK(engine_int(t.app, "N") == static_cast<std::int64_t>(t.app.session.params.at("N").max));

  ui.choose("param/distribution", "gaussian");
  ui.frames(2);
  t.app.session.runner->sync();
  CHECK(t.app.session.params.choice("distribution") == "gaussian");
  std::string engine_choice;
  t.app.session.runner->inspect([&](const System& s) { engine_choice = s.params().choice("distribution"); });
  CHECK(engine_choice == "gaussian");
  CHECK(log_has(t.app, "distribution: lorentzian -> gaussian"));
  // The click meant for the combo landed on it: no panel line came or went under the mouse while
  // the 5e7-oscillator system stepped slowly (a "step under way" line once moved the N slider
  // into the combo's place, and the click set N).
  CHECK_FALSE(log_has(t.app, "N: " + std::to_string(static_cast<std::int64_t>(t.app.session.params.at("N").max)) + " -> "));
}

TEST_CASE("gui_input: Ctrl+Z undoes a parameter edit and Ctrl+Shift+Z redoes it") {
  require_display();
  const auto dir = test::temp_dir("input_undo");
  AppUnderTest t(scene_copy(dir, "default.json"));
  UiDriver ui(t.app);
  const double k0 = t.app.session.params.real("K");
  ui.drag("param/K", 30);  // a live (non-restart) parameter: one drag is one undo step
  ui.frames(2);
  const double k1 = t.app.session.params.real("K");
  REQUIRE(k1 != k0);
  // A drag by 30 px moves K by a fraction of its value, not by 10 units (0.32 per pixel before).
  CHECK(std::abs(k1 - k0) < 0.5 * k0);
  ui.move_to({640, 400});  // over the view: the keys go to the app, not a text field
  ui.key(GLFW_KEY_Z, {GLFW_KEY_LEFT_CONTROL});
  t.app.session.runner->sync();
  CHECK(t.app.session.params.real("K") == k0);
  double engine_k = 0;
  t.app.session.runner->inspect([&](const System& s) { engine_k = s.params().real("K"); });
  CHECK(engine_k == k0);
  ui.key(GLFW_KEY_Z, {GLFW_KEY_LEFT_CONTROL, GLFW_KEY_LEFT_SHIFT});
  t.app.session.runner->sync();
  CHECK(t.app.session.params.real("K") == k1);
}

TEST_CASE("gui_input: structural edits on eqprop and the pump restart without a crash") {
  require_display();
  const auto dir = test::temp_dir("input_structural");
  {
    AppUnderTest t(scene_copy(dir, "eqprop_moons.json"));
    UiDriver ui(t.app);
    const auto before = t.app.session.params.integer("hidden_units");
    // Grabbing the log slider near its middle asks for ~10^5 units: more state than the memory
    // budget. The restart is refused, the old network keeps running, and the panel says so.
    ui.drag("param/hidden_units", 15);
    ui.frames(3);
    t.app.session.runner->sync();
    ui.frames(2);
    INFO(log_text(t.app));
    CHECK(engine_int(t.app, "hidden_units") == before);
    CHECK(t.app.session.params.integer("hidden_units") == before);
    CHECK(log_has(t.app, "budget"));
    ui.type_into("param/hidden_units", "96");
    ui.frames(2);
    t.app.session.runner->sync();
    CHECK(engine_int(t.app, "hidden_units") == 96);
    ui.click("param/hidden_units/R");
    ui.frames(2);
    t.app.session.runner->sync();
    CHECK(engine_int(t.app, "hidden_units") == before);
  }
  {
    AppUnderTest t(scene_copy(dir, "pump_default.json"));
    UiDriver ui(t.app);
    const auto before = t.app.session.params.integer("walkers");
    ui.drag("param/walkers", -25);
    ui.frames(3);
    t.app.session.runner->sync();
    CHECK(engine_int(t.app, "walkers") != before);
  }
}

TEST_CASE("gui_input: Record writes a numbered folder of frames and says so in the log (the button was dead)") {
  require_display();
  const auto dir = test::temp_dir("input_record");
  AppUnderTest t(scene_copy(dir, "default.json"));
  t.app.screenshot_dir = (dir / "shots").string();
  UiDriver ui(t.app);
  ui.click("header/Record");
  ui.type_into("record/frames", "5");
  REQUIRE(t.app.record_frames == 5);
  ui.click("record/record");
  CHECK(t.app.recording_left > 0);
  CHECK(log_has(t.app, "recording 5 frames into"));
  ui.frames(8);
  CHECK(t.app.recording_left == 0);
  const fs::path seq = dir / "shots" / "sequence_0001";
  CHECK(fs::exists(seq / "frame_00001.png"));
  CHECK(fs::exists(seq / "frame_00005.png"));
  CHECK_FALSE(fs::exists(seq / "frame_00006.png"));
  CHECK(log_has(t.app, "recorded 5 frames into"));
  // Screenshot too.
  ui.click("record/screenshot");
  ui.frames(1);
  CHECK(fs::exists(dir / "shots" / "observatory_0001.png"));
}

TEST_CASE("gui_input: a failed open leaves its path in the field, and Ctrl+S does not write to it") {
  require_display();
  const auto dir = test::temp_dir("input_save");
  const std::string scene = scene_copy(dir, "default.json");
  AppUnderTest t(scene);
  UiDriver ui(t.app);
  const fs::path broken = dir / "broken.json";
  const std::string broken_text = "{ \"system\": \"kuramoto\", \"params\": {\"K\": \"lots\"} }";
  test::write_text(broken, broken_text);
  ui.type_into("scene/path", broken.string());  // Enter opens
  REQUIRE(ui.frames_until([&] { return !t.app.opening(); }));
  ui.frames(1);
  CHECK_FALSE(t.app.load_error.empty());
  CHECK(t.app.scene_path == broken.string());
  // An edit, then Ctrl+S: the running scene's own file is written, the broken one is untouched.
  ui.type_into("param/K", "2.25");
  ui.move_to({640, 400});
  ui.key(GLFW_KEY_S, {GLFW_KEY_LEFT_CONTROL});
  CHECK(test::read_text(broken) == broken_text);
  CHECK(load_scene(scene).params.at("K") == doctest::Approx(2.25));
  CHECK_FALSE(t.app.dirty());
  CHECK(log_has(t.app, "saved scene to " + scene));
  // Saved numbers are written as typed.
  CHECK(test::read_text(scene).find("2.25") != std::string::npos);
}

TEST_CASE("gui_input: Save as asks before overwriting a file, and Cancel keeps it") {
  require_display();
  const auto dir = test::temp_dir("input_save_as");
  AppUnderTest t(scene_copy(dir, "default.json"));
  const fs::path other = dir / "other.json";
  test::write_text(other, "precious");
  UiDriver ui(t.app);
  ui.click("scene/save as");
  REQUIRE(t.app.dialog == App::Dialog::SaveAs);
  ui.type_into("dialog/path", other.string());  // Enter = Save
  REQUIRE(t.app.dialog == App::Dialog::ConfirmOverwrite);
  ui.frames(1);
  ui.click("dialog/cancel");
  CHECK(t.app.dialog == App::Dialog::None);
  CHECK(test::read_text(other) == "precious");
  // Again, and overwrite this time.
  ui.move_to({640, 400});
  ui.key(GLFW_KEY_S, {GLFW_KEY_LEFT_CONTROL, GLFW_KEY_LEFT_SHIFT});
  REQUIRE(t.app.dialog == App::Dialog::SaveAs);
  ui.frames(1);
  ui.type_into("dialog/path", other.string());
  ui.frames(1);
  ui.click("dialog/overwrite");
  CHECK(load_scene(other.string()).system == "kuramoto");
  CHECK(t.app.session.scene.source == other.string());
}

TEST_CASE("gui_input: quitting with unsaved changes asks; Cancel keeps the app running") {
  require_display();
  const auto dir = test::temp_dir("input_quit");
  AppUnderTest t(scene_copy(dir, "default.json"));
  UiDriver ui(t.app);
  ui.move_to({640, 400});
  ui.key(GLFW_KEY_Q, {GLFW_KEY_LEFT_CONTROL});
  CHECK(t.app.quit);  // nothing unsaved: quits at once
  t.app.quit = false;
  ui.type_into("param/K", "3");
  REQUIRE(t.app.dirty());
  ui.move_to({640, 400});
  ui.key(GLFW_KEY_Q, {GLFW_KEY_LEFT_CONTROL});
  CHECK_FALSE(t.app.quit);
  REQUIRE(t.app.dialog == App::Dialog::UnsavedQuit);
  ui.frames(1);
  ui.click("dialog/cancel");
  CHECK_FALSE(t.app.quit);
  CHECK(t.app.dialog == App::Dialog::None);
  // The window's close button asks the same question.
  glfwSetWindowShouldClose(t.window.handle(), GLFW_TRUE);
  ui.frames(2);
  CHECK(t.app.dialog == App::Dialog::UnsavedQuit);
  ui.click("dialog/discard");
  CHECK(t.app.quit);
}

TEST_CASE("gui_input: opening another scene with unsaved changes asks, and Revert goes back to the file") {
  require_display();
  const auto dir = test::temp_dir("input_open");
  AppUnderTest t(scene_copy(dir, "default.json"));
  const std::string other = scene_copy(dir, "kuramoto_gaussian.json");
  UiDriver ui(t.app);
  ui.type_into("param/K", "2.5");
  REQUIRE(t.app.dirty());
  ui.type_into("scene/path", other);
  CHECK(t.app.dialog == App::Dialog::UnsavedOpen);
  ui.frames(1);
  ui.click("dialog/cancel");
  CHECK(t.app.session.scene.source != other);
  ui.click("scene/revert");
  ui.frames(1);
  CHECK_FALSE(t.app.dirty());
  CHECK(t.app.session.params.real("K") == doctest::Approx(1.4));
  ui.click("scene/open");
  REQUIRE(ui.frames_until([&] { return !t.app.opening(); }));
  ui.frames(1);
  CHECK(t.app.session.scene.source == other);
}
