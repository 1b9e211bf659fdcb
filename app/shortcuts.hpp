#pragma once
// The one table of keyboard shortcuts: it drives both dispatch and the F1 help overlay.
#include <span>

namespace obs {

class App;

struct Shortcut {
  int key;  // GLFW key code
  bool ctrl;
  bool shift;
  const char* label;   // as shown in the help: "Ctrl+S"
  const char* action;  // what it does
  void (*run)(App&);
};

std::span<const Shortcut> shortcuts();

}  // namespace obs
