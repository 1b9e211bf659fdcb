#include "views/plot_scale.hpp"

#include <algorithm>
#include <cmath>

namespace obs {

double min_span(double resolution, double centre) {
  const double declared = resolution > 0 ? kResolutionsPerPlot * resolution : 0.0;
  return std::max({declared, kRelativeFloor * std::abs(centre), kAbsoluteFloor});
}

ScaledRange scaled_range(std::initializer_list<std::span<const double>> series, double resolution, bool log) {
  ScaledRange out;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto ys : series)
    for (double y : ys) {
      if (!std::isfinite(y)) continue;
      if (log && y <= 0) {
        ++out.skipped;
        continue;
      }
      lo = std::min(lo, y), hi = std::max(hi, y);
    }
  if (lo > hi) return out;
  SeriesRange& r = out.range;
  r.drawn = true;
  r.log = log;
  const double centre = lo + (hi - lo) / 2, span = min_span(resolution, centre);
  r.floored = hi - lo < span;
  if (!r.floored) {
    r.lo = lo, r.hi = hi;
    return out;
  }
  r.lo = centre - span / 2, r.hi = centre + span / 2;
  // On a log scale the floor may reach 0 or below: widen by a factor instead (one decade).
  if (log && r.lo <= 0) r.lo = centre / std::sqrt(10.0), r.hi = centre * std::sqrt(10.0);
  return out;
}

double y_fraction(const SeriesRange& range, double y) {
  if (!std::isfinite(y)) return NAN;
  if (range.constant) return 0.5;  // common_range's flat line through the middle
  if (range.log) {
    if (y <= 0 || range.lo <= 0) return NAN;
    const double decades = std::log10(range.hi / range.lo);
    return decades > 0 ? std::log10(y / range.lo) / decades : 0.5;
  }
  const double span = range.hi - range.lo;
  return span > 0 ? (y - range.lo) / span : 0.5;
}

}  // namespace obs
