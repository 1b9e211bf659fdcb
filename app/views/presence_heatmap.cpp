#include "views/presence_heatmap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gfx/colormap.hpp"
#include "views/color_key.hpp"
#include "views/heatmap.hpp"

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
  const int cols = static_cast<int>(columns.size());
  Heatmap map{{a, b}, cols, rows};
  map.bottom_up = true;  // low frequencies at the bottom, as on the wheels' axis
  map.gap.x = (b.x - a.x) / static_cast<float>(cols) > 4 ? 1.0f : 0.0f;
  // Row-major over the drawn grid: row r (oscillator bin), column c (the c-th carrier shown).
  auto value = [&](int i) { return s.presence[static_cast<std::size_t>(i / cols) * m + columns[static_cast<std::size_t>(i % cols)]]; };
  const int under = draw_heatmap(dl, map, [&](int i) {
    const float v = value(i);
    return v > 0 || !std::isfinite(v) ? colormap_colour(gfx::Colormap::Viridis, v, 0, vmax) : 0u;  // empty cells stay background
  }, mouse);
  if (under >= 0) hit = {under / cols, columns[static_cast<std::size_t>(under % cols)], value(under)};
  for (int col = 0; col < cols; ++col)
    if (static_cast<long>(columns[static_cast<std::size_t>(col)]) == selected) {
      const ViewRect top = map.cell((rows - 1) * cols + col), bottom = map.cell(col);
      dl->AddRect({top.min.x - 1, top.min.y - 1}, {bottom.max.x - map.gap.x + 1, bottom.max.y + 1}, IM_COL32(255, 255, 255, 230), 0, 0, 1.5f);
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
  std::snprintf(buf, sizeof buf, "%.2g", vmax);
  // Inset by half a line, so the end labels (centred on their levels) stay clear of the caption.
  draw_color_key(dl, {{b.x + em * 0.6f, a.y + em * 0.5f}, {b.x + em * 1.3f, b.y - em * 0.5f}}, {colormap_key(gfx::Colormap::Viridis), "0", nullptr, buf, false, axis});
  return hit;
}

}  // namespace obs
