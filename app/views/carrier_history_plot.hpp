#pragma once
// A small time plot on a draw list: a series against its times, reduced to a min/max pair per
// pixel column so a spike (a collapse, a NaN kick) is never hidden, with its range and value.
#include <imgui.h>

#include <span>

namespace obs {

void draw_history_plot(ImDrawList* dl, ImVec2 p0, ImVec2 p1, const char* label, std::span<const float> t,
                       std::span<const float> y, ImU32 colour, bool from_zero);

}  // namespace obs
