#include "shortcuts.hpp"

#include <GLFW/glfw3.h>

#include "app.hpp"

namespace obs {

std::span<const Shortcut> shortcuts() {
  static const Shortcut table[] = {
      {GLFW_KEY_SPACE, false, false, "Space", "play / pause", [](App& a) { a.toggle_play(); }},
      {GLFW_KEY_RIGHT, false, false, "Right", "single step (while paused)", [](App& a) { a.step_once(); }},
      {GLFW_KEY_LEFT, false, false, "Left", "one step back (pauses; the timeline under the view rewinds further)", [](App& a) { a.rewind_by(-1); }},
      {GLFW_KEY_LEFT, false, true, "Shift+Left", "100 steps back", [](App& a) { a.rewind_by(-100); }},
      {GLFW_KEY_RIGHT, false, true, "Shift+Right", "100 steps on (along the recorded run, then new ones)", [](App& a) { a.rewind_by(100); }},
      {GLFW_KEY_BACKSPACE, false, false, "Backspace", "reset the simulation (same seed)", [](App& a) { a.reset_simulation(); }},
      {GLFW_KEY_F12, false, false, "F12", "screenshot into the screenshot folder", [](App& a) { a.take_screenshot(); }},
      {GLFW_KEY_F1, false, false, "F1", "show / hide this help", [](App& a) { a.show_help = !a.show_help; }},
      {GLFW_KEY_TAB, false, false, "Tab", "show / hide the side panels", [](App& a) { a.show_ui = !a.show_ui; }},
      {GLFW_KEY_F, false, false, "F", "fork a twin B beside the run (A/B); the Twins section aims edits", [](App& a) { a.fork(); }},
      {GLFW_KEY_HOME, false, false, "Home", "reset the camera", [](App& a) { a.session.view->reset_camera(); }},
      {GLFW_KEY_Z, true, false, "Ctrl+Z", "undo the last parameter edit", [](App& a) { a.undo(); }},
      {GLFW_KEY_Z, true, true, "Ctrl+Shift+Z", "redo it", [](App& a) { a.redo(); }},
      {GLFW_KEY_Y, true, false, "Ctrl+Y", "redo it", [](App& a) { a.redo(); }},
      {GLFW_KEY_S, true, false, "Ctrl+S", "save the scene to its file (asks for a path if it has none)", [](App& a) { a.save(); }},
      {GLFW_KEY_S, true, true, "Ctrl+Shift+S", "save the scene as a new file (asks before overwriting)", [](App& a) { a.request_save_as(); }},
      {GLFW_KEY_O, true, false, "Ctrl+O", "open the scene at the path in the Scene panel", [](App& a) { a.request_open_scene(a.scene_path); }},
      {GLFW_KEY_Q, true, false, "Ctrl+Q", "quit (asks if there are unsaved changes)", [](App& a) { a.request_quit(); }},
  };
  return table;
}

}  // namespace obs
