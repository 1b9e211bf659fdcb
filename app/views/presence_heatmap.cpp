#include "views/presence_heatmap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gfx/colormap.hpp"

namespace obs {

PresenceHit draw_presence_heatmap(ImDrawList* dl, ImVec2 p0, ImVec2 p1, const resonance::ResonanceSnapshot& s,
                                  const std::vector<std::size_t>& columns, long selected, ImVec2 mouse) {
  const float em = ImGui::GetFontSize();
  dl->AddRectFilled(p0, p1, IM_COL32(20, 22, 28, 230), 4);
  char buf[96];
  std::snprintf(buf, sizeof buf, "presence P   density %.3g", s.density);
  dl->AddText({p0.x + 6, p0.y + 3}, IM_COL32(225, 228, 236, 255), buf);
  PresenceHit hit;
  const std::size_t m = s.carriers.size();
  const int rows = s.presence_rows;
  // Plot area, with room for the row axis label on the left and the colorbar on the right.
  const ImVec2 a{p0.x + em * 1.3f, p0.y + em * 1.5f}, b{p1.x - em * 3.6f, p1.y - em * 1.35f};
  if (m == 0 || rows <= 0 || s.presence.size() != static_cast<std::size_t>(rows) * m || b.x - a.x < 8 || b.y - a.y < 8) {
    dl->AddText({a.x, a.y}, IM_COL32(150, 150, 160, 255), m == 0 ? "no carriers" : "no presence data");
    return hit;
  }
  float vmax = 0;
  for (float v : s.presence)
    if (std::isfinite(v)) vmax = std::max(vmax, v);
  if (vmax <= 0) vmax = 1;
  dl->AddRectFilled(a, b, IM_COL32(12, 13, 17, 255));
  const float cw = (b.x - a.x) / static_cast<float>(columns.size()), rh = (b.y - a.y) / static_cast<float>(rows);
  const auto lut = gfx::stops(gfx::Colormap::Viridis);
  auto colour = [&](float t) {
    const float u = std::clamp(t, 0.0f, 1.0f) * 9.0f;
    const int i = std::min(8, static_cast<int>(u));
    const float f = u - static_cast<float>(i);
    const gfx::Rgb c0 = lut[static_cast<std::size_t>(i)], c1 = lut[static_cast<std::size_t>(i + 1)];
    return ImGui::ColorConvertFloat4ToU32({c0.r + (c1.r - c0.r) * f, c0.g + (c1.g - c0.g) * f, c0.b + (c1.b - c0.b) * f, 1});
  };
  for (std::size_t col = 0; col < columns.size(); ++col) {
    const std::size_t k = columns[col];
    const float x0 = a.x + cw * static_cast<float>(col), x1 = x0 + std::max(1.0f, cw - (cw > 4 ? 1.0f : 0.0f));
    for (int r = 0; r < rows; ++r) {
      const float v = s.presence[static_cast<std::size_t>(r) * m + k];
      const float y1 = b.y - rh * static_cast<float>(r), y0 = y1 - std::max(1.0f, rh);
      if (!std::isfinite(v)) dl->AddRectFilled({x0, y0}, {x1, y1}, IM_COL32(255, 60, 200, 255));  // never silently blank
      else if (v > 0) dl->AddRectFilled({x0, y0}, {x1, y1}, colour(v / vmax));
      if (mouse.x >= x0 && mouse.x < x0 + cw && mouse.y >= y0 && mouse.y < y1) hit = {r, k, v};
    }
    if (static_cast<long>(k) == selected) dl->AddRect({x0 - 1, a.y - 1}, {x1 + 1, b.y + 1}, IM_COL32(255, 255, 255, 230), 0, 0, 1.5f);
  }
  dl->AddRect(a, b, IM_COL32(90, 95, 110, 255));
  const ImU32 axis = IM_COL32(150, 155, 170, 255);
  const float room = p1.x - a.x;
  const char* caption = "carriers by spectral centre  (rows: oscillators by omega)";
  if (ImGui::CalcTextSize(caption).x > room) caption = "carriers  (rows: oscillators by omega)";
  if (ImGui::CalcTextSize(caption).x > room) caption = "carriers x oscillators";
  dl->AddText({a.x, b.y + 2}, axis, caption);
  // Rows: oscillators by natural frequency; ImGui draws no rotated text, so the ends are marked.
  dl->AddText({p0.x + 3, a.y}, axis, "hi");
  dl->AddText({p0.x + 3, b.y - em}, axis, "lo");
  // Colorbar.
  const ImVec2 c0{b.x + em * 0.6f, a.y}, c1{b.x + em * 1.3f, b.y};
  const int seg = 24;
  for (int i = 0; i < seg; ++i) {
    const float t0 = static_cast<float>(i) / seg, t1 = static_cast<float>(i + 1) / seg;
    const ImU32 lo = colour(t0), hi = colour(t1);
    dl->AddRectFilledMultiColor({c0.x, c1.y - (c1.y - c0.y) * t1}, {c1.x, c1.y - (c1.y - c0.y) * t0}, hi, hi, lo, lo);
  }
  dl->AddRect(c0, c1, IM_COL32(200, 200, 210, 200));
  std::snprintf(buf, sizeof buf, "%.2g", vmax);
  dl->AddText({c1.x + 3, c0.y - 2}, axis, buf);
  dl->AddText({c1.x + 3, c1.y - em + 2}, axis, "0");
  return hit;
}

}  // namespace obs
