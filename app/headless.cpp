#include "headless.hpp"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app.hpp"
#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "core/series.hpp"
#include "session.hpp"
#include "gfx/png.hpp"
#include "platform/gl_window.hpp"

namespace obs {
namespace {

// Every event goes to stderr: warnings and errors, and the engines' own progress lines (an
// eqprop epoch's accuracy and time) that a scripted training run wants to see as it goes.
void print_events(System& s) {
  for (const auto& e : s.drain_events()) {
    const char* tag = e.level == Event::Level::Error ? "error: " : e.level == Event::Level::Warning ? "warning: " : "";
    std::fprintf(stderr, "observatory: step %" PRIu64 ": %s%s\n", e.step, tag, e.text.c_str());
  }
}

void make_parent(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) throw std::runtime_error("cannot write " + path + ": cannot create " + parent.string() + ": " + ec.message());
}

void run_steps(System& system, std::int64_t steps, std::ostream* csv) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> row(system.metric_names().size());
  if (csv) {
    write_csv_header(*csv, system.metric_names());
    system.metrics(row.data());
    write_csv_row(*csv, system.steps(), row.data(), row.size());
  }
  const auto start = Clock::now();
  auto last_report = start;
  for (std::int64_t i = 0; i < steps; ++i) {
    system.step();
    if (csv) {
      system.metrics(row.data());
      write_csv_row(*csv, system.steps(), row.data(), row.size());
    }
    print_events(system);
    const auto now = Clock::now();
    if (now - last_report > std::chrono::seconds(2)) {
      last_report = now;
      const double rate = static_cast<double>(i + 1) / std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "step %" PRId64 "/%" PRId64 " (%.0f%%), %.0f steps/s\n", i + 1, steps, 100.0 * static_cast<double>(i + 1) / static_cast<double>(steps), rate);
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

    if (!o.metrics_csv.empty()) {
      make_parent(o.metrics_csv);
      // The CSV appears whole at the end (temp + rename), never half-written.
      write_file_atomically(o.metrics_csv, [&](std::ostream& out) { run_steps(*system, o.steps, &out); });
      std::printf("metrics: %s\n", o.metrics_csv.c_str());
    } else {
      run_steps(*system, o.steps, nullptr);
    }
    if (!o.dump_state.empty()) {
      nlohmann::json state;
      system->dump(state);
      make_parent(o.dump_state);
      write_file_atomically(o.dump_state, [&](std::ostream& out) { out << state.dump() << '\n'; });
      std::printf("state: %s\n", o.dump_state.c_str());
    }
    if (!o.screenshot.empty()) {
      GlWindow window(o.width, o.height, "observatory (offscreen)", /*visible=*/false);
      App app(window, make_session_for(std::move(system), scene), o);
      make_parent(o.screenshot);
      gfx::write_png(o.screenshot, app.render(/*with_ui=*/false));
      std::printf("screenshot: %s\n", o.screenshot.c_str());
    }
    return 0;
  });
}

}  // namespace obs
