#pragma once
// The Observatory window: a frame loop that draws the running session's view between two
// side panels, feeds input to ImGui first and to the view's camera only when ImGui does not
// want it, and turns shortcuts, drops and panel buttons into actions.
#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "gfx/framebuffer.hpp"
#include "gfx/video_pipe.hpp"
#include "input/synthetic_input.hpp"
#include "lab/dashboard_data.hpp"
#include "platform/gl_window.hpp"
#include "plot_markers.hpp"
#include "session.hpp"

namespace obs {

struct LogLine {
  Event::Level level;
  std::uint64_t step;
  std::string text;
};

class App {
 public:
  App(GlWindow& window, Session session, Options options);

  // The interactive loop; returns the process exit code.
  int run();
  // One pass of that loop, exactly as run() makes it (events, a pending open, the engine's
  // log, the frame, captures, presenting): tests drive the app through it with synthetic input.
  void run_frame();
  // Renders one frame into the offscreen target (not presented) and returns its pixels.
  gfx::Image render(bool with_ui);
  // When set, stands in for the mouse and keyboard (tests: scripted and random input).
  SyntheticInput* synthetic_input = nullptr;

  // ---- actions (panels, shortcuts and drops call these) -------------------------------
  void toggle_play();
  void step_once();
  // Moves the shown step by `delta` (pausing): back through the rewind history, forward along
  // the recorded run, and past its head by new steps.
  void rewind_by(std::int64_t delta);
  void reset_simulation();
  // Opening builds the new state on a worker thread; the running scene stays on screen (and
  // stays if the new one is bad: error panel) until the new one is ready. open_scene waits for
  // it (tests, startup); request_open_scene returns at once (panels, shortcuts, drops).
  bool open_scene(const std::string& path);  // false: error panel shown, old scene kept
  void request_open_scene(const std::string& path);
  // Opens without asking about unsaved changes (the dialog's "discard" answer, drops).
  void open_scene_discarding(const std::string& path);
  bool opening() const { return pending_open_.valid(); }
  const std::string& opening_path() const { return pending_path_; }
  double opening_seconds() const;
  void poll_pending_open();  // the frame loop calls it: swaps in a scene that finished loading
  // Writes the running scene to `path` (atomic) and makes it the scene's file: no questions.
  bool save_scene(const std::string& path);
  // Save (Ctrl+S): to the file the scene came from; a scene with no file asks for a path.
  void save();
  // Save writes the running state too (save_with_state: "parameters and state"): a checkpoint
  // NAME.state beside NAME.json, which the scene names with its checksum, so opening the scene
  // restores the trained network. state_path_for gives that file's path.
  bool save_with_state = false;
  static std::string state_path_for(const std::string& scene_path);
  // Saving to `scene_path` would replace a state file that is not the open scene's own.
  bool would_overwrite_state(const std::string& scene_path) const;
  // Save as (Ctrl+Shift+S): asks for a path, and before overwriting any existing file.
  void request_save_as();
  // Quitting (Ctrl+Q, the window's close button) and opening another scene ask first when
  // the running scene has unsaved changes.
  void request_quit();
  // Parameters and seed differ from the scene file's (or the scene has no file yet).
  bool dirty() const;
  // Every parameter back to the scene file's value, the seed too (one edit, undoable).
  void revert_to_scene();
  // Ctrl+Z / Ctrl+Shift+Z: parameter edits, as the log lists them.
  bool undo();
  bool redo();
  void take_screenshot();
  void start_recording(int frames);
  bool recording_video() const { return static_cast<bool>(video_) || !video_path_.empty(); }
  const std::string& recording_target() const { return recording_video() ? video_path_ : recording_dir; }
  void export_metrics_csv(const std::string& path);

  // ---- twins (A/B) ------------------------------------------------------------------------
  // Fork (F, the Twins section): the run, A, gets a twin B, a deep copy stepping beside it in
  // lockstep (SimRunner::fork); the view shows them side by side and the plots overlay them.
  // Edits and perturbations go to the side(s) twin_target names; the parameter panel shows that
  // side's values (A's for both). Keep A / Keep B ends it. Saving writes A, the original run.
  void fork();
  void keep_twin(TwinPair::Side side);
  bool twinned() const { return session.runner->status().twinned; }
  TwinPair::Side twin_target() const { return twin_target_; }
  void set_twin_target(TwinPair::Side side);
  // "A: ", "B: " or "A+B: " before a logged edit or perturbation while twinned; "" otherwise.
  std::string twin_log_prefix() const;
  // Posts `fn` to the sides twin_target names (to the system itself when there is no twin).
  void post_to_target(std::function<void(System&)> fn);
  void log(Event::Level level, std::string text);
  // The one way a parameter changes while a scene runs (the parameter panel, and views through
  // View::take_param_edits): the panel's copy takes the values (clamped to range, as a slider
  // does), then ONE edit posted to the simulation thread sets them all and calls
  // params_changed, or restarts if one of them is structural. A restart the engine refuses
  // rolls every parameter back and reaches the log, and drain_events re-syncs the panel's
  // copy. An unknown name or a bad rational is refused here, in the log (false), and nothing
  // changes.
  // Every change is logged as "name: old -> new" and can be undone; `continues` merges it
  // into the previous undo step (one drag of a slider is one step, not sixty). `before` names
  // the old values when the panel's copy already shows the new ones (a widget moved it).
  bool edit_params(std::span<const ParamEdit> edits, bool continues = false, std::span<const ParamEdit> before = {});
  // Marks `step` in every metric plot (plot_markers.hpp): a perturbation, a parameter edit, a
  // fork or a rewind happened there; `what` is the hover text's detail. Opening a scene and
  // reset clear the marks (the steps start over). A rewind walking further back (held Left)
  // moves its own mark instead of leaving one per key repeat.
  void mark(std::uint64_t step, MarkerKind kind, std::string what = {});
  const std::vector<PlotMarker>& markers() const { return markers_; }

  // ---- state the panels read and edit --------------------------------------------------
  GlWindow& window;
  Session session;
  Options options;
  std::string scene_path;              // the Open field of the scene panel (never a save target)
  std::string save_as_path;            // the Save-as dialog's field
  std::vector<std::string> recent;     // most recent first
  std::string load_error;              // shown in a dismissable panel while non-empty
  std::deque<LogLine> log_lines;
  std::string screenshot_dir = "screenshots";
  bool screenshot_with_ui = true;
  int record_frames = 60;
  // What Record writes: numbered PNG frames, or a video encoded by ffmpeg (gfx/video_pipe.hpp).
  enum class RecordFormat { PngFrames, Mp4, Gif };
  RecordFormat record_format = RecordFormat::PngFrames;
  int record_fps = 30;
  int recording_left = 0, recording_index = 0;
  std::string recording_dir, last_capture;
  // Ends a recording now: a video is finished (ffmpeg waited for) and the log says where it went.
  void stop_recording();
  // The lab dashboard (panels/lab_section.cpp): the sweep folder typed, the charts loaded from
  // it, whether their window is open, and why the last load failed (the charts before it stay).
  std::string dashboard_dir = "sweeps";
  std::optional<lab::Dashboard> dashboard;
  bool show_dashboard = false;
  std::string dashboard_error;
  int metrics_window = 2000;           // steps shown in the plots
  // The steps the plots show while zoomed (a drag across a plot), first and last; none: they
  // follow the live window. Double-click or the plot's menu returns to it.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> plot_zoom;
  std::set<std::string> log_plots;     // the metrics plotted on a log scale (the plot's menu)
  std::optional<std::uint64_t> scrub_from;  // the step a drag of the timeline started at
  std::string metrics_csv_path = "out/metrics.csv";
  bool show_help = false, show_ui = true, quit = false;
  // A question the app is asking (a modal dialog); the shortcuts wait while one is open.
  enum class Dialog { None, SaveAs, ConfirmOverwrite, UnsavedQuit, UnsavedOpen };
  Dialog dialog = Dialog::None;
  std::string dialog_path;  // the file a ConfirmOverwrite or UnsavedOpen is about
  float left_panel_w = 0, right_panel_w = 0;  // px; 0 = the default width (resizable)
  float log_h = 0;                            // px of the metrics panel's log; 0 = default
  float fps = 0;
  float paced_speed = 120.0f;  // steps/s when "max speed" is off (the default: watchable)
  // The probe the metrics panel last saw (the probe_* parameters as text) and the last step
  // recorded before it changed: the probe plots begin after it, so a new neuron's trace never
  // reads as the continuation of the old one's.
  std::string probe_seen;
  std::uint64_t probe_since = 0;
  bool probe_since_set = false;
  int sim_threads = 1;  // OpenMP threads for the simulation; the rest render
  int rewind_budget_mb = static_cast<int>(RewindHistory::kDefaultBudget >> 20);  // the timeline's memory

 private:
  // `interactive`: the loop's frame (dialogs, the hidden-panels hint), not a screenshot's.
  void frame(bool with_ui, bool interactive = false);
  void update_title();
  struct ParamChange {
    std::vector<ParamEdit> before, after;
    TwinPair::Side target = TwinPair::Side::Both;  // where it went, when twinned
  };
  TwinPair::Side twin_target_ = TwinPair::Side::Both;
  ParamSet a_params_;  // A's parameters as last adopted: what Save writes and dirty() compares
  bool apply_change(const std::vector<ParamEdit>& edits, const char* verb);
  std::vector<ParamChange> undo_, redo_;
  bool last_log_is_edit_ = false;  // the log's last line is the edit a drag is still making
  std::uint64_t adopted_params_version_ = 0;  // the runner's published parameters last taken (adopt_engine_params)
  std::string title_;
  std::chrono::steady_clock::time_point last_frame_ = std::chrono::steady_clock::now();
  void handle_shortcuts();
  void handle_drops();
  void drain_events();
  void adopt_engine_params();
  void capture_if_requested();
  bool finish_open();        // the pending load is ready: swap it in or show its error
  void apply_view_edits();
  // The parts of the view column: A's view alone, or A and B side by side.
  struct ViewPane {
    View* view;
    std::shared_ptr<const Snapshot> snap;
    ViewRect rect;
    const char* metric_prefix;  // the columns its metric history reads
    ViewRect label;             // the strip above a twin's pane that names it
  };
  std::vector<ViewPane> view_panes(const std::shared_ptr<const Snapshot>& snap, const ViewRect& rect);
  nlohmann::json twin_view_settings_;  // A's view settings B's view last took (one camera for both)

  std::vector<ParamEdit> view_edits_;  // reused every frame
  std::vector<PlotMarker> markers_;
  void clear_plot_state();

  gfx::Framebuffer frame_fbo_;
  bool screenshot_requested_ = false;
  // The video being recorded: its pipe opens at the first frame (when the frame size is known).
  std::unique_ptr<gfx::VideoPipe> video_;
  std::string video_path_, ffmpeg_;
  gfx::VideoFormat video_format_ = gfx::VideoFormat::Mp4;
  void capture_video_frame();
  std::future<LoadedScene> pending_open_;
  std::string pending_path_;
  std::chrono::steady_clock::time_point pending_since_;
};

// The files dropped on the window since the last call (GLFW drop callback).
std::vector<std::string> take_dropped_paths();

}  // namespace obs
