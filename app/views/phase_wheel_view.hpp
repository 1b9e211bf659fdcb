#pragma once
// Kuramoto phase wheel: oscillators as points on the unit circle at their phases, coloured by
// natural frequency, and the order parameter r e^{i psi} as an arrow from the centre.
#include <cstdint>
#include <memory>
#include <vector>

#include "gfx/colormap.hpp"
#include "gfx/line_batch.hpp"
#include "gfx/shader.hpp"
#include "kuramoto/kuramoto_system.hpp"
#include "views/view.hpp"
#include "views/view_settings.hpp"

namespace obs {

class PhaseWheelView final : public SnapshotView<KuramotoSnapshot> {
 public:
  PhaseWheelView();  // no GL here: views are also built to validate scenes headless
  ~PhaseWheelView() override;

  std::string_view name() const override { return "phase wheel"; }
  void handle_mouse(const ImGuiIO& io, const ViewRect& rect) override;
  void settings_ui() override;
  void reset_camera() override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& view) override;

 protected:
  void draw_snapshot(const KuramotoSnapshot& snap, int width_px, int height_px) override;
  void overlay_snapshot(const KuramotoSnapshot& snap, ImDrawList* dl, const ViewRect& rect) override;

 private:
  // View units per pixel-independent clip unit: the unit circle fits with a margin at zoom 1.
  void create_gl();
  std::size_t draw_stride(std::size_t n) const;  // on first draw, with a context current
  void transform(float aspect, float out[4]) const;
  ImVec2 to_screen(float x, float y, const ViewRect& rect) const;

  float zoom_ = 1.0f, pan_x_ = 0.0f, pan_y_ = 0.0f;
  float ring_spread_ = 0.3f;  // at 0, a large population is one overdrawn circle
  float point_scale_ = 1.0f;
  bool show_arrow_ = true;
  int max_points_ = 100000;
  ViewSettings settings_;  // the options above but pan, declared once for the panel, save and load
  std::vector<float> strided_phase_, strided_omega_;
  std::size_t uploaded_stride_ = 0;
  std::uint64_t uploaded_step_ = UINT64_MAX;
  const Snapshot* uploaded_snap_ = nullptr;

  gfx::Program points_;
  std::unique_ptr<gfx::LineBatch> lines_;
  GLuint vao_ = 0, vbo_phase_ = 0, vbo_omega_ = 0;
  GLsizei count_ = 0;
};

}  // namespace obs
