#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {

float draw_control_panel(App& app, ImVec2 pos, ImVec2 size, float max_width) {
  const float em = ImGui::GetFontSize();
  // Full height always; the width is the person's (the right edge drags).
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::SetNextWindowSizeConstraints({12 * em, size.y}, {max_width, size.y});
  ImGui::Begin("Observatory", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse);
  const float width = ImGui::GetWindowWidth();
  run_section(app);
  if (ImGui::CollapsingHeader("Scene", ImGuiTreeNodeFlags_DefaultOpen)) scene_section(app);
  if (ImGui::CollapsingHeader("Parameters", ImGuiTreeNodeFlags_DefaultOpen)) params_section(app);
  if (ImGui::CollapsingHeader("Perturb", ImGuiTreeNodeFlags_DefaultOpen)) perturb_section(app);
  if (ImGui::CollapsingHeader("Twins (A/B)", ImGuiTreeNodeFlags_DefaultOpen)) twin_section(app);
  ui::mark("header/Twins");
  if (ImGui::CollapsingHeader("View")) {
    ImGui::PushID("view");
    app.session.view->settings_ui();
    ImGui::PopID();
  }
  ui::mark("header/View");
  if (ImGui::CollapsingHeader("Record")) record_section(app);
  ui::mark("header/Record");
  if (app.session.scene.system == "eqprop") {
    if (ImGui::CollapsingHeader("Lab experiments")) lab_experiments_section(app);
    ui::mark("header/Lab experiments");
  }
  if (ImGui::CollapsingHeader("Lab dashboard")) lab_section(app);
  ui::mark("header/Lab dashboard");
  ImGui::Separator();
  ImGui::TextDisabled("F1: keys and mouse   Tab: hide panels");
  ImGui::End();
  return width;
}

}  // namespace obs
