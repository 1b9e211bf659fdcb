// The pointer over a metric's plot reads the row under it: its step and value, the ones the
// runner recorded for that step (checked against the history itself), at the left end, the
// middle and the right end of the trace.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>

#include "panels/plot_widget.hpp"
#include "gui_session.hpp"

using namespace obs;
using obs::test::UiDriver;

TEST_CASE("gui_plot_hover: hovering a plot shows the step and value recorded there") {
  test::GuiSession session("default.json", "hover");
  App& app = session.app;
  UiDriver& ui = session.ui;
  SimRunner& runner = *app.session.runner;
  REQUIRE(ui.step_to(200));

  const ui::Mark plot = ui.find("plot/r");
  const float y = (plot.min.y + plot.max.y) / 2;
  // The trace spans the plot less the range column at its right; its two ends are rows 0 and 200.
  for (const float fx : {0.0f, 0.5f}) {
    CAPTURE(fx);
    ui.move_to({plot.min.x + 0.25f + fx * (plot.max.x - plot.min.x) * 0.5f, y});
    ui.frames(2);
    const std::optional<PlotReadout> read = plot_hover();
    REQUIRE(read);
    CHECK(read->name == "r");
    double recorded = -1;
    runner.with_series([&](const SeriesStore& s) {
      for (std::size_t i = 0; i < s.size(); ++i)
        if (s.step_at(i) == read->step) recorded = s.value_at(i, 0);  // r is kuramoto's first metric
    });
    CHECK(read->value == recorded);
    if (fx == 0.0f) CHECK(read->step == 0);
    else CHECK(read->step > 0);
  }
  // Off the plots, nothing is read.
  ui.move_to({640, 400});
  ui.frames(2);
  CHECK_FALSE(plot_hover());
}
