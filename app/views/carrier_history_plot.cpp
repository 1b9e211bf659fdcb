#include "views/carrier_history_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace obs {

void draw_history_plot(ImDrawList* dl, ImVec2 p0, ImVec2 p1, const char* label, std::span<const float> t,
                       std::span<const float> y, ImU32 colour, bool from_zero) {
  const float em = ImGui::GetFontSize();
  dl->AddRectFilled(p0, p1, IM_COL32(20, 22, 28, 230), 4);
  const std::size_t n = std::min(t.size(), y.size());
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s  %.4g", label, n ? static_cast<double>(y[n - 1]) : NAN);
  dl->AddText({p0.x + 6, p0.y + 3}, IM_COL32(225, 228, 236, 255), buf);
  const ImVec2 a{p0.x + 6, p0.y + em * 1.45f}, b{p1.x - 6, p1.y - em * 1.2f};
  if (n < 2 || b.x - a.x < 8 || b.y - a.y < 6) return;
  float lo = from_zero ? 0.0f : INFINITY, hi = -INFINITY;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(y[i])) { ++bad; continue; }
    lo = std::min(lo, y[i]);
    hi = std::max(hi, y[i]);
  }
  if (!(lo <= hi)) return;
  if (hi - lo < 1e-9f) hi = lo + (lo == 0 ? 1.0f : std::abs(lo) * 0.1f);
  const float t0 = t[0], t1 = std::max(t[n - 1], t0 + 1e-6f);
  dl->AddLine({a.x, b.y}, {b.x, b.y}, IM_COL32(70, 74, 88, 255));
  auto ypix = [&](float v) { return b.y - (v - lo) / (hi - lo) * (b.y - a.y); };
  const int columns = std::max(1, static_cast<int>(b.x - a.x));
  std::size_t i = 0;
  ImVec2 prev{-1, -1};
  for (int c = 0; c < columns && i < n; ++c) {
    // Samples whose time falls in this pixel column.
    const float tc = t0 + (t1 - t0) * static_cast<float>(c + 1) / static_cast<float>(columns);
    float mn = INFINITY, mx = -INFINITY;
    for (; i < n && (t[i] <= tc || c == columns - 1); ++i)
      if (std::isfinite(y[i])) { mn = std::min(mn, y[i]); mx = std::max(mx, y[i]); }
    if (mn > mx) continue;
    const float x = a.x + static_cast<float>(c);
    if (prev.x >= 0) dl->AddLine(prev, {x, ypix(mn)}, colour, 1.4f);
    dl->AddLine({x, ypix(mn)}, {x, ypix(mx) - 0.01f}, colour, 1.4f);
    prev = {x, ypix(mx)};
  }
  const ImU32 axis = IM_COL32(140, 145, 160, 255);
  std::snprintf(buf, sizeof buf, "%.3g", static_cast<double>(hi));
  dl->AddText({b.x - ImGui::CalcTextSize(buf).x, p0.y + 3}, axis, buf);
  std::snprintf(buf, sizeof buf, "t %.4g .. %.4g", static_cast<double>(t0), static_cast<double>(t1));
  dl->AddText({a.x, b.y + 1}, axis, buf);
  std::snprintf(buf, sizeof buf, "%.3g", static_cast<double>(lo));
  dl->AddText({b.x - ImGui::CalcTextSize(buf).x, b.y + 1}, axis, buf);
  if (bad) {
    std::snprintf(buf, sizeof buf, "%zu non-finite", bad);
    dl->AddText({a.x + em * 8, b.y + 1}, IM_COL32(255, 120, 100, 255), buf);
  }
}

}  // namespace obs
