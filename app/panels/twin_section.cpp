// Twins (A/B): fork the run into a copy that steps beside it, aim parameter edits and
// perturbations at A, B or both, and end the comparison by keeping one side. What the twins
// share and how they are stepped is in core/twin_pair.hpp; the plots overlay their metrics.
#include <imgui.h>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {

void twin_section(App& app) {
  if (!app.twinned()) {
    if (ImGui::Button("Fork")) app.fork();
    ui::mark("twins/fork");
    ImGui::SameLine();
    ImGui::TextDisabled("(F) a copy B beside the run A");
    return;
  }
  ImGui::TextUnformatted("Edits and perturbations go to");
  struct Choice {
    const char* label;
    TwinPair::Side side;
    const char* mark;
  };
  static constexpr Choice kChoices[] = {{"A", TwinPair::Side::A, "twins/A"}, {"B", TwinPair::Side::B, "twins/B"}, {"both", TwinPair::Side::Both, "twins/both"}};
  for (const Choice& c : kChoices) {
    if (c.side != TwinPair::Side::A) ImGui::SameLine();
    if (ImGui::RadioButton(c.label, app.twin_target() == c.side)) app.set_twin_target(c.side);
    ui::mark(c.mark);
  }
  ImGui::TextDisabled(app.twin_target() == TwinPair::Side::B ? "The parameters above show B's values." : "The parameters above show A's values.");
  if (ImGui::Button("Keep A")) app.keep_twin(TwinPair::Side::A);
  ui::mark("twins/keep A");
  ImGui::SameLine();
  if (ImGui::Button("Keep B")) app.keep_twin(TwinPair::Side::B);
  ui::mark("twins/keep B");
  ImGui::SameLine();
  ImGui::TextDisabled("(the other is dropped)");
}

}  // namespace obs
