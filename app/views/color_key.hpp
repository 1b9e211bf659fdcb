#pragma once
// The one colour key of the app: a bar of colours from the low end to the high end with tick
// labels, drawn vertical (low at the bottom, labels to the right) or horizontal (low at the left,
// the end labels either side, the middle one under it). Every map's key is this one.
#include <imgui.h>

#include <functional>

#include "gfx/colormap.hpp"
#include "views/view.hpp"

namespace obs {

struct ColorKey {
  std::function<ImU32(float t)> colour;  // t in [0, 1], low end to high end
  const char* low = "";
  const char* mid = nullptr;  // optional
  const char* high = "";
  bool horizontal = false;
  ImU32 text = IM_COL32(150, 156, 172, 255);
  ImU32 frame = IM_COL32(200, 200, 210, 200);
};

// A key of a gfx colormap.
std::function<ImU32(float)> colormap_key(gfx::Colormap map);

// Draws the bar in `bar`; labels go outside it (right of a vertical bar, beside and under a
// horizontal one), so the caller leaves room there.
void draw_color_key(ImDrawList* dl, const ViewRect& bar, const ColorKey& key);

}  // namespace obs
