#pragma once
// Mouse and keyboard state that stands in for the real devices, one frame at a time. The frame
// loop applies it right after the GLFW backend has read the (absent) devices and before
// ImGui::NewFrame, so a scripted or random test's clicks, drags, wheel, keys and typed text reach
// ImGui, the shortcuts and the view's camera through exactly the path a person's do.
#include <imgui.h>

#include <cfloat>
#include <set>
#include <string>

namespace obs {

struct SyntheticInput {
  ImVec2 mouse{-FLT_MAX, -FLT_MAX};  // outside the window until the test moves it
  bool buttons[3] = {false, false, false};
  float wheel = 0;      // notches for the next frame only
  std::set<int> keys;   // GLFW key codes held down (GLFW_KEY_LEFT_CONTROL for Ctrl)
  std::string text;     // UTF-8 typed in the next frame only

  void apply(ImGuiIO& io);
};

}  // namespace obs
