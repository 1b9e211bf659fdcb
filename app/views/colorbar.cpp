#include "views/colorbar.hpp"

#include <algorithm>
#include <cstdio>

#include "views/color_key.hpp"

namespace obs {

void draw_colorbar(ImDrawList* dl, const ViewRect& rect, gfx::Colormap map, double lo, double hi, const char* label) {
  const float em = ImGui::GetFontSize();
  char low[32], mid[32], high[32];
  std::snprintf(low, sizeof low, "%.3g", lo);
  std::snprintf(mid, sizeof mid, "%.3g", 0.5 * (lo + hi));
  std::snprintf(high, sizeof high, "%.3g", hi);
  // Far enough from the edge that the widest tick label fits beside the bar.
  const float labels_w = std::max({ImGui::CalcTextSize(low).x, ImGui::CalcTextSize(mid).x, ImGui::CalcTextSize(high).x});
  const float bar_w = em * 0.9f, bar_h = std::min(rect.height() * 0.6f, em * 20);
  const ImVec2 b0{rect.max.x - std::max(em * 4.0f, bar_w + em * 0.3f + labels_w + em * 0.5f), rect.min.y + (rect.height() - bar_h) * 0.5f};
  const ImU32 text = IM_COL32(220, 220, 230, 255);
  draw_color_key(dl, {b0, {b0.x + bar_w, b0.y + bar_h}}, {colormap_key(map), low, mid, high, false, text});
  dl->AddText({b0.x - em * 1.5f, b0.y - em * 2.2f}, text, label);
}

}  // namespace obs
