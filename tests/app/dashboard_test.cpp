// The lab's dashboard end to end: a real sweep of the eqprop scene over depth and algorithm
// (whose runs have different columns: one alignment metric per layer), its summary aligned by
// column name, then `observatory dashboard` drawing the four charts as SVG; and the chart data
// against a summary written by hand, where every mean, min and max is known.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "app_test_support.hpp"
#include "core/input_error.hpp"
#include "lab/dashboard_data.hpp"
#include "lab/dashboard_svg.hpp"

using obs::test::quoted;
using obs::test::read_text;
using obs::test::run_observatory;
using obs::test::temp_dir;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Columns per line, for the alignment check.
std::vector<std::size_t> cells_per_line(const std::string& text) {
  std::vector<std::size_t> out;
  std::size_t n = 1;
  for (char c : text) {
    if (c == ',') ++n;
    if (c == '\n') {
      out.push_back(n);
      n = 1;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("dashboard: a depth sweep's summary is aligned by name, and the four charts are drawn from it") {
  const auto dir = temp_dir("dashboard_sweep");
  const std::string out = (dir / "out").string();
  const auto r = run_observatory("sweep " + quoted(std::string(OBS_SOURCE_DIR) + "/scenes/eqprop_moons.json") +
                                 " --grid algorithm=eqprop,backprop --grid hidden_layers=1,2 --seeds 1,2 --steps 60"
                                 " --set train_size=200 --set test_size=100 --set robustness=true --set robust_count=50"
                                 " --set heal_batches=2 --jobs 2 --out " + quoted(out));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const std::string summary = read_text(std::filesystem::path(out) / "summary.csv");
  // Depth 2 has one more weight matrix, so one more align_cos column: every line as wide as the header.
  const auto widths = cells_per_line(summary);
  REQUIRE(widths.size() == 9);
  for (std::size_t w : widths) CHECK(w == widths.front());
  CHECK(summary.find("align_cos_W2") != std::string::npos);

  const auto d = run_observatory("dashboard " + quoted(out));
  INFO(d.output);
  REQUIRE(d.exit_code == 0);
  const std::string svg = read_text(std::filesystem::path(out) / "dashboard.svg");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(count(svg, "<g class=\"chart\">") == 4);
  // Two series (eqprop, backprop) in each of the depth and energy charts, four (algorithm x
  // depth) in the robustness chart: 2 + 2 + 4 + 2 lines, and no chart left empty.
  CHECK(count(svg, "class=\"series\"") == 10);
  CHECK(count(svg, "class=\"note\"") == 0);
  CHECK(d.output.find("Accuracy vs depth: 2 series, 4 points") != std::string::npos);
  CHECK(d.output.find("Robustness vs noise: 4 series, 16 points") != std::string::npos);

  // Bad input: a missing folder and a stray flag exit 2 and write nothing.
  CHECK(run_observatory("dashboard " + quoted((dir / "nowhere").string())).exit_code == 2);
  CHECK(run_observatory("dashboard " + quoted(out) + " --bogus").exit_code == 2);
}

TEST_CASE("dashboard: chart data by hand: means, min-max over seeds, series by the other axes, notes") {
  // Two algorithms x depth 1, 3, seeds 1, 2; test_accuracy and state_bytes chosen by hand.
  const std::string csv =
      "run,algorithm,hidden_layers,seed,step,test_accuracy,state_bytes,train_macs,acc_clean\n"
      "a,eqprop,1,1,9,0.80,2048,1e6,nan\n"
      "b,eqprop,1,2,9,0.90,2048,3e6,nan\n"
      "c,eqprop,3,1,9,0.10,4096,1e7,nan\n"
      "d,eqprop,3,2,9,0.20,4096,1e7,nan\n"
      "e,backprop,1,1,9,0.85,1024,1e5,nan\n"
      "f,backprop,3,1,9,0.84,2048,2e5,nan\n";
  const auto d = obs::lab::dashboard_from_csv(csv, "hand.csv");
  REQUIRE(d.charts.size() == 4);
  CHECK(d.runs == 6);
  const auto& acc = d.charts[0];
  REQUIRE(acc.series.size() == 2);
  CHECK(acc.series[0].name == "algorithm=eqprop");
  REQUIRE(acc.series[0].points.size() == 2);
  CHECK(acc.series[0].points[0].x == 1);
  CHECK(acc.series[0].points[0].y == doctest::Approx(85));
  CHECK(acc.series[0].points[0].y_lo == doctest::Approx(80));
  CHECK(acc.series[0].points[0].y_hi == doctest::Approx(90));
  CHECK(acc.series[0].points[1].y == doctest::Approx(15));
  CHECK(acc.series[0].points[1].runs == 2);
  CHECK(acc.series[1].points[1].y == doctest::Approx(84));
  CHECK(d.charts[1].series[0].points[1].y == doctest::Approx(4.0));  // 4096 B = 4 KB per example
  // No robustness in these runs: the chart says so.
  CHECK(d.charts[2].empty());
  CHECK(d.charts[2].note.find("robustness") != std::string::npos);
  // Energy: x is the seeds' mean of train_macs at each depth.
  CHECK(d.charts[3].log_x);
  CHECK(d.charts[3].series[0].points[0].x == doctest::Approx(2e6));
  const std::string svg = obs::lab::dashboard_svg(d);
  CHECK(count(svg, "class=\"series\"") == 6);
  CHECK(count(svg, "class=\"note\"") == 1);

  // Without a depth axis the depth charts say what they need; a ragged row is refused with its line.
  const auto flat = obs::lab::dashboard_from_csv("run,seed,step,test_accuracy\nx,1,5,0.5\n", "flat.csv");
  CHECK(flat.charts[0].note.find("hidden_layers") != std::string::npos);
  try {
    obs::lab::dashboard_from_csv("run,seed,step\nx,1,5\ny,2\n", "ragged.csv");
    FAIL("a ragged row was accepted");
  } catch (const obs::InputError& e) {
    CHECK(std::string(e.what()).find("ragged.csv:3:1") != std::string::npos);
    CHECK(std::string(e.what()).find("expected 3 cells") != std::string::npos);
  }
  CHECK_THROWS_AS(obs::lab::dashboard_from_csv("step,x\n1,2\n", "nosweep.csv"), obs::InputError);
}
