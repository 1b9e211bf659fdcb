#include "views/color_key.hpp"

namespace obs {

std::function<ImU32(float)> colormap_key(gfx::Colormap map) {
  return [map](float t) {
    const gfx::Rgb c = gfx::sample(map, t);
    return ImGui::ColorConvertFloat4ToU32({c.r, c.g, c.b, 1.0f});
  };
}

void draw_color_key(ImDrawList* dl, const ViewRect& bar, const ColorKey& key) {
  const int segments = 32;
  for (int i = 0; i < segments; ++i) {
    const float t0 = static_cast<float>(i) / segments, t1 = static_cast<float>(i + 1) / segments;
    const ImU32 c0 = key.colour(t0), c1 = key.colour(t1);
    if (key.horizontal) {
      // Half a pixel of overlap hides the seams between segments.
      const float x0 = bar.min.x + bar.width() * t0, x1 = bar.min.x + bar.width() * t1 + (i + 1 < segments ? 0.5f : 0.0f);
      dl->AddRectFilledMultiColor({x0, bar.min.y}, {x1, bar.max.y}, c0, c1, c1, c0);
    } else {
      const float y1 = bar.max.y - bar.height() * t0, y0 = bar.max.y - bar.height() * t1;
      dl->AddRectFilledMultiColor({bar.min.x, y0}, {bar.max.x, y1}, c1, c1, c0, c0);
    }
  }
  dl->AddRect(bar.min, bar.max, key.frame);
  const float em = ImGui::GetFontSize();
  if (key.horizontal) {
    const float y = (bar.min.y + bar.max.y) * 0.5f - em * 0.5f;
    dl->AddText({bar.min.x - ImGui::CalcTextSize(key.low).x - em * 0.4f, y}, key.text, key.low);
    dl->AddText({bar.max.x + em * 0.4f, y}, key.text, key.high);
    if (key.mid && key.mid[0])
      dl->AddText({(bar.min.x + bar.max.x - ImGui::CalcTextSize(key.mid).x) * 0.5f, bar.max.y + em * 0.1f}, key.text, key.mid);
    return;
  }
  // Each label centred on the level it names.
  const float x = bar.max.x + em * 0.3f;
  dl->AddText({x, bar.min.y - em * 0.5f}, key.text, key.high);
  if (key.mid && key.mid[0]) dl->AddText({x, (bar.min.y + bar.max.y) * 0.5f - em * 0.5f}, key.text, key.mid);
  dl->AddText({x, bar.max.y - em * 0.5f}, key.text, key.low);
}

}  // namespace obs
