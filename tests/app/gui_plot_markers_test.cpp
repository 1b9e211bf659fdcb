// The run's marks in the metric plots: a perturbation clicked in the panel, a slider dragged
// (one mark for the whole drag) and a rewind each leave a line at their step in every plot, and
// hovering the line says what it was. Reset clears them.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>

#include "panels/plot_widget.hpp"
#include "gui_session.hpp"

using namespace obs;
using obs::test::UiDriver;

TEST_CASE("gui_plot_markers: a perturbation leaves a mark at its step in every plot; hovering it says what it was") {
  test::GuiSession session("default.json", "markers");
  App& app = session.app;
  UiDriver& ui = session.ui;
  SimRunner& runner = *app.session.runner;
  REQUIRE(ui.step_to(200));
  CHECK(app.markers().empty());

  ui.click("perturb/noise");
  REQUIRE(app.markers().size() == 1);
  CHECK(app.markers()[0].kind == MarkerKind::Perturb);
  CHECK(app.markers()[0].step == 200);
  REQUIRE(ui.step_to(300));
  for (const char* name : {"r", "psi", "mean_freq", "active"}) {
    CAPTURE(name);
    CHECK(plots_shown()[name].markers == 1);
  }

  // On the mark's line: the tooltip names it; a few px away it does not.
  const ui::Mark plot = ui.find("plot/psi");
  const PlotShown psi = plots_shown()["psi"];
  const float x = psi.trace_x0 + (psi.trace_x1 - psi.trace_x0) * 200.0f / 300.0f, y = (plot.min.y + plot.max.y) / 2;
  ui.move_to({x, y});
  ui.frames(2);
  REQUIRE(plot_hover());
  CHECK(plot_hover()->marker.find("perturbation at step 200") != std::string::npos);
  CHECK(plot_hover()->marker.find("amplitude") != std::string::npos);  // the log's detail
  ui.move_to({x + 12, y});
  ui.frames(2);
  REQUIRE(plot_hover());
  CHECK(plot_hover()->marker.empty());

  // A slider dragged over many frames is one edit: one mark.
  ui.drag("param/K", 30, 0, 8);
  ui.frames(2);
  REQUIRE(app.markers().size() == 2);
  CHECK(app.markers()[1].kind == MarkerKind::Edit);
  CHECK(app.markers()[1].what.find("K: ") == 0);

  // Left: a rewind, marked where it lands; held Left walks the same mark back.
  ui.key(GLFW_KEY_LEFT, {GLFW_KEY_LEFT_SHIFT});
  REQUIRE(ui.frames_until([&] { return runner.status().step == 200; }));
  ui.key(GLFW_KEY_LEFT);
  REQUIRE(ui.frames_until([&] { return runner.status().step == 199; }));
  REQUIRE(app.markers().size() == 3);
  CHECK(app.markers()[2].kind == MarkerKind::Rewind);
  CHECK(app.markers()[2].step == 199);

  // Reset: a new history, no marks.
  ui.click("run/reset");
  ui.frames(2);
  CHECK(app.markers().empty());
}
