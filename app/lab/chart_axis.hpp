#pragma once
// A chart axis of the lab's dashboard, shared by the SVG export and the window: the data's range
// padded a little (whole decades on a log axis), where a value sits in it, round ticks, and
// their labels; and the series' colours.
#include <cstdint>
#include <string>
#include <vector>

#include "lab/dashboard_data.hpp"

namespace obs::lab {

// The series' colours in order, 0xRRGGBB (distinct on white and on the dark theme; twelve, as
// many as a 2-algorithm x 6-depth robustness chart has).
inline constexpr std::uint32_t kSeriesColors[] = {0x1f77b4, 0xd62728, 0x2ca02c, 0x9467bd, 0xff7f0e, 0x17becf,
                                                  0x8c564b, 0xe377c2, 0xbcbd22, 0x7f7f7f, 0x393b79, 0xf7b6d2};

struct ChartAxis {
  double lo = 0, hi = 1;
  bool log = false;
  // 0 at lo, 1 at hi (log10 of both on a log axis).
  double frac(double v) const;
  // Steps of 1, 2 or 5 times a power of ten, about five of them; every decade on a log axis.
  std::vector<double> ticks() const;
  // Short, and exact for the integers a depth axis has; 1e6 on a log axis.
  std::string tick_text(double v) const;
};

// The range of `values` padded by 6 % (to whole decades when `log`), never of zero width.
ChartAxis axis_of(const std::vector<double>& values, bool log);

// A chart's two axes: x over its points, y over their means, mins and maxes (what the SVG, the
// window and a test placing the pointer on a point all use).
struct ChartAxes {
  ChartAxis x, y;
};
ChartAxes axes_of(const Chart& chart);

}  // namespace obs::lab
