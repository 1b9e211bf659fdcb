#pragma once
// A metric's plot in the metrics panel: its name and latest value on a line, then the trace
// (views/series_plot.hpp, the app's one series plot) with its range in a column beside it.
#include <imgui.h>

#include <cstddef>
#include <optional>
#include <span>

namespace obs {

// Plots `ys` against their index across the available width. With a `cursor` (the row of the
// step the view shows after a rewind), the value beside the name is that row's and a line marks it.
void plot_series(const char* label, std::span<const double> ys, float height, std::optional<std::size_t> cursor = {});

}  // namespace obs
