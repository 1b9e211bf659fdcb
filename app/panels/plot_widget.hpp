#pragma once
// A small line plot drawn straight onto ImDrawList (ImPlot is not packaged in Debian 12).
#include <imgui.h>

#include <span>

namespace obs {

// Plots `ys` against their index across the available width. Long series are reduced to a
// min/max pair per pixel column so spikes (a NaN kick, a collapse) are never hidden.
void plot_series(const char* label, std::span<const double> ys, float height);

}  // namespace obs
