#pragma once
// A metric's plot in the metrics panel: its name and latest value on a line, then the trace
// (views/series_plot.hpp, the app's one series plot) with its range in a column beside it.
#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace obs {

// Plots `ys` against their index across the available width. With a `cursor` (the row of the
// step the view shows after a rewind), the value beside the name is that row's and a line marks it.
// `steps` (the step of each row, when given) lets the pointer read a row off the trace: hovering
// shows the step and the value there in a tooltip, with a line at that row.
void plot_series(const char* label, std::span<const double> ys, float height, std::optional<std::size_t> cursor = {},
                 std::span<const std::uint64_t> steps = {});

// The row the pointer read off a plot this frame, if it is over one (the metrics panel clears it
// each frame): what the tooltip says, kept for tests that move the mouse there.
struct PlotReadout {
  std::string name;
  std::uint64_t step = 0;
  double value = 0;
};
std::optional<PlotReadout>& plot_hover();

}  // namespace obs
