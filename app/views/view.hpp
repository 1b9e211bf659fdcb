#pragma once
// A view draws one System's snapshot. It holds only view state (camera, colormap,
// display options), which round-trips through the scene's "view" object.
#include <imgui.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string_view>

#include "core/system.hpp"

namespace obs {

struct ViewRect {
  ImVec2 min, max;  // in window (ImGui) coordinates
  float width() const { return max.x - min.x; }
  float height() const { return max.y - min.y; }
  bool contains(ImVec2 p) const { return p.x >= min.x && p.y >= min.y && p.x < max.x && p.y < max.y; }
};

class View {
 public:
  virtual ~View() = default;
  virtual std::string_view name() const = 0;

  // GL drawing into the bound framebuffer; the viewport covers the view's pixels.
  virtual void draw(const Snapshot& snap, int width_px, int height_px) = 0;
  // Text, colorbars and markers over the view, through ImGui's background draw list so they
  // also appear in screenshots taken without the UI panels.
  virtual void overlay(const Snapshot& /*snap*/, ImDrawList* /*dl*/, const ViewRect& /*rect*/) {}
  // Mouse input, called only when the mouse is over the view and ImGui does not want it.
  virtual void handle_mouse(const ImGuiIO& /*io*/, const ViewRect& /*rect*/) {}
  // Display options, in the side panel.
  virtual void settings_ui() {}
  // Floating windows of the view's own (an inspector for a picked element), drawn with the UI.
  virtual void windows(const Snapshot& /*snap*/, const ViewRect& /*rect*/) {}
  virtual void reset_camera() {}

  virtual nlohmann::json save() const { return nlohmann::json::object(); }
  // Throws InputError naming "/view/<key>" for a bad value; unknown keys are ignored.
  virtual void load(const nlohmann::json& /*view*/) {}
};

// The main view for a system kind (app-side registry, one line per system).
std::unique_ptr<View> make_view(std::string_view system_kind);

}  // namespace obs
