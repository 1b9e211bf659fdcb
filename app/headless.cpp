#include "headless.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <span>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "app.hpp"
#include "core/twin_pair.hpp"
#include "headless_record.hpp"
#include "progress_line.hpp"
#include "core/atomic_file.hpp"
#include "core/checkpoint.hpp"
#include "core/sim_runner.hpp"
#include "core/input_error.hpp"
#include "core/series.hpp"
#include "session.hpp"
#include "gfx/png.hpp"
#include "platform/gl_window.hpp"

namespace obs {
namespace {

// As much history as a window keeps, so a screenshot's plots match the window's (the sparse
// view plots the whole run).
constexpr std::size_t kHistoryRows = SimRunner::kHistoryRows;

// Every event goes to stderr: warnings and errors, and the engines' own progress lines (an
// eqprop epoch's accuracy and time) that a scripted training run wants to see as it goes. A
// twin's lines say which of the pair spoke ("a: ", "b: ").
void print_events(System& s, const std::string& who) {
  for (const auto& e : s.drain_events()) {
    const char* tag = e.level == Event::Level::Error ? "error: " : e.level == Event::Level::Warning ? "warning: " : "";
    std::fprintf(stderr, "observatory: step %" PRIu64 ": %s%s%s\n", e.step, who.c_str(), tag, e.text.c_str());
  }
}

// Writes one output: "-" is standard output, anything else a file (atomically when it is one).
void write_output(const std::string& path, const std::function<void(std::ostream&)>& write) {
  if (path == "-") write_to_stdout(write);
  else write_file_atomically(path, write);
}

// "metrics: PATH" on stdout, except when stdout carries the data itself.
void report(const char* what, const std::string& path) {
  if (path != "-") std::printf("%s: %s\n", what, escape_control(path).c_str());
}

// Every output is checked before the first step, so a bad --dump-state path does not cost the
// whole run; and temporary files left by earlier runs that were killed are pointed out (not
// removed: the person may want what is in them).
void check_outputs(const Options& o) {
  std::vector<std::string> folders;
  for (const std::string* path : {&o.metrics_csv, &o.dump_state, &o.screenshot, &o.save_state}) {
    if (path->empty() || *path == "-") continue;
    check_writable(*path);
    const std::string folder = output_folder(*path);
    if (std::find(folders.begin(), folders.end(), folder) != folders.end()) continue;
    folders.push_back(folder);
    const auto stale = stale_temp_files(folder);
    if (stale.empty()) continue;
    std::string names;
    for (std::size_t i = 0; i < stale.size() && i < 3; ++i) names += (i ? ", " : "") + stale[i];
    if (stale.size() > 3) names += ", ...";
    std::fprintf(stderr, "observatory: warning: %s holds %zu temporary file%s left by an interrupted run (%s); not removed\n",
                 escape_control(folder).c_str(), stale.size(), stale.size() == 1 ? "" : "s", escape_control(names).c_str());
  }
}

// The systems a run steps in lockstep: one, or a twin pair whose CSV columns and log lines carry
// a prefix.
struct Lane {
  System* system;
  std::string prefix;  // "" alone; "a_", "b_" for a twin pair
};

// One CSV row per step (and the screenshot's history): the lanes' metrics side by side.
class MetricRows {
 public:
  // Writes the header. `history`, when given, keeps the rows from step `keep_from` on.
  MetricRows(std::span<const Lane> lanes, std::ostream* csv, SeriesStore* history, std::int64_t keep_from)
      : csv_(csv), history_(history), keep_from_(keep_from) {
    std::vector<std::string> names;
    for (const Lane& l : lanes)
      for (const auto& n : l.system->metric_names()) names.push_back(l.prefix + n);
    row_.resize(names.size());
    if (csv_) write_csv_header(*csv_, names);
  }
  // The row of step `done` of the run. Only the rows the history can hold are read for it: a
  // metric read is not free (a mean over a million oscillators) and a long run would throw the
  // rest away.
  void record(std::span<const Lane> lanes, std::int64_t done) {
    const bool keep = history_ && done >= keep_from_;
    if (!csv_ && !keep) return;
    double* out = row_.data();
    for (const Lane& l : lanes) {
      l.system->metrics(out);
      out += l.system->metric_names().size();
    }
    if (csv_) write_csv_row(*csv_, lanes[0].system->steps(), row_.data(), row_.size());
    if (keep) history_->append(lanes[0].system->steps(), row_.data());
  }
  // A failed write (a full disk) ends the run; the writer's caller reports why.
  bool failed() const { return csv_ && !*csv_; }

 private:
  std::ostream* csv_;
  SeriesStore* history_;
  std::int64_t keep_from_;
  std::vector<double> row_;
};

void print_lane_events(std::span<const Lane> lanes) {
  for (const Lane& l : lanes) print_events(*l.system, l.prefix.empty() ? "" : l.prefix.substr(0, 1) + ": ");
}

// `history`, when given, keeps every row of a lone run for the views' plots (a screenshot).
void run_steps(const std::vector<Lane>& lanes, std::int64_t steps, std::ostream* csv, SeriesStore* history) {
  MetricRows rows(lanes, csv, history, history ? steps - static_cast<std::int64_t>(history->capacity()) : steps);
  rows.record(lanes, 0);
  ProgressLine progress("step");
  for (std::int64_t i = 0; i < steps; ++i) {
    if (rows.failed()) return;
    for (const Lane& l : lanes) l.system->step();
    rows.record(lanes, i + 1);
    print_lane_events(lanes);
    progress.update(i + 1, steps);
  }
}

// --record: the App draws the run as it goes, so the system moves into its runner after the
// first row; from then on the runner steps it and each step's row is written on its thread.
void record_steps(const Options& o, const RecordPlan& plan, std::unique_ptr<System>& system, const Scene& scene,
                  std::ostream* csv, std::unique_ptr<App>& app, GlWindow& window) {
  const Lane first{system.get(), ""};
  MetricRows rows({&first, 1}, csv, nullptr, 0);
  rows.record({&first, 1}, 0);
  app = std::make_unique<App>(window, make_session_for(std::move(system), scene), o);
  record_headless(o, plan, *app, [&](System& s) {
    // A failed CSV write (a full disk) ends the recording, as it ends a run.
    if (rows.failed()) throw std::runtime_error("cannot write " + o.metrics_csv + ": the write failed");
    const Lane lane{&s, ""};
    rows.record({&lane, 1}, 0);  // no history: the runner keeps the plots' rows itself
    print_lane_events({&lane, 1});
  });
}

// --dump-state and --save-state, from the final state.
void write_state_outputs(const Options& o, const System& system, const System* twin) {
  if (!o.dump_state.empty()) {
    nlohmann::json state;
    if (twin) {
      system.dump(state["a"]);
      twin->dump(state["b"]);
    } else {
      system.dump(state);
    }
    write_output(o.dump_state, [&](std::ostream& out) { out << state.dump() << '\n'; });
    report("state", o.dump_state);
  }
  if (!o.save_state.empty()) {
    save_checkpoint_file(o.save_state, system);
    report("saved state", o.save_state);
  }
}

}  // namespace

Scene scene_from_options(const Options& o) {
  if (!o.load_state.empty() && o.scene.empty()) return scene_of_checkpoint_file(o.load_state);
  const std::string path = o.scene.empty() ? default_scene_path() : o.scene;
  Scene scene = path.empty() ? Scene{} : load_scene(path);
  if (o.seed) scene.seed = *o.seed;
  if (!o.load_state.empty()) scene.state = SceneState{o.load_state, "", o.load_state};
  return scene;
}

std::unique_ptr<System> instantiate_twin(const Scene& scene, const Options& o) {
  // The same scene and seed with the --twin overrides on top of the --set ones.
  Scene twin_scene = scene;
  std::vector<ParamOverride> both = o.sets;
  both.insert(both.end(), o.twin_sets.begin(), o.twin_sets.end());
  try {
    return instantiate(twin_scene, both);
  } catch (const InputError& e) {
    // The run itself built with the --set values: what failed is a --twin value.
    std::string source = e.source();
    if (source.rfind("--set", 0) == 0) source.replace(0, 5, "--twin");
    throw InputError(e.pointer(), e.message(), {}, source);
  }
}

int run_headless(const Options& o) {
  return exit_code_of([&] {
    Scene scene = scene_from_options(o);
    auto system = instantiate(scene, o.sets);
    std::unique_ptr<System> twin = o.twin_sets.empty() ? nullptr : instantiate_twin(scene, o);
    make_scene_view(scene);  // a bad "view" block is bad input even when nothing is drawn
    for (const auto& w : scene.warnings) std::fprintf(stderr, "observatory: warning: %s\n", w.c_str());
    std::vector<Lane> lanes{{system.get(), twin ? "a_" : ""}};
    if (twin) lanes.push_back({twin.get(), "b_"});

    check_outputs(o);

    std::optional<RecordPlan> plan;
    if (!o.record.empty()) plan = plan_recording(o);

    // The window that draws a recording or a screenshot; a recording's App exists from its
    // first step, a screenshot's only after the run.
    std::optional<GlWindow> window;
    if (plan || !o.screenshot.empty()) window.emplace(o.width, o.height, "observatory (offscreen)", /*visible=*/false);
    std::unique_ptr<App> app;
    // The run's metric history, for the plots in a screenshot (as the window's runner keeps it:
    // a twin pair's as a_ and b_ columns).
    const bool keep_history = !o.screenshot.empty() && !plan;
    std::vector<std::string> history_names;
    for (const Lane& l : lanes)
      for (const auto& n : l.system->metric_names()) history_names.push_back(l.prefix + n);
    SeriesStore history(std::move(history_names), keep_history ? kHistoryRows : 0);
    SeriesStore* keep = keep_history ? &history : nullptr;
    auto run = [&](std::ostream* csv) {
      if (plan) {
        // A twin pair is recorded side by side, as the window draws a forked run.
        if (twin) system = std::make_unique<TwinPair>(std::move(system), std::move(twin));
        record_steps(o, *plan, system, scene, csv, app, *window);
      }
      else run_steps(lanes, o.steps, csv, keep);
    };
    if (!o.metrics_csv.empty()) {
      // A CSV file appears whole at the end (temp + rename), never half-written.
      write_output(o.metrics_csv, [&](std::ostream& out) { run(&out); });
      report("metrics", o.metrics_csv);
    } else {
      run(nullptr);
    }
    if (app) {
      if (plan->ffmpeg.empty()) report("frames", plan->target);
      else report("video", o.record);
      app->session.runner->inspect([&](const System& s) { write_state_outputs(o, s, nullptr); });
    } else {
      write_state_outputs(o, *system, twin.get());
    }
    if (!o.screenshot.empty()) {
      if (!app) {
        // Twins are drawn side by side, as the window draws a forked run.
        if (twin) system = std::make_unique<TwinPair>(std::move(system), std::move(twin));
        app = std::make_unique<App>(*window, make_session_for(std::move(system), scene), o);
        app->session.runner->adopt_history(history);
      }
      gfx::write_png(o.screenshot, app->render(/*with_ui=*/false));
      report("screenshot", o.screenshot);
    }
    return 0;
  });
}

}  // namespace obs
