// Screenshots and recorded frame sequences of what the window shows.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {

void record_section(App& app) {
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 4);
  ImGui::InputText("folder", &app.screenshot_dir);
  ui::mark("record/folder");
  ImGui::Checkbox("include panels", &app.screenshot_with_ui);
  ui::mark("record/include panels");
  if (ImGui::Button("Screenshot (F12)")) app.take_screenshot();
  ui::mark("record/screenshot");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputInt("frames", &app.record_frames, 0, 0);
  ui::mark("record/frames");
  app.record_frames = std::clamp(app.record_frames, 1, 100000);
  ImGui::SameLine();
  // "###" ids: the section's header is also called "Record", and one ID for both made the
  // button dead (ImGui gave the click to the header).
  if (app.recording_left > 0) {
    if (ImGui::Button("Stop###record")) {
      app.log(Event::Level::Info, "recording stopped after " + std::to_string(app.recording_index) + " frames in " + app.recording_dir);
      app.recording_left = 0;
    }
    ui::mark("record/record");
    ImGui::TextColored({1.0f, 0.35f, 0.35f, 1}, "REC %d frames written, %d to go", app.recording_index, app.recording_left);
  } else {
    if (ImGui::Button("Record###record")) app.start_recording(app.record_frames);
    ui::mark("record/record");
  }
  if (!app.last_capture.empty()) ImGui::TextWrapped("last: %s", app.last_capture.c_str());
}

}  // namespace obs
