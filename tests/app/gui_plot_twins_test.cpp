// Twin runs record a_X and b_X in one SeriesStore: the metrics panel draws one plot of X with
// both traces (and A-B under them), and the pointer reads A and B at a row. A store without
// pairs is drawn as before. The twins here are a tiny stand-in system with paired metric names.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/scene.hpp"
#include "core/state_archive.hpp"
#include "panels/plot_widget.hpp"
#include "platform/gl_window.hpp"
#include "ui_driver.hpp"

using namespace obs;
using obs::test::UiDriver;

namespace {

// A = step, B = 2 * step from step 10 on (NaN before: B forked there), c = 1 (unpaired).
class TwinStandIn final : public System {
 public:
  TwinStandIn() {
    metrics_.add("a_x", "", [this] { return static_cast<double>(steps()); });
    metrics_.add("b_x", "", [this] { return steps() < 10 ? NAN : 2.0 * static_cast<double>(steps()); }, MetricTable::Unmeasured::Nan);
    metrics_.add("c", "", [] { return 1.0; });
    reset(1);
  }
  std::string_view kind() const override { return "twins"; }
  std::uint64_t bytes_needed() const override { return 64; }
  std::unique_ptr<System> clone() const override { return clone_of(*this); }
  void step() override { ++step_; }
  std::shared_ptr<const Snapshot> snapshot() const override {
    auto s = std::make_shared<Snapshot>();
    s->step = step_;
    return s;
  }
  std::vector<PerturbKind> supported_perturbations() const override { return {}; }
  void perturb(const Perturbation&) override {}
  void dump(nlohmann::json& out) const override { dump_header(out); }
  std::uint64_t state_hash() const override { return step_; }
  void write_state(StateWriter&) const override {}
  void read_state(StateReader&) override {}

 private:
  void restart() override {}
};

}  // namespace

TEST_CASE("gui_plot_twins: a_X and b_X are one plot of X with A and B overlaid; hovering reads A, B and A-B") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  GlWindow window(1280, 800, "twins", /*visible=*/false);
  App app(window, make_session(load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/default.json")), Options{});
  UiDriver ui(app);
  CHECK(plots_shown().count("r"));  // kuramoto's own metrics: no pairs, one plot each
  CHECK_FALSE(plots_shown()["r"].twin);

  app.session.runner = std::make_unique<SimRunner>(std::make_unique<TwinStandIn>(), 1000);
  REQUIRE(ui.step_to(100));

  REQUIRE(plots_shown().count("x"));
  CHECK(plots_shown()["x"].twin);
  CHECK_FALSE(plots_shown().count("a_x"));
  CHECK_FALSE(plots_shown().count("b_x"));
  CHECK(plots_shown().count("c"));
  CHECK_FALSE(plots_shown()["c"].twin);
  // One scale for both traces: A reaches 100, B 200.
  CHECK(plots_shown()["x"].range.lo == 0);
  CHECK(plots_shown()["x"].range.hi == 200);

  const ui::Mark plot = ui.find("plot/x");
  const PlotShown x = plots_shown()["x"];
  ui.move_to({x.trace_x0 + (x.trace_x1 - x.trace_x0) * 0.5f, plot.min.y + 10});
  ui.frames(2);
  REQUIRE(plot_hover());
  CHECK(plot_hover()->name == "x");
  const std::uint64_t step = plot_hover()->step;
  CHECK(step == doctest::Approx(50).epsilon(0.05));
  CHECK(plot_hover()->value == static_cast<double>(step));
  REQUIRE(plot_hover()->b);
  CHECK(*plot_hover()->b == 2.0 * static_cast<double>(step));

  // Before the fork B is NaN: the readout says so rather than inventing a value.
  ui.move_to({x.trace_x0 + 1, plot.min.y + 10});
  ui.frames(2);
  REQUIRE(plot_hover());
  CHECK(plot_hover()->step < 10);
  REQUIRE(plot_hover()->b);
  CHECK(std::isnan(*plot_hover()->b));
}
