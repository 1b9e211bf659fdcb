// Random input over the whole app: seeded streams of clicks (on named widgets and anywhere),
// drags, wheel, keys and typed text, through App::run_frame, across every shipped scene, with
// other scenes opened along the way. The app must never crash, leave a GL error, or stop
// answering: every frame returns, and the simulation thread still takes edits at the end of
// each episode. A failure prints its seed and the last actions, and
//   OBS_MONKEY_SEED=<seed> OBS_MONKEY_FRAMES=<n> build/app_tests -tc='*monkey*'
// replays it. scripts/test also runs it under AddressSanitizer and UBSan.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/rng.hpp"
#include "gfx/gl.hpp"
#include "platform/gl_window.hpp"
#include "ui_driver.hpp"

using namespace obs;

namespace {

namespace fs = std::filesystem;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// Keys a person presses: the shortcuts, editing keys, and some that mean nothing here.
const int kKeys[] = {GLFW_KEY_SPACE, GLFW_KEY_RIGHT, GLFW_KEY_LEFT, GLFW_KEY_BACKSPACE, GLFW_KEY_F1, GLFW_KEY_TAB, GLFW_KEY_HOME,
                     GLFW_KEY_ESCAPE, GLFW_KEY_ENTER, GLFW_KEY_DELETE, GLFW_KEY_UP, GLFW_KEY_DOWN, GLFW_KEY_A, GLFW_KEY_Z,
                     GLFW_KEY_F12, GLFW_KEY_PAGE_DOWN};
const int kCtrlKeys[] = {GLFW_KEY_Z, GLFW_KEY_Y, GLFW_KEY_S, GLFW_KEY_O, GLFW_KEY_Q, GLFW_KEY_A, GLFW_KEY_C, GLFW_KEY_V};
const char* const kTexts[] = {"0", "1", "5000", "-1", "1e300", "nan", "inf", "0.5", "3/4", "abc", "9999999999", ".", "-", "1e-9", "scene.json"};

class Monkey {
 public:
  Monkey(test::UiDriver& ui, Rng& rng, std::vector<std::string> scenes) : ui_(ui), rng_(rng), scenes_(std::move(scenes)) {}

  void act() {
    App& app = ui_.app;
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const double r = rng_.uniform();
    std::ostringstream what;
    if (r < 0.34) {
      const auto names = ui::mark_names();
      if (!names.empty()) {
        const std::string& name = names[rng_.below(names.size())];
        const auto m = ui::find_mark(name);
        what << "click " << name;
        if (m && m->visible) ui_.click_at(jitter(m->centre(), m->max.x - m->min.x, m->max.y - m->min.y), rng_.uniform() < 0.9 ? 0 : 1);
        else ui_.frames(1);
      }
    } else if (r < 0.46) {
      const ImVec2 at = random_point(size);
      what << "click " << at.x << "," << at.y;
      ui_.click_at(at, rng_.uniform() < 0.85 ? 0 : 1);
    } else if (r < 0.58) {
      const ImVec2 at = random_point(size);
      const float dx = static_cast<float>(rng_.uniform() * 300 - 150), dy = static_cast<float>(rng_.uniform() * 300 - 150);
      what << "drag " << at.x << "," << at.y << " by " << dx << "," << dy;
      ui_.drag_at(at, dx, dy, 1 + static_cast<int>(rng_.below(6)), rng_.uniform() < 0.8 ? 0 : 1);
    } else if (r < 0.66) {
      const ImVec2 at = random_point(size);
      const float notches = static_cast<float>(rng_.uniform() * 6 - 3);
      what << "wheel " << notches << " at " << at.x << "," << at.y;
      ui_.move_to(at);
      ui_.wheel(notches);
    } else if (r < 0.78) {
      const int key = kKeys[rng_.below(std::size(kKeys))];
      const bool shift = rng_.uniform() < 0.25;  // Shift+Left / Shift+Right jump the timeline
      what << (shift ? "shift " : "") << "key " << key;
      if (shift) ui_.key(key, {GLFW_KEY_LEFT_SHIFT});
      else ui_.key(key);
    } else if (r < 0.84) {
      const int key = kCtrlKeys[rng_.below(std::size(kCtrlKeys))];
      const bool shift = rng_.uniform() < 0.3;
      what << "ctrl" << (shift ? "+shift" : "") << " key " << key;
      if (shift) ui_.key(key, {GLFW_KEY_LEFT_CONTROL, GLFW_KEY_LEFT_SHIFT});
      else ui_.key(key, {GLFW_KEY_LEFT_CONTROL});
    } else if (r < 0.92) {
      const char* text = kTexts[rng_.below(std::size(kTexts))];
      what << "type " << text;
      ui_.type(text);
      if (rng_.uniform() < 0.5) ui_.key(GLFW_KEY_ENTER);
    } else if (r < 0.95) {
      const std::string& scene = scenes_[rng_.below(scenes_.size())];
      what << "open " << scene;
      app.scene_path = scene;
      app.request_open_scene(scene);
      ui_.frames(1);
    } else {
      what << "wait";
      ui_.frames(1 + static_cast<int>(rng_.below(5)));
    }
    remember(what.str());

    // A person presses Stop on a long recording; without it every later frame is a PNG on disk.
    if (app.recording_left > 0 && app.recording_index >= 8) {
      app.stop_recording();
      remember("(recording stopped)");
    }
    // Ctrl+Q or the dialog's Quit: the window would close here. Note it and carry on.
    if (app.quit) {
      app.quit = false;
      ++quits;
      remember("(quit)");
    }
  }

  std::string recent() const {
    std::string out;
    for (const auto& a : recent_) out += "  " + a + "\n";
    return out;
  }
  int quits = 0;

 private:
  ImVec2 random_point(ImVec2 size) { return {static_cast<float>(rng_.uniform() * size.x), static_cast<float>(rng_.uniform() * size.y)}; }
  ImVec2 jitter(ImVec2 c, float w, float h) {
    return {c.x + static_cast<float>((rng_.uniform() - 0.5) * 0.8 * w), c.y + static_cast<float>((rng_.uniform() - 0.5) * 0.8 * h)};
  }
  void remember(std::string a) {
    recent_.push_back(std::move(a));
    if (recent_.size() > 25) recent_.pop_front();
  }

  test::UiDriver& ui_;
  Rng& rng_;
  std::vector<std::string> scenes_;
  std::deque<std::string> recent_;
};

}  // namespace

TEST_CASE("gui_monkey: random clicks, drags, wheel, keys and text over every scene never crash, leak a GL error or hang") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  // Everything the monkey saves, records or exports lands in a scratch folder, on copies of the
  // shipped scenes (Ctrl+S writes to the scene's own file).
  const fs::path dir = test::temp_dir("monkey");
  std::vector<std::string> scenes;
  for (const auto& e : fs::directory_iterator(std::string(OBS_SOURCE_DIR) + "/scenes")) {
    if (e.path().extension() != ".json") continue;
    const fs::path to = dir / e.path().filename();
    fs::copy_file(e.path(), to);
    scenes.push_back(to.string());
  }
  std::sort(scenes.begin(), scenes.end());
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);

  const int frames_per_episode = env_int("OBS_MONKEY_FRAMES", 120);
  const int only_seed = env_int("OBS_MONKEY_SEED", 0);
  const int seeds = env_int("OBS_MONKEY_SEEDS", 1);
  GlWindow window(1280, 800, "monkey", /*visible=*/false);
  int episodes = 0, total_frames = 0;
  for (int s = 1; s <= seeds; ++s) {
    const std::uint64_t seed = only_seed ? static_cast<std::uint64_t>(only_seed) : static_cast<std::uint64_t>(s);
    // One episode per scene: the app opens it, then the monkey takes over.
    for (std::size_t k = 0; k < scenes.size(); ++k) {
      const std::string& start = scenes[(k + seed) % scenes.size()];
      Rng rng(seed * 1000 + k);
      while (glGetError() != GL_NO_ERROR) {
      }
      App app(window, make_session(load_scene(start)), Options{});
      app.session.runner->set_playing(true);
      test::UiDriver ui(app);
      {
        const GLenum gl_error = glGetError();
        INFO("scene " << start << ", first frames");
        REQUIRE_MESSAGE(gl_error == GL_NO_ERROR, "GL error " << gl_error);
      }
      Monkey monkey(ui, rng, scenes);
      using Clock = std::chrono::steady_clock;
      const auto begin = Clock::now();
      int frames_before = 0;
      while (frames_before < frames_per_episode) {
        const auto t0 = Clock::now();
        monkey.act();
        frames_before += 3;  // an action is about three frames
        const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        const GLenum gl_error = glGetError();
        INFO("seed " << seed << ", scene " << start << ", last actions:\n" << monkey.recent());
        REQUIRE_MESSAGE(gl_error == GL_NO_ERROR, "GL error " << gl_error);
        REQUIRE_MESSAGE(secs < 20.0, "an action took " << secs << " s: the window stopped answering");
      }
      // The simulation thread still answers: a posted edit is applied within the limit.
      app.session.runner->post([](System&) {});
      INFO("seed " << seed << ", scene " << start << ", last actions:\n" << monkey.recent());
      REQUIRE_MESSAGE(app.session.runner->sync_for(std::chrono::seconds(60)), "the simulation thread did not take an edit for 60 s (hung step)");
      // Let a scene that is still opening land before the App goes away.
      ui.frames_until([&] { return !app.opening(); }, 2000);
      total_frames += frames_before;
      ++episodes;
      MESSAGE("seed " << seed << " " << fs::path(start).filename().string() << ": " << frames_before << " frames in "
                      << std::chrono::duration<double>(Clock::now() - begin).count() << " s, " << monkey.quits << " quits");
    }
  }
  fs::current_path(cwd);
  CHECK(episodes == seeds * static_cast<int>(scenes.size()));
  MESSAGE(episodes << " episodes, about " << total_frames << " frames");
}
