// The lab dashboard's controls: a sweep folder, Load, and whether the charts' window is shown.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "app.hpp"
#include "core/input_error.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {

void lab_section(App& app) {
  ImGui::TextWrapped("The TorEqProp lab's four charts from a sweep (observatory sweep ... --out DIR).");
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 6);
  ImGui::InputText("sweep folder", &app.dashboard_dir);
  ui::mark("lab/folder");
  if (ImGui::Button("Load charts")) {
    try {
      app.dashboard = lab::load_dashboard(app.dashboard_dir);
      app.dashboard_error.clear();
      app.show_dashboard = true;
    } catch (const InputError& e) {
      app.dashboard_error = e.what();  // the charts loaded before (if any) stay
    }
  }
  ui::mark("lab/load");
  if (app.dashboard) {
    ImGui::SameLine();
    ImGui::Checkbox("show", &app.show_dashboard);
    ui::mark("lab/show");
    // A path has no spaces to wrap at: the count here, the file in the tooltip and the window.
    ImGui::Text("%d runs loaded", app.dashboard->runs);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", app.dashboard->source.c_str());
  }
  if (!app.dashboard_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4{1.0f, 0.4f, 0.4f, 1});
    ImGui::TextWrapped("%s", app.dashboard_error.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace obs
