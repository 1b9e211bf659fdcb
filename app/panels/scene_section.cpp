#include <imgui.h>
#include <imgui_stdlib.h>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {

void scene_section(App& app) {
  const bool no_file = app.session.scene.source == "<scene>";
  ImGui::TextDisabled("%s", no_file ? "(no file yet)" : app.session.scene.source.c_str());
  if (app.dirty()) ImGui::TextColored({1.0f, 0.8f, 0.35f, 1}, "* unsaved changes");
  if (!app.session.scene.description.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(app.session.scene.description.c_str());
    ImGui::PopTextWrapPos();
  }
  // The path field is for opening only: a failed open leaves its path here, and no save may
  // ever write to it by accident (Save goes to the scene's own file, Save as asks).
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 3.5f);
  const bool enter = ImGui::InputText("##open", &app.scene_path, ImGuiInputTextFlags_EnterReturnsTrue);
  ui::mark("scene/path");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("A scene file to open (Enter or Open); you can also drop a .json onto the window.");
  ImGui::SameLine();
  if (ImGui::Button("Open") || enter) app.request_open_scene(app.scene_path);
  ui::mark("scene/open");

  if (ImGui::Button("Save")) app.save();
  ui::mark("scene/save");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(no_file ? "Ctrl+S: this scene has no file yet: asks for a path" : "Ctrl+S: write to %s (atomic: a temporary file, then rename)",
                      app.session.scene.source.c_str());
  ImGui::SameLine();
  if (ImGui::Button("Save as...")) app.request_save_as();
  ui::mark("scene/save as");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+Shift+S: write to a new path (asks before overwriting a file)");
  ImGui::SameLine();
  ImGui::BeginDisabled(!app.dirty());
  if (ImGui::Button("Revert")) app.revert_to_scene();
  ui::mark("scene/revert");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Every parameter and the seed back to the scene file's values (Ctrl+Z undoes it)");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Checkbox("with state", &app.save_with_state);
  ui::mark("scene/with state");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Save writes parameters and state: the running network to NAME.state beside the scene, which\n"
                      "the scene names with its checksum, so opening it restores the trained state. Off: parameters only.");

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
  ui::mark("error/dismiss");
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace obs
