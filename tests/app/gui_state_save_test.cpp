// Saving a scene with its state, as a person does it: tick "with state", Save as, type a path.
// The state lands beside the scene (NAME.state, named in the scene with its checksum); opening
// the scene restores the run at the step it was saved, with the same state hash; a state file
// that is not the scene's own is never replaced without asking; a state file changed since the
// save is refused on opening and the running scene stays.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/checkpoint.hpp"
#include "platform/gl_window.hpp"
#include "ui_driver.hpp"

using namespace obs;
using obs::test::UiDriver;

namespace {

namespace fs = std::filesystem;

struct Probe {
  std::uint64_t step = 0, hash = 0;
};

Probe probe(App& app) {
  Probe p;
  app.session.runner->inspect([&](const System& s) {
    p.step = s.steps();
    p.hash = s.state_hash();
  });
  return p;
}

bool log_has(const App& app, const std::string& text) {
  for (const auto& line : app.log_lines)
    if (line.text.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("gui_state_save: 'with state' + Save as writes NAME.state; opening the scene restores that exact run") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("state_save");
  GlWindow window(1280, 800, "state", /*visible=*/false);
  App app(window, make_session(load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/eqprop_moons.json")), Options{});
  UiDriver ui(app);
  SimRunner& runner = *app.session.runner;
  runner.set_speed(0);
  runner.step_once(120);
  REQUIRE(ui.frames_until([&] { return runner.status().step == 120; }));

  ui.click("scene/with state");
  REQUIRE(app.save_with_state);
  const Probe saved = probe(app);
  const std::string scene_path = (dir / "trained.json").string();
  ui.click("scene/save as");
  REQUIRE(app.dialog == App::Dialog::SaveAs);
  ui.type_into("dialog/path", scene_path);  // Enter = Save
  CHECK(app.dialog == App::Dialog::None);
  const std::string state_path = (dir / "trained.state").string();
  REQUIRE(fs::exists(state_path));
  CHECK(log_has(app, "and its state at step 120"));
  const Scene written = load_scene(scene_path);
  REQUIRE(written.state);
  CHECK(written.state->file == "trained.state");
  CHECK(written.state->checksum == state_checksum_text(checkpoint_checksum(test::read_text(state_path))));

  // The run goes on; opening the saved scene brings back step 120 exactly.
  runner.step_once(30);
  REQUIRE(ui.frames_until([&] { return runner.status().step == 150; }));
  REQUIRE(app.open_scene(scene_path));
  ui.frames(2);
  const Probe reopened = probe(app);
  CHECK(reopened.step == saved.step);
  CHECK(reopened.hash == saved.hash);

  // Ctrl+S onto the scene's own file replaces its own state without a question.
  SimRunner& reopened_runner = *app.session.runner;  // a scene opened gets a runner of its own
  reopened_runner.set_speed(0);
  reopened_runner.step_once(10);
  REQUIRE(ui.frames_until([&] { return reopened_runner.status().step == 130; }));
  ui.move_to({640, 400});
  ui.key(GLFW_KEY_S, {GLFW_KEY_LEFT_CONTROL});
  CHECK(app.dialog == App::Dialog::None);
  CHECK(read_checkpoint_header(test::read_text(state_path)).step == 130);

  // A state file that belongs to no open scene is asked about, and Cancel keeps it.
  const fs::path other = dir / "other.state";
  test::write_text(other, "precious");
  ui.click("scene/save as");
  ui.frames(1);
  ui.type_into("dialog/path", (dir / "other.json").string());
  REQUIRE(app.dialog == App::Dialog::ConfirmOverwrite);
  ui.frames(1);
  ui.click("dialog/cancel");
  CHECK(test::read_text(other) == "precious");
  CHECK_FALSE(fs::exists(dir / "other.json"));

  // A state changed since the scene was saved is refused, naming the checksum; the run stays.
  std::string bytes = test::read_text(state_path);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  test::write_text(state_path, bytes);
  const Probe before = probe(app);
  CHECK_FALSE(app.open_scene(scene_path));
  CHECK(app.load_error.find("/state/checksum") != std::string::npos);
  CHECK(probe(app).hash == before.hash);
}

TEST_CASE("gui_state_save: a run opened from a state file alone asks where to save, never writing over the state") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("state_alone");
  const std::string state_path = (dir / "alone.state").string();
  {
    Scene scene = load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/default.json");
    auto system = instantiate(scene);
    for (int i = 0; i < 5; ++i) system->step();
    save_checkpoint_file(state_path, *system);
  }
  const std::string before = test::read_text(state_path);
  Scene from_state = scene_of_checkpoint_file(state_path);  // what --load-state FILE without a scene opens
  GlWindow window(1280, 800, "alone", /*visible=*/false);
  App app(window, make_session_for(instantiate(from_state), from_state), Options{});
  UiDriver ui(app);
  CHECK(probe(app).step == 5);
  ui.move_to({640, 400});
  ui.key(GLFW_KEY_S, {GLFW_KEY_LEFT_CONTROL});
  CHECK(app.dialog == App::Dialog::SaveAs);
  CHECK(test::read_text(state_path) == before);
}
