#include "app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "gfx/gl.hpp"
#include "gfx/png.hpp"
#include "panels/panels.hpp"
#include "shortcuts.hpp"

namespace obs {
namespace {

std::mutex g_drop_mu;
std::vector<std::string> g_dropped;

void on_drop(GLFWwindow*, int count, const char** paths) {
  std::lock_guard lock(g_drop_mu);
  for (int i = 0; i < count; ++i) g_dropped.emplace_back(paths[i]);
}

// The first free "<dir>/observatory_0001.png"-style name.
std::string next_numbered(const std::string& dir, const char* stem) {
  namespace fs = std::filesystem;
  for (int i = 1;; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "%s_%04d.png", stem, i);
    const fs::path p = fs::path(dir) / name;
    if (!fs::exists(p)) return p.string();
  }
}

// Runs on the simulation thread after parameters were edited: a plain parameter is re-read, a
// restart parameter rebuilds the state. If the rebuild fails (e.g. over the memory budget) every
// parameter goes back to `old`, the old state is rebuilt, and the error reaches the log.
void finish_edit(System& s, const ParamSet& old, bool restart) {
  if (!restart) {
    s.params_changed();
    return;
  }
  try {
    s.reset(s.seed());
  } catch (...) {
    s.params() = old;
    s.reset(s.seed());
    throw;
  }
}

}  // namespace

std::vector<std::string> take_dropped_paths() {
  std::lock_guard lock(g_drop_mu);
  return std::exchange(g_dropped, {});
}

App::App(GlWindow& w, Session s, Options o) : window(w), session(std::move(s)), options(std::move(o)) {
  scene_path = session.scene.source == "<scene>" ? "scenes/my_scene.json" : session.scene.source;
  glfwSetDropCallback(window.handle(), on_drop);
  for (const auto& warning : session.scene.warnings) log(Event::Level::Warning, warning);
}

void App::log(Event::Level level, std::string text) {
  std::uint64_t step = session.runner ? session.runner->status().step : 0;
  log_lines.push_back({level, step, std::move(text)});
  while (log_lines.size() > 500) log_lines.pop_front();
}

bool App::edit_params(std::span<const ParamEdit> edits) {
  if (edits.empty()) return true;
  // Applied to a scratch copy first, so a refused edit leaves the panel's copy as it was.
  ParamSet next = session.params;
  std::vector<ParamEdit> posted;
  posted.reserve(edits.size());
  bool restart = false;
  try {
    for (const ParamEdit& e : edits) {
      const Param* p = next.find(e.name);
      if (!p) throw InputError("/params/" + e.name, "no such parameter in " + session.scene.system);
      if (p->type == ParamType::Rational) next.set_rational_text(e.name, e.text);
      else next.set_value(e.name, e.value);
      // What the panel will show is what the engine gets: the clamped value, the exact text.
      posted.push_back({p->name, p->value, p->text});
      restart = restart || p->restart_;
    }
  } catch (const InputError& e) {
    log(Event::Level::Error, std::string(e.what()).append(": edit not applied"));
    return false;
  }
  session.params = std::move(next);
  session.runner->post([posted = std::move(posted), restart](System& s) {
    const ParamSet old = s.params();
    try {
      for (const ParamEdit& e : posted) {
        if (s.params().at(e.name).type == ParamType::Rational) s.params().set_rational_text(e.name, e.text);
        else s.params().set_value(e.name, e.value);
      }
    } catch (...) {
      s.params() = old;  // all or nothing
      throw;
    }
    finish_edit(s, old, restart);
  });
  return true;
}

void App::apply_view_edits() {
  view_edits_.clear();
  session.view->take_param_edits(session.params, view_edits_);
  edit_params(view_edits_);
}

void App::toggle_play() { session.runner->set_playing(!session.runner->status().playing); }

void App::step_once() {
  if (!session.runner->status().playing) session.runner->step_once();
}

void App::reset_simulation() {
  session.runner->post([](System& s) { s.reset(s.seed()); });
}

bool App::open_scene(const std::string& path) {
  if (opening()) finish_open();  // a load already under way lands first
  request_open_scene(path);
  return finish_open();
}

void App::request_open_scene(const std::string& path) {
  if (opening()) {
    log(Event::Level::Warning, "still opening " + pending_path_ + "; " + path + " was not opened");
    return;
  }
  pending_path_ = path;
  pending_since_ = std::chrono::steady_clock::now();
  pending_open_ = std::async(std::launch::async, [path] { return load_scene_parts(path); });
}

void App::poll_pending_open() {
  if (opening() && pending_open_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) finish_open();
}

bool App::finish_open() {
  const std::string path = pending_path_;
  try {
    Session next = make_session_from(pending_open_.get());
    const bool was_playing = session.runner->status().playing;
    const double speed = session.runner->speed();
    session = std::move(next);  // the old runner stops and joins here
    session.runner->set_speed(speed);
    session.runner->set_worker_threads(sim_threads);
    session.runner->set_playing(was_playing);
    scene_path = path;
    load_error.clear();
    std::erase(recent, path);
    recent.insert(recent.begin(), path);
    if (recent.size() > 8) recent.pop_back();
    log(Event::Level::Info, "opened " + path);
    for (const auto& w : session.scene.warnings) log(Event::Level::Warning, w);
    return true;
  } catch (const std::exception& e) {
    // MuJoCo's rule: a bad model never replaces the running one.
    load_error = e.what();
    log(Event::Level::Error, load_error);
    return false;
  }
}

void App::draw_opening_notice(const ViewRect& rect) {
  if (!opening()) return;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - pending_since_).count();
  if (secs < 0.15) return;  // a quick open should not flash a notice
  char text[512];
  std::snprintf(text, sizeof text, "opening %s ... %.1f s", pending_path_.c_str(), secs);
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  const ImVec2 size = ImGui::CalcTextSize(text);
  const ImVec2 at{rect.min.x + (rect.width() - size.x) * 0.5f, rect.min.y + rect.height() * 0.45f};
  const float pad = ImGui::GetFontSize() * 0.6f;
  dl->AddRectFilled({at.x - pad, at.y - pad}, {at.x + size.x + pad, at.y + size.y + pad}, IM_COL32(20, 22, 28, 230), pad * 0.5f);
  dl->AddText(at, IM_COL32(235, 235, 240, 255), text);
}

bool App::save_scene(const std::string& path) {
  try {
    Scene s = current_scene(session);
    if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    obs::save_scene(path, s);
    session.scene.source = path;
    std::erase(recent, path);
    recent.insert(recent.begin(), path);
    log(Event::Level::Info, "saved scene to " + path);
    return true;
  } catch (const std::exception& e) {
    log(Event::Level::Error, std::string("save failed: ") + e.what());
    return false;
  }
}

void App::take_screenshot() { screenshot_requested_ = true; }

void App::start_recording(int frames) {
  namespace fs = std::filesystem;
  for (int i = 1;; ++i) {  // the first free screenshots/sequence_0001 folder
    char name[32];
    std::snprintf(name, sizeof name, "sequence_%04d", i);
    if (!fs::exists(fs::path(screenshot_dir) / name)) {
      recording_dir = (fs::path(screenshot_dir) / name).string();
      break;
    }
  }
  recording_left = frames;
  recording_index = 0;
}

void App::export_metrics_csv(const std::string& path) {
  try {
    if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    SeriesStore copy;
    session.runner->with_series([&](const SeriesStore& s) { copy = s; });  // don't stall the simulation on disk
    write_file_atomically(path, [&](std::ostream& out) { copy.write_csv(out); });
    log(Event::Level::Info, "metrics written to " + path);
  } catch (const std::exception& e) {
    log(Event::Level::Error, std::string("metrics export failed: ") + e.what());
  }
}

void App::drain_events() {
  bool failed = false;
  for (auto& e : session.runner->take_events()) {
    failed |= e.level == Event::Level::Error;
    log_lines.push_back({e.level, e.step, std::move(e.text)});
  }
  // A refused edit was rolled back in the engine; the panel's copy must follow, or it would
  // show (and Save would write) a value the simulation is not using.
  if (failed) session.runner->inspect([this](const System& s) { session.params = s.params(); });
  while (log_lines.size() > 500) log_lines.pop_front();
}

void App::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantCaptureKeyboard) return;
  for (const Shortcut& s : shortcuts()) {
    if (s.ctrl != io.KeyCtrl) continue;
    if (ImGui::IsKeyPressed(s.key, /*repeat=*/s.key == GLFW_KEY_RIGHT)) s.run(*this);
  }
}

void App::handle_drops() {
  for (const auto& path : take_dropped_paths()) {
    scene_path = path;
    request_open_scene(path);
  }
}

void App::frame(bool with_ui) {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  const ImGuiIO& io = ImGui::GetIO();

  const float panel_w = with_ui ? 21.0f * ImGui::GetFontSize() : 0.0f;
  ViewRect rect{{panel_w, 0}, {io.DisplaySize.x - panel_w, io.DisplaySize.y}};
  if (rect.max.x - rect.min.x < 64) rect = {{0, 0}, io.DisplaySize};

  if (with_ui) {
    draw_control_panel(*this, {0, 0}, {panel_w, io.DisplaySize.y});
    draw_metrics_panel(*this, {io.DisplaySize.x - panel_w, 0}, {panel_w, io.DisplaySize.y});
    if (!load_error.empty()) draw_error_panel(*this, rect);
    if (show_help) draw_help_overlay(*this);
  }
  draw_opening_notice(rect);
  handle_shortcuts();
  if (!io.WantCaptureMouse && rect.contains(io.MousePos)) session.view->handle_mouse(io, rect);
  // After the view's mouse, so a click is posted this frame; before its windows, so they draw
  // knowing which parameters exist (an inspector's close button is posted with the next frame).
  apply_view_edits();

  const auto snap = session.runner->snapshot();
  if (snap) {
    session.view->overlay(*snap, ImGui::GetBackgroundDrawList(), rect);
    if (with_ui) session.view->windows(*snap, rect);
  }
  ImGui::Render();

  int fbw = 0, fbh = 0;
  window.framebuffer_size(fbw, fbh);
  if (!frame_fbo_.ensure(fbw, fbh)) return;
  frame_fbo_.bind();
  glDisable(GL_SCISSOR_TEST);
  glClearColor(0.08f, 0.085f, 0.10f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  // The view's pixel rectangle (GL counts rows from the bottom).
  const float sx = io.DisplayFramebufferScale.x, sy = io.DisplayFramebufferScale.y;
  const int vx = static_cast<int>(rect.min.x * sx), vw = static_cast<int>(rect.width() * sx);
  const int vh = static_cast<int>(rect.height() * sy), vy = fbh - static_cast<int>(rect.max.y * sy);
  if (snap && vw > 0 && vh > 0) {
    glViewport(vx, vy, vw, vh);
    glEnable(GL_SCISSOR_TEST);
    glScissor(vx, vy, vw, vh);
    glClearColor(0.11f, 0.115f, 0.135f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    session.view->draw(*snap, vw, vh);
    glDisable(GL_SCISSOR_TEST);
  }
  glViewport(0, 0, fbw, fbh);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

gfx::Image App::render(bool with_ui) {
  // Two frames: ImGui lays windows out on the first and draws them settled on the second.
  frame(with_ui);
  frame(with_ui);
  return frame_fbo_.read();
}

void App::capture_if_requested() {
  try {
    if (screenshot_requested_) {
      screenshot_requested_ = false;
      std::filesystem::create_directories(screenshot_dir);
      const std::string path = next_numbered(screenshot_dir, "observatory");
      gfx::write_png(path, screenshot_with_ui ? frame_fbo_.read() : render(false));
      last_capture = path;
      log(Event::Level::Info, "screenshot " + path);
    }
    if (recording_left > 0) {
      std::filesystem::create_directories(recording_dir);
      char name[32];
      std::snprintf(name, sizeof name, "frame_%05d.png", ++recording_index);
      const std::string path = (std::filesystem::path(recording_dir) / name).string();
      gfx::write_png(path, frame_fbo_.read());
      last_capture = path;
      if (--recording_left == 0) log(Event::Level::Info, "recorded " + std::to_string(recording_index) + " frames into " + recording_dir);
    }
  } catch (const std::exception& e) {
    recording_left = 0;
    log(Event::Level::Error, std::string("capture failed: ") + e.what());
  }
}

int App::run() {
  using Clock = std::chrono::steady_clock;
  auto last = Clock::now();
  int frames = 0;
  session.runner->set_speed(paced_speed);
  session.runner->set_worker_threads(sim_threads);
  session.runner->set_playing(true);  // a first launch should show something moving
  while (!glfwWindowShouldClose(window.handle()) && !quit) {
    const auto start = Clock::now();
    glfwPollEvents();
    handle_drops();
    poll_pending_open();
    drain_events();
    frame(show_ui);
    capture_if_requested();
    int fbw = 0, fbh = 0;
    window.framebuffer_size(fbw, fbh);
    frame_fbo_.blit_to(0, 0, 0, fbw, fbh);
    glfwSwapBuffers(window.handle());

    const double dt = std::chrono::duration<double>(Clock::now() - last).count();
    last = Clock::now();
    fps = fps == 0 ? static_cast<float>(1.0 / std::max(dt, 1e-6)) : 0.9f * fps + 0.1f * static_cast<float>(1.0 / std::max(dt, 1e-6));
    if (options.frames > 0 && ++frames >= options.frames) break;
    // Cap at ~60 fps so the render thread leaves the cores to the simulation.
    const auto spent = Clock::now() - start;
    if (spent < std::chrono::milliseconds(16)) std::this_thread::sleep_for(std::chrono::milliseconds(16) - spent);
  }
  if (!options.screenshot.empty()) {
    try {
      gfx::write_png(options.screenshot, render(options.screenshot_ui && show_ui));
      std::printf("screenshot: %s\n", options.screenshot.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "observatory: %s\n", e.what());
      return 1;
    }
  }
  return 0;
}

}  // namespace obs
