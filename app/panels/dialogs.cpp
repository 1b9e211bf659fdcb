// The questions the app asks before it could lose or overwrite something: a path for Save as,
// "overwrite?" when that path holds a file, and "unsaved changes" before quitting or opening
// another scene. Modal: the shortcuts wait while one is open; Escape answers Cancel.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <filesystem>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

const char* title_of(App::Dialog d) {
  switch (d) {
    case App::Dialog::SaveAs: return "Save scene as";
    case App::Dialog::ConfirmOverwrite: return "Overwrite?";
    case App::Dialog::UnsavedQuit: return "Quit with unsaved changes?";
    case App::Dialog::UnsavedOpen: return "Open another scene?";
    case App::Dialog::None: break;
  }
  return "";
}

bool button(const char* label, const char* mark_name) {
  const bool pressed = ImGui::Button(label);
  ui::mark(mark_name);
  return pressed;
}

void close(App& app) {
  app.dialog = App::Dialog::None;
  ImGui::CloseCurrentPopup();
}

void save_as_body(App& app) {
  ImGui::TextUnformatted("Path of the new scene file:");
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 28);
  const bool enter = ImGui::InputText("##save_as", &app.save_as_path, ImGuiInputTextFlags_EnterReturnsTrue);
  ui::mark("dialog/path");
  const bool save = button("Save", "dialog/save") || enter;
  ImGui::SameLine();
  if (button("Cancel", "dialog/cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
    close(app);
    return;
  }
  if (!save || app.save_as_path.empty()) return;
  std::error_code ec;
  const bool exists = std::filesystem::exists(app.save_as_path, ec);
  // The scene's own file (and its own state) is the one target that needs no question.
  if ((exists && app.save_as_path != app.session.scene.source) || app.would_overwrite_state(app.save_as_path)) {
    app.dialog_path = app.save_as_path;
    app.dialog = App::Dialog::ConfirmOverwrite;
    ImGui::CloseCurrentPopup();
    return;
  }
  close(app);
  app.save_scene(app.save_as_path);
}

void overwrite_body(App& app) {
  std::error_code ec;
  const bool scene = std::filesystem::exists(app.dialog_path, ec) && app.dialog_path != app.session.scene.source;
  const bool state = app.would_overwrite_state(app.dialog_path);
  if (scene) ImGui::Text("%s already exists.", app.dialog_path.c_str());
  if (state) ImGui::Text("%s already exists.", App::state_path_for(app.dialog_path).c_str());
  ImGui::TextUnformatted(scene && state ? "Replace them with the running scene and its state?"
                         : state        ? "Replace it with the running state?"
                                        : "Replace it with the running scene?");
  if (button("Overwrite", "dialog/overwrite")) {
    close(app);
    app.save_scene(app.dialog_path);
  }
  ImGui::SameLine();
  if (button("Cancel", "dialog/cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) close(app);
}

void unsaved_body(App& app, bool quitting) {
  const bool no_file = app.session.scene.source == "<scene>";
  ImGui::Text("The running scene (%s) has changes that are not saved.", no_file ? "no file yet" : app.session.scene.source.c_str());
  if (!quitting) ImGui::Text("Opening %s replaces it.", app.dialog_path.c_str());
  if (!no_file && button("Save, then continue", "dialog/save")) {
    close(app);
    if (app.save_scene(app.session.scene.source)) {
      if (quitting) app.quit = true;
      else app.open_scene_discarding(app.dialog_path);
    }
    return;
  }
  if (!no_file) ImGui::SameLine();
  if (button(quitting ? "Quit without saving" : "Discard and open", "dialog/discard")) {
    close(app);
    if (quitting) app.quit = true;
    else app.open_scene_discarding(app.dialog_path);
    return;
  }
  ImGui::SameLine();
  if (button("Cancel", "dialog/cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) close(app);
}

}  // namespace

void draw_dialogs(App& app) {
  if (app.dialog == App::Dialog::None) return;
  const char* title = title_of(app.dialog);
  if (!ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos({io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.4f}, ImGuiCond_Appearing, {0.5f, 0.5f});
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) return;
  switch (app.dialog) {
    case App::Dialog::SaveAs: save_as_body(app); break;
    case App::Dialog::ConfirmOverwrite: overwrite_body(app); break;
    case App::Dialog::UnsavedQuit: unsaved_body(app, true); break;
    case App::Dialog::UnsavedOpen: unsaved_body(app, false); break;
    case App::Dialog::None: break;
  }
  ImGui::EndPopup();
}

}  // namespace obs
