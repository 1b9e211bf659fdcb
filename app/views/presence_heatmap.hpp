#pragma once
// The presence matrix P as a sparse heatmap: rows are oscillators sorted by natural frequency
// (low at the bottom) and binned, columns are carriers in the order the wheels are laid out, so
// a specialised population reads as a diagonal. Empty cells stay background: sparsity shows.
#include <imgui.h>

#include <cstddef>
#include <vector>

#include "resonance/resonance_snapshot.hpp"

namespace obs {

struct PresenceHit {
  int row = -1;            // presence row, -1 when the mouse is elsewhere
  std::size_t carrier = 0;  // index into snapshot carriers
  float value = 0;
};

// `columns` lists snapshot carrier indices left to right; `selected` is a carrier index or -1.
PresenceHit draw_presence_heatmap(ImDrawList* dl, ImVec2 p0, ImVec2 p1, const resonance::ResonanceSnapshot& s,
                                  const std::vector<std::size_t>& columns, long selected, ImVec2 mouse);

}  // namespace obs
