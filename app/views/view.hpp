#pragma once
// A view draws one System's snapshot. It holds only view state (camera, colormap,
// display options), which round-trips through the scene's "view" object.
#include <imgui.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/system.hpp"
#include "views/metric_history.hpp"

namespace obs {

// One parameter edit a view asks for: `value` as the parameter panel's widgets hold it (an
// integer, a choice index, 0/1), or `text` for an exact rational ("3/4").
struct ParamEdit {
  std::string name;
  double value = 0;
  std::string text;
};

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

  // Parameter edits the view wants (picking a neuron makes it the engine's probe, so its
  // values are recorded every step as metrics). The App calls this once per frame and applies
  // what is appended to `out` as ONE edit through App::edit_params, the path of a parameter
  // panel edit (range clamp, the engine's checks, a refusal in the log and a roll-back, the
  // panel's copy kept in step), so a view never writes to the system behind the panel's back and the engine never
  // sees half of a multi-parameter edit. `params` is the panel's copy of the running system's
  // parameters: a view asks only for parameters that exist, and can follow edits made
  // elsewhere (the panel, a roll-back).
  virtual void take_param_edits(const ParamSet& /*params*/, std::vector<ParamEdit>& /*out*/) {}

  // The metrics the view plots over time, or null. The App fills it from the runner's series
  // store each frame before overlay() (a copy of a few hundred rows, never a wait on a step).
  virtual MetricHistory* metric_history() { return nullptr; }

  virtual nlohmann::json save() const { return nlohmann::json::object(); }
  // Throws InputError naming "/view/<key>" for a bad value; unknown keys are ignored.
  virtual void load(const nlohmann::json& /*view*/) {}
};

// A view of one system's snapshot type S: the cast from Snapshot happens here, once, and the
// typed hooks are called only with a snapshot of that type.
template <class S>
class SnapshotView : public View {
 public:
  void draw(const Snapshot& snap, int width_px, int height_px) final {
    if (const S* s = dynamic_cast<const S*>(&snap)) draw_snapshot(*s, width_px, height_px);
  }
  void overlay(const Snapshot& snap, ImDrawList* dl, const ViewRect& rect) final {
    if (const S* s = dynamic_cast<const S*>(&snap)) overlay_snapshot(*s, dl, rect);
  }
  void windows(const Snapshot& snap, const ViewRect& rect) final {
    if (const S* s = dynamic_cast<const S*>(&snap)) windows_snapshot(*s, rect);
  }

 protected:
  virtual void draw_snapshot(const S& snap, int width_px, int height_px) = 0;
  virtual void overlay_snapshot(const S& /*snap*/, ImDrawList* /*dl*/, const ViewRect& /*rect*/) {}
  virtual void windows_snapshot(const S& /*snap*/, const ViewRect& /*rect*/) {}
};

// The main view for a system kind (app-side registry, one line per system).
std::unique_ptr<View> make_view(std::string_view system_kind);

}  // namespace obs
