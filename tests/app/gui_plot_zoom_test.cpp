// The metric plots' own controls, through real input: a drag across a plot zooms every plot to
// the steps under it (and they stay put while the run goes on), a double-click returns to the
// live window, and the right-click menu puts one plot on a log scale and back.
#include <doctest/doctest.h>

#include "panels/plot_widget.hpp"
#include "gui_session.hpp"

using namespace obs;
using obs::test::UiDriver;

TEST_CASE("gui_plot_zoom: a plot's zoom and log scale, driven by the mouse") {
  test::GuiSession session("default.json", "zoom");
  App& app = session.app;
  UiDriver& ui = session.ui;
  REQUIRE(ui.step_to(400));

  SUBCASE("drag across a plot to zoom all plots; they hold still while running; double-click goes live") {
    REQUIRE(plots_shown().count("r"));
    CHECK(plots_shown()["r"].x == StepSpan{0, 400});
    const ui::Mark plot = ui.find("plot/r");
    const PlotShown r = plots_shown()["r"];
    const float w = r.trace_x1 - r.trace_x0, y = (plot.min.y + plot.max.y) / 2;
    // From a quarter to three quarters of the trace: steps 100 .. 300.
    ui.drag_at({r.trace_x0 + 0.25f * w, y}, 0.5f * w, 0);
    ui.frames(2);
    REQUIRE(app.plot_zoom);
    CHECK(app.plot_zoom->first == doctest::Approx(100).epsilon(0.03));
    CHECK(app.plot_zoom->second == doctest::Approx(300).epsilon(0.03));
    for (const char* name : {"r", "psi", "mean_freq"}) {
      CAPTURE(name);
      CHECK(plots_shown()[name].x == *app.plot_zoom);  // every plot, not just the dragged one
    }

    // The run goes on; the zoomed plots do not scroll away.
    const StepSpan zoom = *app.plot_zoom;
    REQUIRE(ui.step_to(500));
    CHECK(plots_shown()["r"].x == zoom);

    // A double-click on a plot: back to the live window, which has moved on meanwhile.
    const ImVec2 at{r.trace_x0 + 0.5f * w, y};
    ui.click_at(at);
    ui.click_at(at);
    ui.frames(2);
    CHECK_FALSE(app.plot_zoom);
    CHECK(plots_shown()["r"].x == StepSpan{0, 500});
    // A click alone (no drag) zooms nothing.
    ui.move_to({at.x + 40, y});
    ui.click_at({at.x + 40, y});
    ui.frames(2);
    CHECK_FALSE(app.plot_zoom);
  }
  SUBCASE("the plot's right-click menu puts that plot on a log scale, and back") {
    auto toggle_log = [&] {  // right-click the plot, then its menu's entry
      ui.click("plot/r", 1);
      ui.frames(1);
      ui.click("plot/r/log scale");
      ui.frames(2);
    };
    CHECK_FALSE(plots_shown()["r"].range.log);
    toggle_log();
    CHECK(app.log_plots.contains("r"));
    CHECK(plots_shown()["r"].range.log);
    CHECK(plots_shown()["r"].range.lo > 0);
    CHECK_FALSE(plots_shown()["psi"].range.log);  // per plot

    toggle_log();
    CHECK_FALSE(app.log_plots.contains("r"));
    CHECK_FALSE(plots_shown()["r"].range.log);
  }
}
