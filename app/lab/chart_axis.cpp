#include "lab/chart_axis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace obs::lab {

double ChartAxis::frac(double v) const {
  if (log) return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
  return (v - lo) / (hi - lo);
}

std::vector<double> ChartAxis::ticks() const {
  std::vector<double> out;
  if (log) {
    for (double p = std::ceil(std::log10(lo) - 1e-9); p <= std::log10(hi) + 1e-9; ++p) out.push_back(std::pow(10.0, p));
    return out;
  }
  const double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.push_back(std::fabs(v) < 1e-12 * step ? 0.0 : v);
  return out;
}

std::string ChartAxis::tick_text(double v) const {
  char buf[32];
  if (log) std::snprintf(buf, sizeof buf, "1e%d", static_cast<int>(std::lround(std::log10(v))));
  else if (std::fabs(v - std::round(v)) < 1e-9 * std::max(1.0, std::fabs(v))) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

ChartAxis axis_of(const std::vector<double>& values, bool log) {
  ChartAxis a;
  a.log = log;
  if (values.empty()) return a;
  double lo = *std::min_element(values.begin(), values.end()), hi = *std::max_element(values.begin(), values.end());
  if (log) {
    lo = std::pow(10.0, std::floor(std::log10(lo) - 0.05));
    hi = std::pow(10.0, std::ceil(std::log10(hi) + 0.05));
  } else {
    const double pad = hi > lo ? 0.06 * (hi - lo) : std::max(1.0, 0.1 * std::fabs(hi));
    lo -= pad;
    hi += pad;
  }
  a.lo = lo;
  a.hi = hi;
  return a;
}

ChartAxes axes_of(const Chart& chart) {
  std::vector<double> xs, ys;
  for (const auto& s : chart.series)
    for (const auto& p : s.points) {
      xs.push_back(p.x);
      ys.insert(ys.end(), {p.y_lo, p.y_hi, p.y});
    }
  return {axis_of(xs, chart.log_x), axis_of(ys, false)};
}

}  // namespace obs::lab
