#pragma once
// The pump's 4x4x4 voxel packet in 3-D: translucent voxels coloured by the stationary
// distribution pi or the evolving p(t) (core voxels solid), arrows on the face edges for the
// net stationary current J (width ~ |J|, pointing the way mass flows), and walkers sampled
// from the kernel as moving dots. Click a voxel to inspect its row in exact fractions.
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "gfx/instanced_mesh.hpp"
#include "gfx/orbit_camera.hpp"
#include "pump/pump_snapshot.hpp"
#include "views/view.hpp"
#include "views/view_settings.hpp"

namespace obs {

class VoxelPacketView final : public SnapshotView<PumpSnapshot> {
 public:
  VoxelPacketView();
  std::string_view name() const override { return "voxel packet"; }
  void handle_mouse(const ImGuiIO& io, const ViewRect& rect) override;
  void settings_ui() override;
  void reset_camera() override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& view) override;

 protected:
  void draw_snapshot(const PumpSnapshot& snap, int width_px, int height_px) override;
  void overlay_snapshot(const PumpSnapshot& snap, ImDrawList* dl, const ViewRect& rect) override;
  void windows_snapshot(const PumpSnapshot& snap, const ViewRect& rect) override;

 private:
  enum class ColorBy { Pi, P };
  int pick(ImVec2 pixel, ImVec2 size) const;
  float walker_progress(const PumpSnapshot& s);

  gfx::OrbitCamera camera_;
  ColorBy color_by_ = ColorBy::Pi;
  bool show_currents_ = true, show_walkers_ = true;
  float voxel_alpha_ = 0.28f, arrow_scale_ = 1.0f;
  int selected_ = -1;
  ViewSettings settings_;  // the options above but the camera, declared once for the panel, save and load

  // Walker animation: dots glide from their previous voxel to the current one over the
  // measured time between two steps.
  std::uint64_t anim_step_ = UINT64_MAX;
  std::chrono::steady_clock::time_point anim_start_;
  double step_interval_ = 0.1;

  std::unique_ptr<gfx::InstancedMesh> boxes_, pyramids_, spheres_;
  std::vector<gfx::Instance> scratch_, heads_;  // reused every frame
};

}  // namespace obs
