#pragma once
// A vertical colorbar with its label and three tick values, at the right edge of a view.
#include <imgui.h>

#include "gfx/colormap.hpp"
#include "views/view.hpp"

namespace obs {

void draw_colorbar(ImDrawList* dl, const ViewRect& rect, gfx::Colormap map, double lo, double hi, const char* label);

}  // namespace obs
