#pragma once
// A GLFW window with an OpenGL 3.3 core context (hidden for headless screenshots) and the
// Dear ImGui context and backends bound to it. Construction throws std::runtime_error with
// a message a person can act on when no context can be made (no display, no GL 3.3).
struct GLFWwindow;

namespace obs {

class GlWindow {
 public:
  GlWindow(int width, int height, const char* title, bool visible);
  ~GlWindow();
  GlWindow(const GlWindow&) = delete;
  GlWindow& operator=(const GlWindow&) = delete;

  GLFWwindow* handle() const { return window_; }
  float content_scale() const { return scale_; }
  void framebuffer_size(int& w, int& h) const;

 private:
  GLFWwindow* window_ = nullptr;
  float scale_ = 1.0f;
};

}  // namespace obs
