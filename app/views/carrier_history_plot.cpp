#include "views/carrier_history_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "views/series_plot.hpp"

namespace obs {

void draw_history_plot(ImDrawList* dl, ImVec2 p0, ImVec2 p1, const char* label, std::span<const double> t,
                       std::span<const double> y, ImU32 colour, bool from_zero) {
  const float em = ImGui::GetFontSize();
  dl->AddRectFilled(p0, p1, IM_COL32(20, 22, 28, 230), 4);
  const std::size_t n = std::min(t.size(), y.size());
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s  %.4g", label, n ? y[n - 1] : NAN);
  dl->AddText({p0.x + 6, p0.y + 3}, IM_COL32(225, 228, 236, 255), buf);
  const ImVec2 a{p0.x + 6, p0.y + em * 1.45f}, b{p1.x - 6, p1.y - em * 1.2f};
  if (n < 2 || b.x - a.x < 8 || b.y - a.y < 6) return;
  dl->AddLine({a.x, b.y}, {b.x, b.y}, IM_COL32(70, 74, 88, 255));
  const SeriesRange range = draw_series(dl, {a, b}, y.first(n), t.first(n), {colour, 1.4f, from_zero});
  if (!range.drawn) return;
  const ImU32 axis = IM_COL32(140, 145, 160, 255);
  std::snprintf(buf, sizeof buf, "%.3g", range.hi);
  dl->AddText({b.x - ImGui::CalcTextSize(buf).x, p0.y + 3}, axis, buf);
  std::snprintf(buf, sizeof buf, "t %.4g .. %.4g", t[0], t[n - 1]);
  dl->AddText({a.x, b.y + 1}, axis, buf);
  if (!range.constant) {
    std::snprintf(buf, sizeof buf, "%.3g", range.lo);
    dl->AddText({b.x - ImGui::CalcTextSize(buf).x, b.y + 1}, axis, buf);
  }
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) bad += !std::isfinite(y[i]);
  if (bad) {
    std::snprintf(buf, sizeof buf, "%zu non-finite", bad);
    dl->AddText({a.x + em * 8, b.y + 1}, IM_COL32(255, 120, 100, 255), buf);
  }
}

}  // namespace obs
