#include <imgui.h>
#include <imgui_stdlib.h>

#include "app.hpp"
#include "panels/panels.hpp"

namespace obs {

void scene_section(App& app) {
  ImGui::TextDisabled("%s", app.session.scene.source.c_str());
  if (!app.session.scene.description.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(app.session.scene.description.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::SetNextItemWidth(-1);
  const bool enter = ImGui::InputText("##path", &app.scene_path, ImGuiInputTextFlags_EnterReturnsTrue);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Scene path. Enter or Open loads it; you can also drop a .json onto the window.");
  if (ImGui::Button("Open") || enter) app.request_open_scene(app.scene_path);
  ImGui::SameLine();
  if (ImGui::Button("Save")) app.save_scene(app.session.scene.source == "<scene>" ? app.scene_path : app.session.scene.source);
  ImGui::SameLine();
  if (ImGui::Button("Save as")) app.save_scene(app.scene_path);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Save to the path above (atomic: a temporary file, then rename)");
  if (!app.recent.empty() && ImGui::TreeNode("Recent")) {
    for (const auto& path : std::vector<std::string>(app.recent)) {
      if (ImGui::Selectable(path.c_str())) {
        app.scene_path = path;
        app.request_open_scene(path);
      }
    }
    ImGui::TreePop();
  }
}

void draw_error_panel(App& app, const ViewRect& over) {
  const float em = ImGui::GetFontSize();
  ImGui::SetNextWindowPos({over.min.x + em, over.max.y - em}, ImGuiCond_Always, {0, 1});
  ImGui::SetNextWindowSize({over.width() - 2 * em, 0});
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(70, 20, 24, 235));
  ImGui::Begin("Scene not loaded", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                               ImGuiWindowFlags_AlwaysAutoResize);
  ImGui::TextWrapped("%s", app.load_error.c_str());
  ImGui::TextDisabled("The running scene was kept.");
  if (ImGui::Button("Dismiss")) app.load_error.clear();
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace obs
