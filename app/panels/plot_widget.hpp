#pragma once
// A metric's plot in the metrics panel: its name and latest value on a line, then the trace
// (views/series_plot.hpp, the app's one series plot) with its range in a column beside it.
#include <imgui.h>

#include <span>

namespace obs {

// Plots `ys` against their index across the available width.
void plot_series(const char* label, std::span<const double> ys, float height);

}  // namespace obs
