#pragma once
// One of the carrier view's time plots (R(t), L_comp(t)): a titled panel around the app's series
// plot, with the latest value, the range and the time span.
#include <imgui.h>

#include <span>

namespace obs {

void draw_history_plot(ImDrawList* dl, ImVec2 p0, ImVec2 p1, const char* label, std::span<const double> t,
                       std::span<const double> y, ImU32 colour, bool from_zero);

}  // namespace obs
