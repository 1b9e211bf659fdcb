#include "input/ui_marks.hpp"

#include <imgui_internal.h>

#include <map>

namespace obs::ui {
namespace {

bool g_enabled = false;
// Filled while a frame draws; between frames (where tests read it) it is the frame just made.
std::map<std::string, Mark, std::less<>> g_marks;

}  // namespace

void set_marks_enabled(bool on) { g_enabled = on; }

void begin_marks_frame() {
  if (!g_enabled) return;
  g_marks.clear();
}

void mark(std::string_view name) {
  if (!g_enabled) return;
  const ImGuiWindow* window = ImGui::GetCurrentWindow();
  Mark m;
  m.min = ImGui::GetItemRectMin();
  m.max = ImGui::GetItemRectMax();
  m.window_min = window->InnerClipRect.Min;
  m.window_max = window->InnerClipRect.Max;
  // Fully inside the window's clip rectangle: a click at its centre reaches it.
  m.visible = ImGui::IsItemVisible() && m.min.y >= m.window_min.y && m.max.y <= m.window_max.y;
  g_marks.insert_or_assign(std::string(name), m);
}

bool marks_enabled() { return g_enabled; }

void mark_rect(std::string_view name, ImVec2 min, ImVec2 max) {
  if (!g_enabled) return;
  Mark m;
  m.min = min;
  m.max = max;
  m.window_min = {0, 0};
  m.window_max = ImGui::GetIO().DisplaySize;
  m.visible = m.min.x >= m.window_min.x && m.max.x <= m.window_max.x && m.min.y >= m.window_min.y && m.max.y <= m.window_max.y;
  g_marks.insert_or_assign(std::string(name), m);
}

std::optional<Mark> find_mark(std::string_view name) {
  const auto it = g_marks.find(name);
  if (it == g_marks.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> mark_names() {
  std::vector<std::string> out;
  for (const auto& [name, m] : g_marks) out.push_back(name);
  return out;
}

}  // namespace obs::ui
