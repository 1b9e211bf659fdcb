#include <imgui.h>

#include "app.hpp"
#include "panels/panels.hpp"
#include "shortcuts.hpp"

namespace obs {

void draw_help_overlay(App& app) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos({io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f}, ImGuiCond_Always, {0.5f, 0.5f});
  ImGui::SetNextWindowBgAlpha(0.92f);
  ImGui::Begin("Keyboard", &app.show_help, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse);
  if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
    for (const Shortcut& s : shortcuts()) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(s.label);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(s.action);
    }
    ImGui::EndTable();
  }
  ImGui::Separator();
  ImGui::TextDisabled("Sliders: drag, or Ctrl+click (or double-click) to type a value; typed values are held to the range.");
  ImGui::TextDisabled("R beside a parameter: back to the scene file's value. Edits are in the log, old -> new.");
  ImGui::TextDisabled("The side panels' inner edges drag to resize them; so does the bar above the log.");
  ImGui::TextDisabled("Mouse over the view: wheel zooms, drag pans, double-click resets the camera.");
  ImGui::TextDisabled("Drop a scene .json onto the window to open it.");
  ImGui::End();
}

}  // namespace obs
