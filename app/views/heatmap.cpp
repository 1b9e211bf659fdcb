#include "views/heatmap.hpp"

#include <algorithm>
#include <cmath>

namespace obs {

ImVec2 Heatmap::cell_size() const {
  return {rect.width() / static_cast<float>(std::max(1, cols)), rect.height() / static_cast<float>(std::max(1, rows))};
}

ViewRect Heatmap::cell(int i) const {
  const ImVec2 size = cell_size();
  const int r = i / std::max(1, cols), c = i % std::max(1, cols);
  const float x0 = rect.min.x + size.x * static_cast<float>(c);
  const float y0 = bottom_up ? rect.max.y - size.y * static_cast<float>(r + 1) : rect.min.y + size.y * static_cast<float>(r);
  return {{x0, y0}, {x0 + size.x, y0 + size.y}};
}

int Heatmap::cell_at(ImVec2 p) const {
  if (!rect.contains(p) || cols <= 0 || rows <= 0) return -1;
  const ImVec2 size = cell_size();
  const int c = std::min(cols - 1, static_cast<int>((p.x - rect.min.x) / size.x));
  int r = std::min(rows - 1, static_cast<int>((p.y - rect.min.y) / size.y));
  if (bottom_up) r = rows - 1 - r;
  const int i = r * cols + c;
  return i < count() ? i : -1;
}

int draw_heatmap(ImDrawList* dl, const Heatmap& map, const CellColour& colour, ImVec2 mouse) {
  const int n = map.count();
  for (int i = 0; i < n; ++i) {
    const ImU32 c = colour(i);
    if (c == 0) continue;
    const ViewRect r = map.cell(i);
    // Without a gap, cells overlap by half a pixel so fractional sizes leave no seams; a cell
    // never shrinks below a pixel, so a dense matrix still shows every value.
    const float w = map.gap.x > 0 ? std::max(1.0f, r.width() - map.gap.x) : r.width() + 0.5f;
    const float h = map.gap.y > 0 ? std::max(1.0f, r.height() - map.gap.y) : r.height() + 0.5f;
    dl->AddRectFilled(r.min, {r.min.x + std::max(1.0f, w), r.min.y + std::max(1.0f, h)}, c);
  }
  return map.cell_at(mouse);
}

ImU32 colormap_colour(gfx::Colormap map, float value, float lo, float hi) {
  if (!std::isfinite(value)) return kNonFiniteColour;
  const float t = hi > lo ? (value - lo) / (hi - lo) : 0.0f;
  const gfx::Rgb c = gfx::sample(map, t);
  return ImGui::ColorConvertFloat4ToU32({c.r, c.g, c.b, 1.0f});
}

}  // namespace obs
