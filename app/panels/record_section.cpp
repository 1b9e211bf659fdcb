#include <imgui.h>
#include <imgui_stdlib.h>

#include "app.hpp"
#include "panels/panels.hpp"

namespace obs {

void record_section(App& app) {
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 4);
  ImGui::InputText("folder", &app.screenshot_dir);
  ImGui::Checkbox("include panels", &app.screenshot_with_ui);
  if (ImGui::Button("Screenshot (F12)")) app.take_screenshot();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputInt("frames", &app.record_frames);
  app.record_frames = std::clamp(app.record_frames, 1, 100000);
  ImGui::SameLine();
  if (app.recording_left > 0) {
    if (ImGui::Button("Stop")) app.recording_left = 0;
    ImGui::Text("recording: %d frames left", app.recording_left);
  } else if (ImGui::Button("Record")) {
    app.start_recording(app.record_frames);
  }
  if (!app.last_capture.empty()) ImGui::TextWrapped("last: %s", app.last_capture.c_str());
}

}  // namespace obs
