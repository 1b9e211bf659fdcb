#include "headless.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app.hpp"
#include "core/atomic_file.hpp"
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
// eqprop epoch's accuracy and time) that a scripted training run wants to see as it goes.
void print_events(System& s) {
  for (const auto& e : s.drain_events()) {
    const char* tag = e.level == Event::Level::Error ? "error: " : e.level == Event::Level::Warning ? "warning: " : "";
    std::fprintf(stderr, "observatory: step %" PRIu64 ": %s%s\n", e.step, tag, e.text.c_str());
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
  for (const std::string* path : {&o.metrics_csv, &o.dump_state, &o.screenshot}) {
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

// `history`, when given, keeps every row for the views' plots (a screenshot after the run).
void run_steps(System& system, std::int64_t steps, std::ostream* csv, SeriesStore* history) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> row(system.metric_names().size());
  if (csv) write_csv_header(*csv, system.metric_names());
  // Only the rows the history can hold are read for it: a metric read is not free (a mean over
  // a million oscillators) and a long run would throw the rest away.
  const std::int64_t keep_from = history ? steps - static_cast<std::int64_t>(history->capacity()) : steps;
  auto record = [&](std::int64_t done) {
    const bool keep = history && done >= keep_from;
    if (!csv && !keep) return;
    system.metrics(row.data());
    if (csv) write_csv_row(*csv, system.steps(), row.data(), row.size());
    if (keep) history->append(system.steps(), row.data());
  };
  record(0);
  const auto start = Clock::now();
  auto last_report = start;
  for (std::int64_t i = 0; i < steps; ++i) {
    // A failed write (a full disk) ends the run here; the writer's caller reports why.
    if (csv && !*csv) return;
    system.step();
    record(i + 1);
    print_events(system);
    const auto now = Clock::now();
    if (now - last_report > std::chrono::seconds(2)) {
      last_report = now;
      const double rate = static_cast<double>(i + 1) / std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, rate >= 10 ? "step %" PRId64 "/%" PRId64 " (%.0f%%), %.0f steps/s\n" : "step %" PRId64 "/%" PRId64 " (%.0f%%), %.2f steps/s\n", i + 1, steps, 100.0 * static_cast<double>(i + 1) / static_cast<double>(steps), rate);
    }
  }
}

}  // namespace

Scene scene_from_options(const Options& o) {
  const std::string path = o.scene.empty() ? default_scene_path() : o.scene;
  Scene scene = path.empty() ? Scene{} : load_scene(path);
  if (o.seed) scene.seed = *o.seed;
  return scene;
}

int run_headless(const Options& o) {
  return exit_code_of([&] {
    Scene scene = scene_from_options(o);
    auto system = instantiate(scene, o.sets);
    make_scene_view(scene);  // a bad "view" block is bad input even when nothing is drawn
    for (const auto& w : scene.warnings) std::fprintf(stderr, "observatory: warning: %s\n", w.c_str());

    check_outputs(o);

    // The run's metric history, for the plots in a screenshot (as the window's runner keeps it).
    SeriesStore history(system->metric_names(), o.screenshot.empty() ? 0 : kHistoryRows);
    SeriesStore* keep = o.screenshot.empty() ? nullptr : &history;
    if (!o.metrics_csv.empty()) {
      // A CSV file appears whole at the end (temp + rename), never half-written.
      write_output(o.metrics_csv, [&](std::ostream& out) { run_steps(*system, o.steps, &out, keep); });
      report("metrics", o.metrics_csv);
    } else {
      run_steps(*system, o.steps, nullptr, keep);
    }
    if (!o.dump_state.empty()) {
      nlohmann::json state;
      system->dump(state);
      write_output(o.dump_state, [&](std::ostream& out) { out << state.dump() << '\n'; });
      report("state", o.dump_state);
    }
    if (!o.screenshot.empty()) {
      GlWindow window(o.width, o.height, "observatory (offscreen)", /*visible=*/false);
      App app(window, make_session_for(std::move(system), scene), o);
      app.session.runner->adopt_history(history);
      gfx::write_png(o.screenshot, app.render(/*with_ui=*/false));
      report("screenshot", o.screenshot);
    }
    return 0;
  });
}

}  // namespace obs
