// Screenshots and recorded frame sequences of what the window shows.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <string>

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
  // The format: PNG frames always; a video when ffmpeg is on PATH (looked up when Record starts).
  static const char* const kFormats[] = {"PNG frames", "MP4 (ffmpeg)", "GIF (ffmpeg)"};
  const int format = static_cast<int>(app.record_format);
  ImGui::BeginDisabled(app.recording_left > 0);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  if (ImGui::BeginCombo("format", kFormats[format])) {
    for (int i = 0; i < 3; ++i) {
      if (ImGui::Selectable(kFormats[i], i == format)) app.record_format = static_cast<App::RecordFormat>(i);
      ui::mark(std::string("record/format/") + kFormats[i]);
    }
    ImGui::EndCombo();
  }
  ui::mark("record/format");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("MP4 (H.264) and GIF are encoded by the ffmpeg binary on PATH (Debian: apt-get install\n"
                      "ffmpeg); without it Record writes PNG frames and says so in the log.");
  if (app.record_format != App::RecordFormat::PngFrames) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4);
    ImGui::InputInt("fps", &app.record_fps, 0, 0);
    ui::mark("record/fps");
    app.record_fps = std::clamp(app.record_fps, 1, 120);
  }
  ImGui::EndDisabled();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputInt("frames", &app.record_frames, 0, 0);
  ui::mark("record/frames");
  app.record_frames = std::clamp(app.record_frames, 1, 100000);
  ImGui::SameLine();
  // "###" ids: the section's header is also called "Record", and one ID for both made the
  // button dead (ImGui gave the click to the header).
  if (app.recording_left > 0) {
    if (ImGui::Button("Stop###record")) app.stop_recording();
    ui::mark("record/record");
    ImGui::TextColored({1.0f, 0.35f, 0.35f, 1}, "REC %d frames written, %d to go", app.recording_index, app.recording_left);
    if (app.recording_video()) ImGui::TextWrapped("into %s", app.recording_target().c_str());
  } else {
    if (ImGui::Button("Record###record")) app.start_recording(app.record_frames);
    ui::mark("record/record");
  }
  if (!app.last_capture.empty()) ImGui::TextWrapped("last: %s", app.last_capture.c_str());
}

}  // namespace obs
