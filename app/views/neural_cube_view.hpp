#pragma once
// The neural cube in 3-D: every neuron of the n^3 lattice a point sprite coloured by the
// TorEqProp channels (red = activation |s|, green = velocity |ds|, blue = nudge) or by one
// channel through a colormap. Quiet neurons fall below a threshold and vanish, so what is
// left are the clouds of activity; slabs along x, y and z cut the cube open; killed neurons
// are grey or hidden; the input slab and the output neurons are marked. Hover a neuron for its
// values; click it for an inspector with its synapses. The picked neuron is the engine's probe
// (probe_x/y/z), so its trace is recorded every step and plotted in the metrics panel.
#include <cstdint>
#include <memory>
#include <vector>

#include "gfx/orbit_camera.hpp"
#include "gfx/reduced_layer.hpp"
#include "views/cube_view_lattice.hpp"
#include "views/cube_lines.hpp"
#include "views/cube_point_cloud.hpp"
#include "cube/cube_snapshot.hpp"
#include "views/view.hpp"
#include "views/view_settings.hpp"

namespace obs {

class NeuralCubeView final : public SnapshotView<cube::CubeSnapshot> {
 public:
  NeuralCubeView();  // no GL here: views are also built to validate scenes headless
  std::string_view name() const override { return "neural cube"; }
  void handle_mouse(const ImGuiIO& io, const ViewRect& rect) override;
  void settings_ui() override;
  void reset_camera() override;
  void take_param_edits(const ParamSet& params, std::vector<ParamEdit>& out) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& view) override;

  enum class ColorBy { Channels, Activation, Velocity, Nudge };
  // Max: each pixel keeps the brightest neuron on its line of sight (a maximum-intensity
  // projection), so a dense 32^3 cloud never saturates; Glow adds light up; Spheres are opaque.
  enum class Style { Max, Glow, Spheres };

 protected:
  void draw_snapshot(const cube::CubeSnapshot& snap, int width_px, int height_px) override;
  void overlay_snapshot(const cube::CubeSnapshot& snap, ImDrawList* dl, const ViewRect& rect) override;
  void windows_snapshot(const cube::CubeSnapshot& snap, const ViewRect& rect) override;

 private:
  struct Slab {
    bool on = false;
    int at = 0;         // first lattice layer shown along the axis
    int thickness = 1;  // layers shown
  };
  struct Scales {
    float act_lo = 0, act_hi = 1, act_abs = 1;  // activation range in this snapshot
    float vel_peak = 0, nudge_peak = 0;         // running peaks that decay per step
  };

  // Peaks, the colour range and the per-neuron CPU work, done once per new snapshot or
  // changed setting.
  void ingest(const cube::CubeSnapshot& s);
  void rebuild(const cube::CubeSnapshot& s);
  bool in_slabs(int x, int y, int z) const;
  void build_lines(const cube::CubeSnapshot& s);
  void fit_camera(int n);
  void status_lines(const cube::CubeSnapshot& s, ImDrawList* dl, ImVec2 at) const;
  void draw_io(const cube::CubeSnapshot& s, ImDrawList* dl, ImVec2 at, float height) const;
  void neuron_details(const cube::CubeSnapshot& s, int i) const;

  gfx::OrbitCamera camera_;
  bool camera_fitted_ = false;  // a scene's camera, or the fit to the first cube seen
  ColorBy color_by_ = ColorBy::Channels;
  Style style_ = Style::Max;
  float threshold_ = 0.12f, point_size_ = 1.0f, glow_ = 0.8f;
  bool log_ = true;  // loudness over three decades rather than linear
  bool hide_killed_ = false, show_markers_ = true, show_synapses_ = true;
  int synapse_radius_ = 1;
  Slab slabs_[3];  // lattice x, y, z
  int selected_ = -1, hovered_ = -1, hovered_frame_ = -1;
  // The options above, declared once for the panel, save and load; each slab's under "slices".
  ViewSettings settings_, slab_settings_[3];

  CubeViewLattice lattice_;
  Scales scales_;
  std::uint64_t scaled_step_ = UINT64_MAX;
  const Snapshot* built_snap_ = nullptr;
  std::uint64_t built_step_ = UINT64_MAX;
  bool dirty_ = true;  // a setting changed since the last rebuild

  // Reused every rebuild: the drawn neurons, then the killed ones, then the ring markers.
  std::vector<CubePoint> points_, killed_, rings_;
  std::vector<std::uint8_t> shown_;  // n^3: drawn now (what a click can pick)
  std::size_t drawn_ = 0, drawn_killed_ = 0, drawn_rings_ = 0;
  std::uint8_t lut_[256][3];         // the colormap, sampled once
  // The pick as last agreed with the probe parameters (-1: none); kUnsynced after a scene
  // load or a new cube size, when the two are matched up again.
  static constexpr int kUnsynced = -2;
  int probe_sent_ = kUnsynced;
  bool probe_params_ = false;  // the running system has probe_x/y/z

  std::unique_ptr<CubePointCloud> cloud_;
  std::unique_ptr<gfx::ReducedLayer> soft_layer_;  // the glow and maximum styles draw here
  std::unique_ptr<CubeLines> lines_;
};

}  // namespace obs
