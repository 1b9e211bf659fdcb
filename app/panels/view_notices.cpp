// Short notices drawn over the view on the foreground list: they are part of what the person
// sees in the window, but a screenshot taken without the UI does not carry them.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

void boxed_text(ImVec2 at, const char* text, ImU32 color) {
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  const ImVec2 size = ImGui::CalcTextSize(text);
  const float pad = ImGui::GetFontSize() * 0.5f;
  dl->AddRectFilled({at.x - pad, at.y - pad}, {at.x + size.x + pad, at.y + size.y + pad}, IM_COL32(20, 22, 28, 225), pad * 0.5f);
  dl->AddText(at, color, text);
}

}  // namespace

void draw_view_notices(App& app, const ViewRect& view, bool panels_hidden) {
  const float em = ImGui::GetFontSize();
  char text[512];
  // A quick open should not flash a notice.
  if (app.opening() && app.opening_seconds() >= 0.15) {
    std::snprintf(text, sizeof text, "opening %s ... %.1f s", app.opening_path().c_str(), app.opening_seconds());
    const ImVec2 size = ImGui::CalcTextSize(text);
    boxed_text({view.min.x + (view.width() - size.x) * 0.5f, view.min.y + view.height() * 0.45f}, text, IM_COL32(235, 235, 240, 255));
  }
  if (panels_hidden) {
    const char* hint = "panels hidden: Tab shows them, F1 lists the keys";
    boxed_text({view.min.x + em, view.max.y - 2 * em}, hint, IM_COL32(190, 195, 205, 255));
  }
}

void draw_twin_label(const ViewRect& strip, const char* side, TwinPair::Side target, bool narrow_hint) {
  // On the background list, as the view's own overlay: a recorded video says which twin is which.
  // The hint only where it tells one side from the other (with "both", neither is singled out).
  const bool aimed = target == (side[0] == 'A' ? TwinPair::Side::A : TwinPair::Side::B);
  char text[48];
  std::snprintf(text, sizeof text, aimed ? "%s  (edits go here)" : "%s", side);
  const ImVec2 size = ImGui::CalcTextSize(text);
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  dl->AddRectFilled(strip.min, strip.max, IM_COL32(20, 22, 28, 255));
  const float em = ImGui::GetFontSize(), y = strip.min.y + (strip.height() - size.y) * 0.5f;
  float x = strip.min.x + (strip.width() - size.x) * 0.5f;
  // Once, in A's strip: the views' text is laid out for a wider pane than half of the middle.
  if (narrow_hint && side[0] == 'A') {
    const char* hint = "Tab: wider panes";
    dl->AddText({strip.min.x + em * 0.5f, y}, IM_COL32(150, 155, 165, 255), hint);
    x = std::max(x, strip.min.x + em * 1.5f + ImGui::CalcTextSize(hint).x);
  }
  dl->AddText({x, y}, side[0] == 'A' ? IM_COL32(120, 200, 255, 255) : IM_COL32(255, 170, 90, 255), text);
}

}  // namespace obs
