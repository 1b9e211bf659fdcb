#include "app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/checkpoint.hpp"
#include "core/input_error.hpp"
#include "gfx/gl.hpp"
#include "gfx/png.hpp"
#include "input/ui_marks.hpp"
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
// restart parameter rebuilds the state. A restart the checks refuse (over the memory budget, a
// bad combination) puts every parameter back to `old` and leaves the running state untouched:
// the run goes on from where it was. One that fails while rebuilding (a data set that cannot
// be read) has already changed the state, so the old one is rebuilt from its seed. Either way
// the error reaches the log.
void finish_edit(System& s, const ParamSet& old, bool restart) {
  if (!restart) {
    s.apply_params();
    return;
  }
  try {
    s.check_reset();
  } catch (...) {
    s.params() = old;
    throw;
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
  save_as_path = scene_path;
  glfwSetDropCallback(window.handle(), on_drop);
  for (const auto& warning : session.scene.warnings) log(Event::Level::Warning, warning);
  update_title();
}

void App::log(Event::Level level, std::string text) {
  std::uint64_t step = session.runner ? session.runner->status().step : 0;
  log_lines.push_back({level, step, std::move(text)});
  last_log_is_edit_ = false;  // edit_params sets it again after logging an edit
  while (log_lines.size() > 500) log_lines.pop_front();
}

bool App::edit_params(std::span<const ParamEdit> edits, bool continues, std::span<const ParamEdit> given_before) {
  if (edits.empty()) return true;
  // Applied to a scratch copy first, so a refused edit leaves the panel's copy as it was.
  ParamSet next = session.params;
  for (const ParamEdit& b : given_before) {
    if (!next.find(b.name)) continue;
    if (next.at(b.name).type == ParamType::Rational) next.set_rational_text(b.name, b.text);
    else next.set_value(b.name, b.value);
  }
  const ParamSet was_set = next;  // the values before this edit
  std::vector<ParamEdit> posted, before;
  posted.reserve(edits.size());
  bool restart = false;
  try {
    for (const ParamEdit& e : edits) {
      const Param* p = next.find(e.name);
      if (!p) throw InputError("/params/" + e.name, "no such parameter in " + session.scene.system);
      before.push_back({p->name, p->value, p->text});
      if (p->type == ParamType::Rational) next.set_rational_text(e.name, e.text);
      else next.set_value(e.name, e.value);
      // What the panel will show is what the engine gets: the clamped value, the exact text.
      posted.push_back({p->name, p->value, p->text});
      restart = restart || p->restart_;
    }
  } catch (const InputError& e) {
    log(Event::Level::Error, std::string(e.what()).append(": edit not applied"));
    // The panel's copy goes back to what the engine runs (a widget may have moved it).
    session.params = was_set;
    return false;
  }

  // The log says what changed, old -> new; one drag rewrites its own line instead of adding sixty.
  std::string text;
  for (std::size_t i = 0; i < posted.size(); ++i) {
    const Param& now = next.at(posted[i].name);
    const Param* was = was_set.find(posted[i].name);
    if (!text.empty()) text += ", ";
    text += now.name + ": " + (was ? was->value_text() : std::string("?")) + " -> " + now.value_text();
  }
  // Only the same parameters' drag merges (a view's probe edit may have come in between).
  auto same_names = [&](const std::vector<ParamEdit>& a) {
    return a.size() == posted.size() && std::equal(a.begin(), a.end(), posted.begin(), [](const ParamEdit& x, const ParamEdit& y) { return x.name == y.name; });
  };
  const bool merge = continues && !undo_.empty() && last_log_is_edit_ && !log_lines.empty() && same_names(undo_.back().after) &&
                     undo_.back().target == twin_target_;
  if (merge) {
    ParamChange& last = undo_.back();
    last.after = posted;
    // The line keeps the drag's starting value.
    std::string merged;
    for (std::size_t i = 0; i < posted.size(); ++i) {
      const auto it = std::find_if(last.before.begin(), last.before.end(), [&](const ParamEdit& b) { return b.name == posted[i].name; });
      const Param& now = next.at(posted[i].name);
      Param was = now;
      if (it != last.before.end()) { was.value = it->value; was.text = it->text; }
      if (!merged.empty()) merged += ", ";
      merged += now.name + ": " + was.value_text() + " -> " + now.value_text();
    }
    log_lines.back().text = merged;
  } else {
    undo_.push_back({std::move(before), posted, twin_target_});
    if (undo_.size() > 200) undo_.erase(undo_.begin());
    log(Event::Level::Info, twin_log_prefix() + text);
    mark(session.runner->status().step, MarkerKind::Edit, twin_log_prefix() + text);  // one per edit: a drag's merges add none
  }
  redo_.clear();
  last_log_is_edit_ = true;

  session.params = std::move(next);
  post_to_target([posted = std::move(posted), restart](System& s) {
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

bool App::apply_change(const std::vector<ParamEdit>& edits, const char* verb) {
  // Undo and redo go through the one edit path, then put the history back as it was
  // (edit_params would record them as new edits and clear the redo list).
  auto undo = std::move(undo_);
  auto redo = std::move(redo_);
  const bool ok = edit_params(edits);
  undo_ = std::move(undo);
  redo_ = std::move(redo);
  if (ok && !log_lines.empty()) log_lines.back().text.insert(0, std::string(verb) + " ");
  last_log_is_edit_ = false;
  return ok;
}

bool App::undo() {
  if (undo_.empty()) {
    log(Event::Level::Info, "nothing to undo");
    return false;
  }
  ParamChange c = std::move(undo_.back());
  undo_.pop_back();
  if (twinned()) set_twin_target(c.target);  // undone where it was done, and shown there
  if (!apply_change(c.before, "undo:")) return false;
  redo_.push_back(std::move(c));
  return true;
}

bool App::redo() {
  if (redo_.empty()) {
    log(Event::Level::Info, "nothing to redo");
    return false;
  }
  ParamChange c = std::move(redo_.back());
  redo_.pop_back();
  if (twinned()) set_twin_target(c.target);
  if (!apply_change(c.after, "redo:")) return false;
  undo_.push_back(std::move(c));
  return true;
}

bool App::dirty() const {
  if (session.runner->status().seed != session.file_seed) return true;
  // What Save writes is A's: with B's values on the panel, A's decide.
  const ParamSet& saved = twin_target_ == TwinPair::Side::B && twinned() ? a_params_ : session.params;
  for (const Param& p : saved.all()) {
    const Param* f = session.file_params.find(p.name);
    if (!f) return true;
    if (p.type == ParamType::Rational ? p.text != f->text : p.value != f->value) return true;
  }
  return false;
}

void App::revert_to_scene() {
  std::vector<ParamEdit> edits;
  for (const Param& f : session.file_params.all()) {
    const Param* p = session.params.find(f.name);
    if (p && (p->type == ParamType::Rational ? p->text != f.text : p->value != f.value)) edits.push_back({f.name, f.value, f.text});
  }
  edit_params(edits);
  if (session.runner->status().seed != session.file_seed) {
    const std::uint64_t seed = session.file_seed;
    session.runner->post([seed](System& s) { s.reset(seed); });
    log(Event::Level::Info, "seed back to the scene's, " + std::to_string(seed));
  }
  if (edits.empty() && session.runner->status().seed == session.file_seed) log(Event::Level::Info, "already as the scene file says");
}

void App::apply_view_edits() {
  view_edits_.clear();
  session.view->take_param_edits(session.params, view_edits_);
  edit_params(view_edits_);
}

void App::fork() {
  if (twinned()) {
    log(Event::Level::Info, "already twinned: keep A or B first");
    return;
  }
  session.runner->fork();
  mark(session.runner->status().step, MarkerKind::Fork, "forked into A and B");
  set_twin_target(TwinPair::Side::B);  // what a person forks for: to change B
}

void App::keep_twin(TwinPair::Side side) {
  if (!twinned()) return;
  session.runner->keep_side(side);
  mark(session.runner->status().step, MarkerKind::Fork, side == TwinPair::Side::A ? "kept A" : "kept B");
  // B's view (its settings are A's anyway) becomes the one view; the pane drops A's.
  if (side == TwinPair::Side::B && session.twin_view) std::swap(session.view, session.twin_view);
  session.twin_view.reset();
  twin_target_ = TwinPair::Side::Both;
  adopted_params_version_ = ~0ull;  // take the kept side's parameters when the runner publishes them
}

void App::set_twin_target(TwinPair::Side side) {
  twin_target_ = side;
  // The panel shows the side it edits, at once (the engine's published copy: never waits).
  const SimRunner::ParamsRecord record = session.runner->params_record();
  session.params = side == TwinPair::Side::B && record.twinned ? record.b_params : record.params;
  adopted_params_version_ = ~0ull;  // and follows it from the next publication on
}

std::string App::twin_log_prefix() const {
  if (!twinned()) return {};
  return twin_target_ == TwinPair::Side::A ? "A: " : twin_target_ == TwinPair::Side::B ? "B: " : "A+B: ";
}

void App::post_to_target(std::function<void(System&)> fn) {
  session.runner->post([fn = std::move(fn), target = twin_target_](System& s) { for_each_side(s, target, fn); });
}

void App::toggle_play() { session.runner->set_playing(!session.runner->status().playing); }

void App::step_once() {
  if (!session.runner->status().playing) session.runner->step_once();
}

void App::rewind_by(std::int64_t delta) {
  SimRunner& runner = *session.runner;
  const SimRunner::Status st = runner.status();
  if (delta < 0) {
    const auto back = static_cast<std::uint64_t>(-delta);
    const std::uint64_t target = st.step > back ? st.step - back : 0;
    runner.scrub_to(target);
    if (target < st.step) mark(target, MarkerKind::Rewind, "back from step " + std::to_string(st.step));
    return;
  }
  const std::uint64_t target = st.step + static_cast<std::uint64_t>(delta);
  runner.scrub_to(std::min(target, st.head_step));  // pauses; along the recorded run
  if (target > st.head_step) runner.step_once(static_cast<int>(target - std::max(st.head_step, st.step)));
}

void App::reset_simulation() {
  session.runner->post([](System& s) { s.reset(s.seed()); });
  log(Event::Level::Info, "reset (same seed)");
  clear_plot_state();
}

void App::mark(std::uint64_t step, MarkerKind kind, std::string what) {
  if (kind == MarkerKind::Rewind && !markers_.empty() && markers_.back().kind == MarkerKind::Rewind && step <= markers_.back().step) {
    markers_.back().step = step;  // the same walk back: one mark, where it ends
    return;
  }
  markers_.push_back({step, kind, std::move(what)});
  if (markers_.size() > 1000) markers_.erase(markers_.begin());  // a bound, like the log's
}

// A new history starts: old marks and a zoom into old steps would point at steps that mean
// something else now.
void App::clear_plot_state() {
  markers_.clear();
  plot_zoom.reset();
  scrub_from.reset();
}

bool App::open_scene(const std::string& path) {
  if (opening()) finish_open();  // a load already under way lands first
  open_scene_discarding(path);
  return finish_open();
}

void App::request_open_scene(const std::string& path) {
  if (dirty() && !opening()) {
    dialog = Dialog::UnsavedOpen;
    dialog_path = path;
    return;
  }
  open_scene_discarding(path);
}

void App::open_scene_discarding(const std::string& path) {
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
    save_as_path = path;
    undo_.clear();
    redo_.clear();
    last_log_is_edit_ = false;
    clear_plot_state();
    load_error.clear();
    std::erase(recent, path);
    recent.insert(recent.begin(), path);
    if (recent.size() > 8) recent.pop_back();
    log(Event::Level::Info, "opened " + path);
    for (const auto& w : session.scene.warnings) log(Event::Level::Warning, w);
    update_title();
    return true;
  } catch (const std::exception& e) {
    // MuJoCo's rule: a bad model never replaces the running one.
    load_error = e.what();
    log(Event::Level::Error, load_error);
    return false;
  }
}

double App::opening_seconds() const {
  return opening() ? std::chrono::duration<double>(std::chrono::steady_clock::now() - pending_since_).count() : 0.0;
}

bool App::save_scene(const std::string& path) {
  try {
    ParamSet written;
    Scene s = current_scene(session, &written);
    if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    std::string saved_state;
    if (save_with_state) {
      // The state first: a scene never names a state file that is not there whole.
      const std::string state_path = state_path_for(path);
      std::string bytes;
      std::uint64_t step = 0;
      session.runner->inspect([&](const System& system) {
        const System& a = side_of(system, TwinPair::Side::A);  // a twin pair saves its original run
        bytes = write_checkpoint(a);
        step = a.steps();
      });
      write_file_atomically(state_path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
      s.state = SceneState{std::filesystem::path(state_path).filename().string(), state_checksum_text(checkpoint_checksum(bytes)), state_path};
      char what[96];
      std::snprintf(what, sizeof what, " and its state at step %llu (%.1f MB, %s)", static_cast<unsigned long long>(step),
                    static_cast<double>(bytes.size()) / 1e6, s.state->file.c_str());
      saved_state = what;
    }
    obs::save_scene(path, s);
    session.scene.state = s.state;
    session.scene.source = path;
    // What was written is now the scene file: nothing is unsaved until the next edit.
    session.file_params = std::move(written);
    session.file_seed = s.seed;
    save_as_path = path;
    update_title();
    std::erase(recent, path);
    recent.insert(recent.begin(), path);
    log(Event::Level::Info, "saved scene to " + path + saved_state);
    return true;
  } catch (const std::exception& e) {
    log(Event::Level::Error, std::string("save failed: ") + e.what());
    return false;
  }
}

void App::save() {
  if (session.scene.source == "<scene>") {
    request_save_as();
  } else if (would_overwrite_state(session.scene.source)) {
    dialog_path = session.scene.source;
    dialog = Dialog::ConfirmOverwrite;
  } else {
    save_scene(session.scene.source);
  }
}

std::string App::state_path_for(const std::string& scene_path) {
  return std::filesystem::path(scene_path).replace_extension(".state").string();
}

bool App::would_overwrite_state(const std::string& scene_path) const {
  if (!save_with_state) return false;
  const std::string state = state_path_for(scene_path);
  std::error_code ec;
  if (!std::filesystem::exists(state, ec)) return false;
  return !(session.scene.state && std::filesystem::equivalent(session.scene.state->path, state, ec));
}

void App::request_save_as() { dialog = Dialog::SaveAs; }

void App::request_quit() {
  if (dirty()) dialog = Dialog::UnsavedQuit;
  else quit = true;
}

void App::update_title() {
  const std::string name = session.scene.source == "<scene>" ? "untitled" : std::filesystem::path(session.scene.source).filename().string();
  std::string title = (dirty() ? "* " : "") + name + " - The Observatory" + (recording_left > 0 ? "  [REC]" : "");
  if (title != title_) {
    title_ = title;
    glfwSetWindowTitle(window.handle(), title_.c_str());
  }
}

void App::take_screenshot() { screenshot_requested_ = true; }

void App::start_recording(int frames) {
  namespace fs = std::filesystem;
  video_path_.clear();
  if (record_format != RecordFormat::PngFrames) {
    ffmpeg_ = gfx::find_ffmpeg();
    if (ffmpeg_.empty()) {
      log(Event::Level::Warning, "no ffmpeg on PATH (apt-get install ffmpeg): recording PNG frames instead");
    } else {
      video_format_ = record_format == RecordFormat::Mp4 ? gfx::VideoFormat::Mp4 : gfx::VideoFormat::Gif;
      for (int i = 1;; ++i) {  // the first free screenshots/recording_0001.mp4: nothing is overwritten
        char name[40];
        std::snprintf(name, sizeof name, "recording_%04d.%s", i, gfx::video_extension(video_format_));
        const fs::path path = fs::path(screenshot_dir) / name;
        if (!fs::exists(path) && !fs::exists(path.string() + ".part")) {
          video_path_ = path.string();
          break;
        }
      }
      recording_left = frames;
      recording_index = 0;
      log(Event::Level::Info, "recording " + std::to_string(frames) + " frames at " + std::to_string(record_fps) + " fps into " +
                                  video_path_ + " (" + ffmpeg_ + ")");
      return;
    }
  }
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
  log(Event::Level::Info, "recording " + std::to_string(frames) + " frames into " + recording_dir);
}

void App::stop_recording() {
  if (video_path_.empty()) {
    if (recording_index > 0) log(Event::Level::Info, "recorded " + std::to_string(recording_index) + " frames into " + recording_dir);
  } else {
    std::string error;
    if (video_ && video_->finish(error)) {
      last_capture = video_->path();
      log(Event::Level::Info, "recorded " + std::to_string(video_->frames()) + " frames into " + video_->path());
    } else {
      log(Event::Level::Error, "no video written: " + (video_ ? error : std::string("no frame was recorded")));
    }
    video_.reset();
    video_path_.clear();
  }
  recording_left = 0;
}

void App::capture_video_frame() {
  const gfx::Image frame = frame_fbo_.read();
  if (!video_) {
    std::filesystem::create_directories(std::filesystem::path(video_path_).parent_path());
    video_ = std::make_unique<gfx::VideoPipe>(ffmpeg_, video_path_, video_format_, frame.width, frame.height, record_fps);
  }
  video_->write(frame);
  ++recording_index;
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
  for (auto& e : session.runner->take_events()) {
    log_lines.push_back({e.level, e.step, std::move(e.text)});
    last_log_is_edit_ = false;  // a drag's line is no longer the last one: it must not be rewritten
  }
  while (log_lines.size() > 500) log_lines.pop_front();
  adopt_engine_params();
}

void App::adopt_engine_params() {
  // Once the engine has applied every queued edit, the panel's copy follows what it runs: a
  // refused edit was rolled back there and must not stay on screen (or be saved). Read from
  // the runner's published copy: the window never waits for a step.
  if (session.runner->params_version() == adopted_params_version_) return;
  SimRunner::ParamsRecord record = session.runner->params_record();
  if (!record.current) return;  // edits still queued: the panel is ahead of the engine, as it should be
  a_params_ = record.params;
  session.params = std::move(record.twinned && twin_target_ == TwinPair::Side::B ? record.b_params : record.params);
  adopted_params_version_ = record.version;
}

void App::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantCaptureKeyboard || dialog != Dialog::None) return;
  for (const Shortcut& s : shortcuts()) {
    if (s.ctrl != io.KeyCtrl || s.shift != io.KeyShift) continue;
    if (ImGui::IsKeyPressed(s.key, /*repeat=*/s.key == GLFW_KEY_RIGHT || s.key == GLFW_KEY_LEFT)) s.run(*this);
  }
}

void App::handle_drops() {
  for (const auto& path : take_dropped_paths()) {
    scene_path = path;
    request_open_scene(path);  // asks first if the running scene has unsaved changes
  }
}

void App::frame(bool with_ui, bool interactive) {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (synthetic_input) synthetic_input->apply(ImGui::GetIO());
  ImGui::NewFrame();
  ui::begin_marks_frame();
  const ImGuiIO& io = ImGui::GetIO();

  // Side panels keep the width a person dragged them to, within limits that leave the view room.
  const float em = ImGui::GetFontSize();
  const float max_panel = std::max(12 * em, io.DisplaySize.x * 0.4f);
  if (left_panel_w <= 0) left_panel_w = 21 * em;
  if (right_panel_w <= 0) right_panel_w = 21 * em;
  left_panel_w = std::clamp(left_panel_w, 12 * em, max_panel);
  right_panel_w = std::clamp(right_panel_w, 12 * em, max_panel);
  const float lw = with_ui ? left_panel_w : 0.0f, rw = with_ui ? right_panel_w : 0.0f;
  ViewRect rect{{lw, 0}, {io.DisplaySize.x - rw, io.DisplaySize.y}};
  if (rect.max.x - rect.min.x < 64) rect = {{0, 0}, io.DisplaySize};

  if (with_ui && rect.height() > 4 * timeline_bar_height()) {
    // The timeline takes the bottom of the view's column, so nothing is drawn under it.
    const ViewRect bar{{rect.min.x, rect.max.y - timeline_bar_height()}, rect.max};
    rect.max.y = bar.min.y;
    draw_timeline_bar(*this, bar);
  }
  if (with_ui) {
    left_panel_w = draw_control_panel(*this, {0, 0}, {lw, io.DisplaySize.y}, max_panel);
    right_panel_w = draw_metrics_panel(*this, {io.DisplaySize.x - rw, 0}, {rw, io.DisplaySize.y}, max_panel);
    if (!load_error.empty()) draw_error_panel(*this, rect);
    if (show_dashboard) draw_dashboard_window(*this);
    if (show_help) draw_help_overlay(*this);
  }
  if (interactive) draw_dialogs(*this);
  draw_view_notices(*this, rect, interactive && !with_ui);
  handle_shortcuts();
  const auto snap = session.runner->snapshot();
  const std::vector<ViewPane> panes = view_panes(snap, rect);
  // One camera for both twins: the pointer steers A's view over either pane, and B's view
  // takes A's settings whenever they change.
  for (const ViewPane& pane : panes)
    if (!io.WantCaptureMouse && pane.rect.contains(io.MousePos)) session.view->handle_mouse(io, pane.rect);
  // After the view's mouse, so a click is posted this frame; before its windows, so they draw
  // knowing which parameters exist (an inspector's close button is posted with the next frame).
  apply_view_edits();
  for (const ViewPane& pane : panes) {
    if (MetricHistory* history = pane.view->metric_history())
      session.runner->with_series([&](const SeriesStore& store) { history->copy_from(store, pane.metric_prefix); });
    // The views are laid out for about 600 px; beside the panels each twin gets half that.
    if (panes.size() > 1)
      draw_twin_label(pane.label, pane.view == session.view.get() ? "A" : "B", twin_target_,
                      /*narrow_hint=*/with_ui && pane.rect.width() < 560);
    if (!pane.snap) continue;
    // A pane's overlay text stays in its pane: A's header line must not run on into B's.
    ImGui::GetBackgroundDrawList()->PushClipRect(pane.rect.min, pane.rect.max, true);
    pane.view->overlay(*pane.snap, ImGui::GetBackgroundDrawList(), pane.rect);
    ImGui::GetBackgroundDrawList()->PopClipRect();
  }
  if (snap && with_ui && !panes.empty() && panes.front().snap) session.view->windows(*panes.front().snap, panes.front().rect);
  ImGui::Render();

  int fbw = 0, fbh = 0;
  window.framebuffer_size(fbw, fbh);
  if (!frame_fbo_.ensure(fbw, fbh)) return;
  frame_fbo_.bind();
  glDisable(GL_SCISSOR_TEST);
  glClearColor(0.08f, 0.085f, 0.10f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  for (const ViewPane& pane : panes) {
    // The pane's pixel rectangle (GL counts rows from the bottom).
    const float sx = io.DisplayFramebufferScale.x, sy = io.DisplayFramebufferScale.y;
    const int vx = static_cast<int>(pane.rect.min.x * sx), vw = static_cast<int>(pane.rect.width() * sx);
    const int vh = static_cast<int>(pane.rect.height() * sy), vy = fbh - static_cast<int>(pane.rect.max.y * sy);
    if (!pane.snap || vw <= 0 || vh <= 0) continue;
    glViewport(vx, vy, vw, vh);
    glEnable(GL_SCISSOR_TEST);
    glScissor(vx, vy, vw, vh);
    glClearColor(0.11f, 0.115f, 0.135f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    pane.view->draw(*pane.snap, vw, vh);
    glDisable(GL_SCISSOR_TEST);
  }
  glViewport(0, 0, fbw, fbh);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

std::vector<App::ViewPane> App::view_panes(const std::shared_ptr<const Snapshot>& snap, const ViewRect& rect) {
  const auto* twins = dynamic_cast<const TwinSnapshot*>(snap.get());
  if (!twins) {
    session.twin_view.reset();  // a pair's last frames are over: B's view goes with it
    return {{session.view.get(), snap, rect, "", {}}};
  }
  const nlohmann::json settings = session.view->save();
  if (!session.twin_view) {
    session.twin_view = make_scene_view(session.scene);
    twin_view_settings_ = nullptr;
  }
  if (settings != twin_view_settings_) {
    session.twin_view->load(settings);
    twin_view_settings_ = settings;
  }
  // Side by side, A on the left, a gap between them so neither picture seems to continue, and
  // each under a strip with its name, so the label never covers the view's own text.
  const float em = ImGui::GetFontSize(), gap = em * 0.25f, mid = (rect.min.x + rect.max.x) * 0.5f, strip = em * 1.6f;
  const float top = std::min(rect.min.y + strip, rect.max.y);
  return {{session.view.get(), twins->a, {{rect.min.x, top}, {mid - gap, rect.max.y}}, "a_", {rect.min, {mid - gap, top}}},
          {session.twin_view.get(), twins->b, {{mid + gap, top}, rect.max}, "b_", {{mid + gap, rect.min.y}, {rect.max.x, top}}}};
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
    if (recording_left > 0 && recording_video()) {
      capture_video_frame();
      if (--recording_left == 0) stop_recording();
    } else if (recording_left > 0) {
      std::filesystem::create_directories(recording_dir);
      char name[32];
      std::snprintf(name, sizeof name, "frame_%05d.png", ++recording_index);
      const std::string path = (std::filesystem::path(recording_dir) / name).string();
      gfx::write_png(path, frame_fbo_.read());
      last_capture = path;
      if (--recording_left == 0) stop_recording();
    }
  } catch (const std::exception& e) {
    log(Event::Level::Error, std::string("capture failed: ") + e.what());
    if (recording_left > 0) stop_recording();
  }
}

void App::run_frame() {
  glfwPollEvents();
  // The window's close button asks, as Ctrl+Q does, when something is unsaved.
  if (glfwWindowShouldClose(window.handle())) {
    glfwSetWindowShouldClose(window.handle(), GLFW_FALSE);
    request_quit();
  }
  handle_drops();
  poll_pending_open();
  drain_events();
  frame(show_ui, /*interactive=*/true);
  capture_if_requested();
  update_title();
  int fbw = 0, fbh = 0;
  window.framebuffer_size(fbw, fbh);
  frame_fbo_.blit_to(0, 0, 0, fbw, fbh);
  glfwSwapBuffers(window.handle());

  using Clock = std::chrono::steady_clock;
  const double dt = std::chrono::duration<double>(Clock::now() - last_frame_).count();
  last_frame_ = Clock::now();
  fps = fps == 0 ? static_cast<float>(1.0 / std::max(dt, 1e-6)) : 0.9f * fps + 0.1f * static_cast<float>(1.0 / std::max(dt, 1e-6));
}

int App::run() {
  using Clock = std::chrono::steady_clock;
  int frames = 0;
  session.runner->set_speed(paced_speed);
  session.runner->set_worker_threads(sim_threads);
  session.runner->set_playing(true);  // a first launch should show something moving
  while (!quit) {
    const auto start = Clock::now();
    run_frame();
    if (options.frames > 0 && ++frames >= options.frames) break;
    // Cap at ~60 fps so the render thread leaves the cores to the simulation.
    const auto spent = Clock::now() - start;
    if (spent < std::chrono::milliseconds(16)) std::this_thread::sleep_for(std::chrono::milliseconds(16) - spent);
  }
  if (recording_left > 0) stop_recording();  // a video recorded up to the quit is kept, finished
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
