// The Lab dashboard section, driven as a person does: open the section, type a sweep folder,
// click Load charts; the window draws the four charts (their plot rectangles are marked), the
// pointer on a point shows its values, a folder without a summary leaves an error and keeps the
// charts already loaded, "show" hides the window and brings it back.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/scene.hpp"
#include "lab/chart_axis.hpp"
#include "platform/gl_window.hpp"
#include "ui_driver.hpp"

using namespace obs;
using obs::test::UiDriver;
namespace fs = std::filesystem;

namespace {

// A sweep summary with every chart's columns: eqprop and backprop at depths 1 and 3, two seeds.
void write_summary(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream out(dir / "summary.csv");
  out << "run,algorithm,hidden_layers,seed,step,test_accuracy,state_bytes,train_macs,acc_clean,acc_noise_01,acc_noise_03,acc_noise_10\n";
  const char* algorithms[] = {"eqprop", "backprop"};
  for (int a = 0; a < 2; ++a)
    for (int depth : {1, 3})
      for (int seed : {1, 2})
        out << "r" << a << depth << seed << ',' << algorithms[a] << ',' << depth << ',' << seed << ",100,"
            << (a ? 0.85 : 0.9 - 0.2 * depth + 0.01 * seed) << ',' << 1024 * depth * (a ? 2 : 5) << ',' << 1e6 * depth * (a ? 1 : 4)
            << ",0.8,0.75,0.6,0.3\n";
}

bool charts_drawn() {
  for (const char* title : {"Accuracy vs depth", "Memory vs depth", "Robustness vs noise", "Energy vs accuracy"}) {
    const auto m = ui::find_mark(std::string("lab/chart/") + title);
    if (!m || m->max.x - m->min.x < 40 || m->max.y - m->min.y < 30) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("gui_lab_dashboard: typed folder, Load charts, four charts drawn; a bad folder keeps them; show toggles") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("lab_dashboard");
  write_summary(dir / "sweep");
  GlWindow window(1280, 800, "lab", /*visible=*/false);
  App app(window, make_session(load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/eqprop_moons.json")), Options{});
  UiDriver ui(app);
  ui.click("header/Lab dashboard");
  ui.type_into("lab/folder", (dir / "sweep").string());
  CHECK(app.dashboard_dir == (dir / "sweep").string());
  ui.click("lab/load");
  REQUIRE(app.dashboard.has_value());
  CHECK(app.dashboard->runs == 8);
  CHECK(app.dashboard_error.empty());
  CHECK(app.show_dashboard);
  REQUIRE(ui.frames_until(charts_drawn, 10));

  // The pointer on eqprop's depth-1 point of the accuracy chart (the mean of 71 and 72 %), placed
  // by the chart's own axes inside its marked plot rectangle: the tooltip is that point's.
  const auto& acc = app.dashboard->charts[0];
  REQUIRE(acc.series.size() == 2);
  const auto& p = acc.series[0].points[0];
  CHECK(p.y == doctest::Approx(71.5));
  const auto [ax, ay] = lab::axes_of(acc);
  const auto plot = ui::find_mark("lab/chart/Accuracy vs depth");
  REQUIRE(plot);
  const ImVec2 at{plot->min.x + static_cast<float>(ax.frac(p.x)) * (plot->max.x - plot->min.x),
                  plot->max.y - static_cast<float>(ay.frac(p.y)) * (plot->max.y - plot->min.y)};
  const std::string tip = "lab/tooltip/Accuracy vs depth/algorithm=eqprop/1";
  ui.move_to(at);
  CHECK(ui.frames_until([&] { return ui.exists(tip); }, 4));
  ui.move_to({plot->min.x + 2, plot->min.y + 2});  // a corner far from every point: no tooltip
  ui.frames(2);
  CHECK_FALSE(ui.exists(tip));

  // A folder with no summary: the error says which file, the charts loaded before stay.
  ui.type_into("lab/folder", (dir / "empty").string());
  ui.click("lab/load");
  CHECK(app.dashboard_error.find("summary.csv") != std::string::npos);
  REQUIRE(app.dashboard.has_value());
  CHECK(app.dashboard->runs == 8);
  ui.frames(2);
  CHECK(charts_drawn());

  // "show" off: the window goes (no chart is drawn); on: back.
  ui.click("lab/show");
  CHECK_FALSE(app.show_dashboard);
  ui.frames(2);
  CHECK_FALSE(ui::find_mark("lab/chart/Accuracy vs depth").has_value());
  ui.click("lab/show");
  CHECK(app.show_dashboard);
  CHECK(ui.frames_until(charts_drawn, 10));
}
