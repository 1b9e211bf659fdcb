#include "shortcuts.hpp"

#include <GLFW/glfw3.h>

#include "app.hpp"

namespace obs {

std::span<const Shortcut> shortcuts() {
  static const Shortcut table[] = {
      {GLFW_KEY_SPACE, false, "Space", "play / pause", [](App& a) { a.toggle_play(); }},
      {GLFW_KEY_RIGHT, false, "Right", "single step (while paused)", [](App& a) { a.step_once(); }},
      {GLFW_KEY_BACKSPACE, false, "Backspace", "reset the simulation (same seed)", [](App& a) { a.reset_simulation(); }},
      {GLFW_KEY_F12, false, "F12", "screenshot into the screenshot folder", [](App& a) { a.take_screenshot(); }},
      {GLFW_KEY_F1, false, "F1", "show / hide this help", [](App& a) { a.show_help = !a.show_help; }},
      {GLFW_KEY_TAB, false, "Tab", "show / hide the side panels", [](App& a) { a.show_ui = !a.show_ui; }},
      {GLFW_KEY_HOME, false, "Home", "reset the camera", [](App& a) { a.session.view->reset_camera(); }},
      {GLFW_KEY_S, true, "Ctrl+S", "save the scene to the path in the Scene panel", [](App& a) { a.save_scene(a.scene_path); }},
      {GLFW_KEY_O, true, "Ctrl+O", "open the scene at the path in the Scene panel", [](App& a) { a.request_open_scene(a.scene_path); }},
      {GLFW_KEY_Q, true, "Ctrl+Q", "quit", [](App& a) { a.quit = true; }},
  };
  return table;
}

}  // namespace obs
