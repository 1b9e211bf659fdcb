#include "app.hpp"
#include "panels/panels.hpp"

namespace obs {

void draw_control_panel(App& app, ImVec2 pos, ImVec2 size) {
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::Begin("Observatory", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
  run_section(app);
  if (ImGui::CollapsingHeader("Scene", ImGuiTreeNodeFlags_DefaultOpen)) scene_section(app);
  if (ImGui::CollapsingHeader("Parameters", ImGuiTreeNodeFlags_DefaultOpen)) params_section(app);
  if (ImGui::CollapsingHeader("Perturb", ImGuiTreeNodeFlags_DefaultOpen)) perturb_section(app);
  if (ImGui::CollapsingHeader("View")) {
    ImGui::PushID("view");
    app.session.view->settings_ui();
    ImGui::PopID();
  }
  if (ImGui::CollapsingHeader("Record")) record_section(app);
  ImGui::Separator();
  ImGui::TextDisabled("F1: keyboard help   Tab: hide panels");
  ImGui::End();
}

}  // namespace obs
