#pragma once
// A colormap's key at the right edge of a view: the app's colour key (views/color_key.hpp),
// vertical, with the quantity's name above it and its low, middle and high values.
#include <imgui.h>

#include "gfx/colormap.hpp"
#include "views/view.hpp"

namespace obs {

void draw_colorbar(ImDrawList* dl, const ViewRect& rect, gfx::Colormap map, double lo, double hi, const char* label);

}  // namespace obs
