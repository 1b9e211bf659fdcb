#pragma once
// A grid of values as coloured cells on an ImGui draw list: the one heatmap of the app (eqprop's
// layer maps and input image, the resonance presence matrix, the cube's input). The caller lays
// the grid out (where, how big a cell); this draws it and answers which cell is under the mouse.
#include <imgui.h>

#include <functional>

#include "gfx/colormap.hpp"
#include "views/view.hpp"

namespace obs {

struct Heatmap {
  ViewRect rect;           // the cells fill it exactly
  int cols = 1, rows = 1;
  int cells = -1;          // row-major from the first row; fewer than cols * rows leaves the last row short
  bool bottom_up = false;  // row 0 at the bottom, as on a y axis
  ImVec2 gap{0, 0};        // px left dark between neighbours, so large cells read as units

  int count() const { return cells < 0 ? cols * rows : cells; }
  ImVec2 cell_size() const;
  ViewRect cell(int i) const;
  int cell_at(ImVec2 p) const;  // -1 when p is over no cell
};

// The colour of cell i; 0 leaves it background, so a sparse matrix shows its sparsity.
using CellColour = std::function<ImU32(int i)>;

// Returns the cell under `mouse`, or -1.
int draw_heatmap(ImDrawList* dl, const Heatmap& map, const CellColour& colour, ImVec2 mouse = {-1e9f, -1e9f});

// A value through a colormap over [lo, hi]; NaN and Inf in the one non-finite colour.
ImU32 colormap_colour(gfx::Colormap map, float value, float lo, float hi);
inline constexpr ImU32 kNonFiniteColour =
    IM_COL32(gfx::kNonFiniteRgba[0], gfx::kNonFiniteRgba[1], gfx::kNonFiniteRgba[2], gfx::kNonFiniteRgba[3]);

}  // namespace obs
