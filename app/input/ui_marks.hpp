#pragma once
// Where each interactive widget was drawn in the last frame, by a stable name
// ("param/N", "button/Record"). Dear ImGui 1.86 as packaged by Debian has no test-engine hooks,
// so the panels mark their own widgets; a scripted test then clicks "the widget labelled N in
// the Parameters panel" by name instead of by a pixel position that moves with every layout change.
// Recording is off unless a test turns it on, so a normal frame pays one branch per widget.
#include <imgui.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace obs::ui {

struct Mark {
  ImVec2 min, max;            // the item's rectangle, screen coordinates
  ImVec2 window_min, window_max;  // the inner clip rectangle of the window it sits in
  bool visible = false;       // not scrolled out of its window
  ImVec2 centre() const { return {(min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f}; }
};

void set_marks_enabled(bool on);
// The frame loop calls this before the panels draw.
void begin_marks_frame();
// Names the item just submitted (ImGui's "last item").
void mark(std::string_view name);
// Names a region a view paints itself on the canvas under the windows, with no ImGui item behind
// it (a bar of a timeline). A caller that builds the name per frame asks marks_enabled() first.
void mark_rect(std::string_view name, ImVec2 min, ImVec2 max);
bool marks_enabled();
// The named item as drawn in the last complete frame (call it between frames).
std::optional<Mark> find_mark(std::string_view name);
// Every name marked in the last complete frame (the random-input test aims at these too).
std::vector<std::string> mark_names();

}  // namespace obs::ui
