#pragma once
// The resonance system's main view (issue #6): one phase wheel per carrier, laid out by spectral
// centre, with its gate, gate width and bonded oscillators; births and deaths animated; the
// carrier lifetime timeline, the presence matrix and R(t), L_comp(t) beneath; a click opens an
// inspector. 2-D: geometry through a LineBatch, text and panels through ImGui draw lists.
#include <cstdint>
#include <memory>
#include <vector>

#include "gfx/line_batch.hpp"
#include "resonance/resonance_snapshot.hpp"
#include "views/carrier_animation.hpp"
#include "views/presence_heatmap.hpp"
#include "views/view.hpp"
#include "views/view_settings.hpp"

namespace obs {

class CarrierWheelView final : public SnapshotView<resonance::ResonanceSnapshot> {
 public:
  CarrierWheelView();  // no GL here: views are also built to validate scenes headless
  ~CarrierWheelView() override = default;

  std::string_view name() const override { return "carrier phase wheels"; }
  void handle_mouse(const ImGuiIO& io, const ViewRect& rect) override;
  void settings_ui() override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& view) override;
  MetricHistory* metric_history() override { return &history_; }

  enum class Layout { Auto, Wide, Stacked };

 protected:
  void draw_snapshot(const resonance::ResonanceSnapshot& snap, int width_px, int height_px) override;
  void overlay_snapshot(const resonance::ResonanceSnapshot& snap, ImDrawList* dl, const ViewRect& rect) override;
  void windows_snapshot(const resonance::ResonanceSnapshot& snap, const ViewRect& rect) override;

 private:
  struct Panels {  // absolute ImGui coordinates; zero-area when hidden
    ViewRect wheels, axis, timeline, presence, plot_R, plot_L;
  };
  Panels arrange(const ViewRect& rect) const;
  void place_wheels(const resonance::ResonanceSnapshot& s, const ViewRect& area);
  void draw_wheel_labels(const resonance::ResonanceSnapshot& s, ImDrawList* dl);
  void draw_frequency_axis(const resonance::ResonanceSnapshot& s, ImDrawList* dl, const ViewRect& r) const;
  void inspector(const resonance::ResonanceSnapshot& s);
  float hue_t(const resonance::ResonanceSnapshot& s, double centre) const;

  // Display options (saved in the scene's "view").
  bool show_timeline_ = true, show_presence_ = true, show_plots_ = true, show_dots_ = true, show_labels_ = true;
  float max_radius_ = 120.0f;  // px: a handful of carriers should not become huge
  float dot_scale_ = 1.0f;
  Layout layout_ = Layout::Auto;
  ViewSettings settings_;  // the options above, declared once for the panel, save and load

  // R(t) and L_comp(t) against time, from the runner's series store: the last 600 steps.
  MetricHistory history_{{"time", "R", "L_comp"}, 600};

  // Per frame, from overlay() (which runs before draw()).
  ViewRect rect_{};
  std::vector<std::size_t> order_;  // carrier indices by spectral centre
  std::vector<CarrierAnimator::Slot> slots_;
  CarrierAnimator animator_;
  float ring_max_ = 1;
  const Snapshot* laid_out_ = nullptr;
  std::uint64_t laid_out_step_ = UINT64_MAX;

  // Picking.
  std::uint32_t hovered_ = 0, selected_ = 0;
  bool inspector_open_ = false;
  PresenceHit presence_hit_{};
  std::uint32_t timeline_hit_ = 0;
  bool clicked_ = false;

  std::vector<int> dot_wheel_;  // scratch kept between frames: snapshot carrier -> drawn wheel
  std::vector<const resonance::BondDot*> inspected_dots_;
  float cpu_ms_ = 0;  // smoothed cost of this view's overlay + geometry, shown in the settings
  std::unique_ptr<gfx::LineBatch> lines_;
};

}  // namespace obs
