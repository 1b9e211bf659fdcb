#include "input/synthetic_input.hpp"

#include <GLFW/glfw3.h>

namespace obs {

void SyntheticInput::apply(ImGuiIO& io) {
  io.MousePos = mouse;
  for (int b = 0; b < 3; ++b) io.MouseDown[b] = buttons[b];
  io.MouseWheel += wheel;
  wheel = 0;
  // ImGui 1.86 reads keys by the backend's codes (the GLFW backend maps them 1:1).
  for (int k = 0; k < IM_ARRAYSIZE(io.KeysDown); ++k) io.KeysDown[k] = keys.count(k) != 0;
  auto held = [&](int a, int b) { return keys.count(a) != 0 || keys.count(b) != 0; };
  io.KeyCtrl = held(GLFW_KEY_LEFT_CONTROL, GLFW_KEY_RIGHT_CONTROL);
  io.KeyShift = held(GLFW_KEY_LEFT_SHIFT, GLFW_KEY_RIGHT_SHIFT);
  io.KeyAlt = held(GLFW_KEY_LEFT_ALT, GLFW_KEY_RIGHT_ALT);
  io.KeySuper = held(GLFW_KEY_LEFT_SUPER, GLFW_KEY_RIGHT_SUPER);
  io.AddInputCharactersUTF8(text.c_str());
  text.clear();
}

}  // namespace obs
