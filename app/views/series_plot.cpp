#include "views/series_plot.hpp"

#include <algorithm>
#include <cmath>

#include "views/plot_scale.hpp"

namespace obs {

SeriesRange common_range(std::initializer_list<std::span<const double>> series, bool from_zero) {
  SeriesRange r;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto ys : series)
    for (double y : ys)
      if (std::isfinite(y)) lo = std::min(lo, y), hi = std::max(hi, y);
  if (lo > hi) return r;
  if (from_zero) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  r.lo = lo;
  r.hi = hi;
  r.drawn = true;
  r.constant = hi - lo <= 1e-12 * std::max(1.0, std::abs(hi));
  return r;
}

SeriesRange draw_series(ImDrawList* dl, const ViewRect& area, std::span<const double> ys, std::span<const double> xs,
                        const SeriesStyle& style) {
  const bool by_x = !xs.empty();
  const std::size_t n = by_x ? std::min(xs.size(), ys.size()) : ys.size();
  const SeriesRange range = style.range ? *style.range : common_range({ys.first(n)}, style.from_zero);
  if (!range.drawn || area.width() < 1 || area.height() < 1) return range;
  auto ypix = [&](double y) { return area.max.y - static_cast<float>(y_fraction(range, y)) * area.height(); };
  const int columns = std::max(1, static_cast<int>(area.width()));
  const bool fixed_x = style.x_hi > style.x_lo;
  const double x0 = fixed_x ? style.x_lo : by_x && n ? xs[0] : 0;
  const double x1 = fixed_x ? style.x_hi : by_x && n ? std::max(xs[n - 1], x0 + 1e-9) : 0;
  std::size_t next = 0;  // by x: the first sample not yet in a column
  ImVec2 prev{-1, -1};
  for (int c = 0; c < columns && next < n; ++c) {
    // The samples of this pixel column: by x, those up to its right edge; by index, an equal share
    // (at least one, so a series shorter than the width stretches across it).
    std::size_t a = 0, b = 0;
    if (by_x) {
      const double edge = x0 + (x1 - x0) * static_cast<double>(c + 1) / static_cast<double>(columns);
      a = b = next;
      while (b < n && (xs[b] <= edge || c == columns - 1)) ++b;
      next = b;
      if (a == b) continue;
    } else {
      a = n * static_cast<std::size_t>(c) / static_cast<std::size_t>(columns);
      b = std::min(n, std::max(a + 1, n * static_cast<std::size_t>(c + 1) / static_cast<std::size_t>(columns)));
    }
    double mn = INFINITY, mx = -INFINITY;
    for (std::size_t i = a; i < b; ++i)
      if (std::isfinite(ys[i]) && (!range.log || ys[i] > 0)) mn = std::min(mn, ys[i]), mx = std::max(mx, ys[i]);
    if (mn > mx) {
      prev = {-1, -1};
      continue;
    }
    const float x = area.min.x + static_cast<float>(c) * area.width() / static_cast<float>(columns);
    const ImVec2 bottom{x, ypix(mn)}, top{x, ypix(mx)};
    if (prev.x >= 0) dl->AddLine(prev, bottom, style.colour, style.thickness);
    dl->AddLine(bottom, {top.x, top.y - 0.01f}, style.colour, style.thickness);
    prev = top;
  }
  return range;
}

}  // namespace obs
