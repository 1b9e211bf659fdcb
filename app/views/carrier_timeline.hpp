#pragma once
// The carrier lifetime timeline: one bar per carrier id from birth to its end (or now),
// coloured by origin, capped by fate, with a fork from each mitosis parent to its children.
#include <imgui.h>

#include <cstdint>

#include "resonance/resonance_snapshot.hpp"

namespace obs {

// Draws into [p0, p1] and returns the id whose bar is under `mouse` (0 when none; ids start at 1
// in the engine, and an id 0 simply cannot be picked here).
std::uint32_t draw_lifetime_timeline(ImDrawList* dl, ImVec2 p0, ImVec2 p1, const resonance::ResonanceSnapshot& s,
                                     std::uint32_t selected, ImVec2 mouse);

}  // namespace obs
