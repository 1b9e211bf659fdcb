#pragma once
// A metric's plot in the metrics panel: its name and the shown step's value on a line, then the
// trace (views/series_plot.hpp, the app's one series plot) with its range in a column beside it,
// drawn over the steps every plot shares (a zoom, or the live window) with the run's marks
// (plot_markers.hpp) and the step ticks' grid. A twin pair (panels/twin_pairs.hpp) is one plot:
// A and B overlaid, and A-B in a strip under them.
//
// The pointer reads the row under it (tooltip: the step and value; A, B and A-B for a pair; the
// mark under it). A drag across a plot picks the steps to zoom to; a double-click returns to the
// live window; right-click opens the plot's menu (log scale, reset zoom).
#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "plot_markers.hpp"
#include "views/series_plot.hpp"

namespace obs {

using StepSpan = std::pair<std::uint64_t, std::uint64_t>;  // first and last step, inclusive

// What every plot of the panel shares in a frame.
struct PlotFrame {
  StepSpan x{0, 0};                       // the steps across the trace's width
  std::span<const std::uint64_t> steps;   // each row's step, ascending
  std::span<const double> xs;             // the same steps as doubles (the trace's x)
  std::optional<std::size_t> cursor;      // the row the view shows after a rewind
  std::span<const PlotMarker> markers;
  float height = 0;
  bool zoomed = false;
};

// One plot's data: `a` (and `b`, a twin's, or empty) has a value per row of the frame.
struct PlotSeries {
  const char* label = "";
  std::span<const double> a, b;
  double resolution = 0;  // the metric's (MetricTable::add); 0 = the default floor
  bool log = false;
};

// What the person did to the plot this frame, for the panel to apply to every plot.
struct PlotResult {
  float trace_x0 = 0, trace_x1 = 0;  // where the trace spans on screen (the panel's step axis)
  std::optional<StepSpan> zoom;      // a drag picked these steps
  bool reset_zoom = false;           // a double-click or the menu: follow the live window again
  bool toggle_log = false;           // the menu's "log scale"
};

PlotResult plot_series(const PlotSeries& series, const PlotFrame& frame);

// The step numbers under the plots, as a row of their own between trace_x0 and trace_x1.
void draw_step_axis(float x0, float x1, StepSpan steps);

// The row the pointer read off a plot this frame, if it is over one (the metrics panel clears it
// each frame): what the tooltip says, kept for tests that move the mouse there.
struct PlotReadout {
  std::string name;
  std::uint64_t step = 0;
  double value = 0;
  std::optional<double> b;  // B's value, over a twin pair
  std::string marker;       // the hovered mark's text, if the pointer is on one
};
std::optional<PlotReadout>& plot_hover();

// What each plot drew this frame, by label (the panel clears it each frame): its y range and
// the steps across it, for tests and for the help to say what is on screen.
struct PlotShown {
  SeriesRange range;
  std::size_t skipped = 0;  // values a log scale could not draw (<= 0)
  StepSpan x{0, 0};
  bool twin = false;
  std::size_t markers = 0;  // marks drawn in it
  float trace_x0 = 0, trace_x1 = 0;  // the trace's screen x span (x0 is step x.first)
};
std::map<std::string, PlotShown>& plots_shown();

}  // namespace obs
