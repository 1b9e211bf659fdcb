#pragma once
// A metric plot's y scale: the range its trace fills, widened so rounding noise is never blown
// up to the full height, and the map from a value to a height in it, linear or log.
//
// The floor: a range is at least kResolutionsPerPlot resolutions high (the metric's declared
// one, MetricTable::add), centred on the data, so noise within one resolution moves the trace
// by at most 1/20 of the plot (2 px of a 40 px plot) while a real change fills it. A metric
// that declares none gets the larger of kRelativeFloor * |centre| (far below float noise: a
// quantity computed in float should declare its resolution) and kAbsoluteFloor (the rounding
// left by a double sum of a few thousand O(1) terms that cancel, for values around 0).
#include <cfloat>
#include <cstddef>
#include <initializer_list>
#include <span>

#include "views/series_plot.hpp"

namespace obs {

inline constexpr double kResolutionsPerPlot = 20;
inline constexpr double kRelativeFloor = 1e-9;
inline constexpr double kAbsoluteFloor = 4096 * DBL_EPSILON;  // ~9e-13

// The smallest span a plot centred on `centre` shows.
double min_span(double resolution, double centre);

// The range of the finite values of all `series` (positive ones only when `log`), widened to
// min_span around its centre; `floored` says it was widened (the data sits within the floor).
// `skipped` counts the finite values a log scale cannot show (<= 0).
struct ScaledRange {
  SeriesRange range;
  std::size_t skipped = 0;
};
ScaledRange scaled_range(std::initializer_list<std::span<const double>> series, double resolution, bool log);

// Where `y` sits in `range`: 0 at lo, 1 at hi; NaN when it cannot be drawn (non-finite, or
// <= 0 on a log scale, where those values are skipped rather than clamped to the bottom).
double y_fraction(const SeriesRange& range, double y);

}  // namespace obs
