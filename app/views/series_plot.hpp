#pragma once
// The one series plot of the app (the metrics panel's plots, the carrier view's R(t) and
// L_comp(t)): a series drawn onto a draw list inside a rect, reduced to a min/max pair per pixel
// column so a spike (a NaN kick, a collapse) is never hidden however long the series is.
#include <imgui.h>

#include <cstddef>
#include <initializer_list>
#include <span>

#include "views/view.hpp"

namespace obs {

struct SeriesRange {
  double lo = 0, hi = 0;  // the span drawn; meaningless when !drawn
  bool drawn = false;     // some value was finite
  bool constant = false;  // drawn as a flat line through the middle, bounded by its own value
  bool floored = false;   // widened around the data to a plot's smallest span (views/plot_scale.hpp)
  bool log = false;       // heights are log10 of the value; values <= 0 are not drawn
};

struct SeriesStyle {
  ImU32 colour = IM_COL32(110, 190, 255, 255);
  float thickness = 1.2f;
  bool from_zero = false;  // the span includes 0 (an order parameter, a count)
  const SeriesRange* range = nullptr;  // drawn in this range instead of the series' own (overlays share one)
  double x_lo = 0, x_hi = 0;           // with xs: the x span across the area when x_hi > x_lo (a zoom)
};

// The range spanning every finite value of all the series (for overlaid series: one scale).
SeriesRange common_range(std::initializer_list<std::span<const double>> series, bool from_zero);

// Plots `ys` against `xs` (or against their index when `xs` is empty; else xs is ascending and
// as long as ys) across `area`, from xs' first to last or over the style's x span. A column whose samples are all non-finite breaks the line; a
// column with no sample (sparse xs) is bridged.
SeriesRange draw_series(ImDrawList* dl, const ViewRect& area, std::span<const double> ys, std::span<const double> xs,
                        const SeriesStyle& style);

}  // namespace obs
