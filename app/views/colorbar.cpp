#include "views/colorbar.hpp"

#include <algorithm>
#include <cstdio>

namespace obs {

void draw_colorbar(ImDrawList* dl, const ViewRect& rect, gfx::Colormap map, double lo, double hi, const char* label) {
  const float em = ImGui::GetFontSize();
  const float bar_w = em * 0.9f, bar_h = std::min(rect.height() * 0.6f, em * 20);
  const ImVec2 b0{rect.max.x - em * 4.0f, rect.min.y + (rect.height() - bar_h) * 0.5f};
  const int segments = 32;
  for (int i = 0; i < segments; ++i) {
    const float t0 = static_cast<float>(i) / segments, t1 = static_cast<float>(i + 1) / segments;
    const gfx::Rgb c0 = gfx::sample(map, t0), c1 = gfx::sample(map, t1);
    const ImU32 top = ImGui::ColorConvertFloat4ToU32({c1.r, c1.g, c1.b, 1});
    const ImU32 bottom = ImGui::ColorConvertFloat4ToU32({c0.r, c0.g, c0.b, 1});
    dl->AddRectFilledMultiColor({b0.x, b0.y + bar_h * (1 - t1)}, {b0.x + bar_w, b0.y + bar_h * (1 - t0)}, top, top, bottom, bottom);
  }
  dl->AddRect(b0, {b0.x + bar_w, b0.y + bar_h}, IM_COL32(200, 200, 210, 200));
  const ImU32 text = IM_COL32(220, 220, 230, 255);
  char buf[32];
  const double values[3] = {hi, 0.5 * (lo + hi), lo};
  for (int i = 0; i < 3; ++i) {
    std::snprintf(buf, sizeof buf, "%.3g", values[i]);
    dl->AddText({b0.x + bar_w + em * 0.3f, b0.y + bar_h * 0.5f * static_cast<float>(i) - em * 0.5f}, text, buf);
  }
  dl->AddText({b0.x - em * 1.5f, b0.y - em * 2.2f}, text, label);
}

}  // namespace obs
