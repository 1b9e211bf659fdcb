#pragma once
// The R/G/B channel observatory for eqprop: per layer a heatmap of the showcased example's
// relaxation (Red = |s|, Green = |ds| of the last sweep, Blue = the nudge), as one composite and
// as three colormapped channels, played back sweep by sweep (green fades as the net settles,
// blue flows back from the output during the nudge). Beside it the input (or the decision map
// for 2-D data), the output bars, the training status, and a timeline of the channels' means.
// Under the maps (image data) or on the decision map (2-D data), each class's dream. Hover a unit
// for its values and its trace, a dream for what the net answers to it.
#include <cstdint>
#include <vector>

#include "eqprop/eqprop_snapshot.hpp"
#include "views/channel_frames.hpp"
#include "views/eqprop_map_layout.hpp"
#include "views/view.hpp"
#include "views/view_settings.hpp"

namespace obs {

class EqPropView final : public SnapshotView<eqprop::EqPropSnapshot> {
 public:
  enum class Mode { Composite, Channels, Both };

  EqPropView();
  std::string_view name() const override { return "R/G/B channels"; }
  void handle_mouse(const ImGuiIO& io, const ViewRect& rect) override;
  void settings_ui() override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& view) override;

 protected:
  void draw_snapshot(const eqprop::EqPropSnapshot& snap, int width_px, int height_px) override;
  void overlay_snapshot(const eqprop::EqPropSnapshot& snap, ImDrawList* dl, const ViewRect& rect) override;
  void windows_snapshot(const eqprop::EqPropSnapshot& snap, const ViewRect& rect) override;

 private:
  void ingest(const eqprop::EqPropSnapshot& s);
  void advance(float dt);
  int frame() const;
  // Lays the layer maps out in [p0, p1] (remembered for hover picking), then draws them.
  void draw_maps(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1);
  void draw_layer_map(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const eqprop_layout::MapSlot& slot) const;
  void draw_channel_title(ImDrawList* dl, const eqprop_layout::TitleSlot& t) const;
  void draw_channel_key(ImDrawList* dl, const eqprop_layout::KeySlot& k) const;
  void draw_layer_header(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const eqprop_layout::HeaderSlot& h) const;
  void draw_timeline(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1);
  void draw_hover(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const ViewRect& rect);
  // The tooltip of the dream under the pointer, if one is; true when it drew one.
  bool draw_dream_hover(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const ViewRect& rect);

  // View state (saved with the scene).
  Mode mode_ = Mode::Both;
  bool shared_scale_ = false;
  float green_decades_ = 3.0f;
  float speed_ = 8.0f;  // frames (sweeps) per second
  float hold_ = 0.8f;    // seconds on the last frame before looping
  bool playing_ = true, loop_ = true;
  ViewSettings settings_;  // the state above, declared once for the panel, save and load

  // Playback and caches.
  ChannelFrames ch_;
  const Snapshot* seen_ = nullptr;
  std::uint64_t seen_step_ = UINT64_MAX;
  bool seen_shared_ = false;
  float seen_decades_ = 0;
  bool started_ = false;
  float playhead_ = 0, held_ = 0;
  eqprop_layout::MapsLayout maps_;
  ImVec2 timeline_min_{}, timeline_max_{};
  float label_w_ = 0;
  std::vector<float> trace_;
  std::vector<ViewRect> dream_rects_;  // each class's dream as drawn last frame (hover picking)
  bool transport_shown_ = false;  // windows() drew the buttons last frame: leave their room
};

}  // namespace obs
