#include "platform/gl_window.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "gfx/gl.hpp"

namespace obs {
namespace {

std::string g_last_glfw_error;

void on_glfw_error(int code, const char* text) { g_last_glfw_error = std::to_string(code) + ": " + text; }

}  // namespace

GlWindow::GlWindow(int width, int height, const char* title, bool visible) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    const char* display = std::getenv("DISPLAY");
    throw std::runtime_error(std::string("cannot create an OpenGL context: GLFW could not start (") + g_last_glfw_error +
                             ")" + (display && *display ? "" : "; DISPLAY is not set: run under xvfb-run, or use --headless without --screenshot"));
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  window_ = glfwCreateWindow(width, height, title, nullptr, nullptr);
  if (!window_) {
    glfwTerminate();
    throw std::runtime_error("cannot create an OpenGL 3.3 core context (" + g_last_glfw_error + ")");
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(visible ? 1 : 0);
  float sx = 1, sy = 1;
  glfwGetWindowContentScale(window_, &sx, &sy);
  scale_ = sx > 0 ? sx : 1.0f;

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; leave no files behind
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 4;
  style.FrameRounding = 3;
  style.ScaleAllSizes(scale_);
  // hi-DPI: rasterise the font at the monitor's content scale rather than scaling a bitmap.
  // DejaVu Sans comes from Debian's fonts-dejavu-core; ImGui's built-in font is the fallback.
  const char* ttf = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  // Latin-1 plus the few symbols the panels use (an em dash for "not measured yet", the sparse
  // planner's gamma).
  static ImVector<ImWchar> ranges;
  if (ranges.empty()) {
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
    builder.AddText("\xe2\x80\x94\xe2\x80\xa6\xe2\x86\x92\xce\xb3");  // — … → γ
    builder.BuildRanges(&ranges);
  }
  if (std::FILE* f = std::fopen(ttf, "rb")) {
    std::fclose(f);
    io.Fonts->AddFontFromFileTTF(ttf, 15.0f * scale_, nullptr, ranges.Data);
  } else {
    ImFontConfig font;
    font.SizePixels = 13.0f * scale_;
    io.Fonts->AddFontDefault(&font);
  }
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
}

GlWindow::~GlWindow() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

void GlWindow::framebuffer_size(int& w, int& h) const { glfwGetFramebufferSize(window_, &w, &h); }

}  // namespace obs
