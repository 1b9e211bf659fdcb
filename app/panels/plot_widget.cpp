#include "panels/plot_widget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace obs {

void plot_series(const char* label, std::span<const double> ys, float height) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const ImVec2 p1{p0.x + w, p0.y + height};
  ImGui::InvisibleButton(label, {w, height});
  dl->AddRectFilled(p0, p1, IM_COL32(24, 26, 32, 255), 3);

  double lo = INFINITY, hi = -INFINITY;
  std::size_t bad = 0;
  for (double y : ys) {
    if (!std::isfinite(y)) { ++bad; continue; }
    lo = std::min(lo, y);
    hi = std::max(hi, y);
  }
  const double last = ys.empty() ? NAN : ys.back();
  char text[96];
  std::snprintf(text, sizeof text, "%s  %.5g", label, last);
  if (lo <= hi) {
    if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
    const int columns = std::max(1, static_cast<int>(w));
    const std::size_t n = ys.size();
    auto ypix = [&](double y) { return p1.y - 2 - static_cast<float>((y - lo) / (hi - lo)) * (height - 4); };
    ImVec2 prev{-1, -1};
    for (int c = 0; c < columns && n > 0; ++c) {
      const std::size_t a = n * static_cast<std::size_t>(c) / static_cast<std::size_t>(columns);
      const std::size_t b = std::max(a + 1, n * static_cast<std::size_t>(c + 1) / static_cast<std::size_t>(columns));
      double mn = INFINITY, mx = -INFINITY;
      for (std::size_t i = a; i < b && i < n; ++i)
        if (std::isfinite(ys[i])) { mn = std::min(mn, ys[i]); mx = std::max(mx, ys[i]); }
      if (mn > mx) { prev = {-1, -1}; continue; }
      const float x = p0.x + static_cast<float>(c) * w / static_cast<float>(columns);
      const ImVec2 top{x, ypix(mx)}, bottom{x, ypix(mn)};
      if (prev.x >= 0) dl->AddLine(prev, bottom, IM_COL32(110, 190, 255, 255), 1.2f);
      dl->AddLine(bottom, {top.x, top.y - 0.01f}, IM_COL32(110, 190, 255, 255), 1.2f);
      prev = top;
    }
    char range[64];
    std::snprintf(range, sizeof range, "%.3g", hi);
    dl->AddText({p1.x - ImGui::CalcTextSize(range).x - 4, p0.y + 2}, IM_COL32(140, 145, 160, 255), range);
    std::snprintf(range, sizeof range, "%.3g", lo);
    dl->AddText({p1.x - ImGui::CalcTextSize(range).x - 4, p1.y - ImGui::GetFontSize() - 2}, IM_COL32(140, 145, 160, 255), range);
  }
  dl->AddText({p0.x + 4, p0.y + 2}, IM_COL32(225, 228, 236, 255), text);
  if (bad) {
    std::snprintf(text, sizeof text, "%zu non-finite", bad);
    dl->AddText({p0.x + 4, p1.y - ImGui::GetFontSize() - 2}, IM_COL32(255, 120, 100, 255), text);
  }
}

}  // namespace obs
