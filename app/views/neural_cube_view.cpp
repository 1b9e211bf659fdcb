#include "views/neural_cube_view.hpp"

#include <glm/gtc/matrix_transform.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>

#include "core/input_error.hpp"
#include "cube/cube_snapshot.hpp"
#include "gfx/colormap.hpp"
#include "views/colorbar.hpp"
#include "views/heatmap.hpp"

namespace obs {
namespace {

using cube::CubeSnapshot;

constexpr const char* kAxisNames[] = {"x", "y", "z"};
// A peak falls by this factor per simulation step, so green dims as the net settles (the
// velocity decays faster than its reference) and a new phase's nudge re-scales quickly.
constexpr float kPeakDecay = 0.985f;
// The glow and maximum styles' sprites are drawn at this share of the view's resolution.
constexpr float kSoftLayerScale = 0.4f;
// The glow sprite's brightness at its centre for alpha 1 (cube_points.frag: 0.55 + 0.9).
constexpr float kGlowCore = 1.45f;
// Under the maximum blend the far side of the cube is drawn this much darker than the near side.
constexpr float kMaxDepthFade = 0.45f;

std::uint8_t to_byte(float v) { return static_cast<std::uint8_t>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f); }

// Three decades onto [0, 1]: activity decays with depth in a contractive net, and on a linear
// scale everything past the first layers would read as silence.
float log_scale(float x) { return x <= 1e-3f ? 0.0f : 1.0f + std::log10(x) / 3.0f; }

bool finite3(float a, float b, float c) { return std::isfinite(a) && std::isfinite(b) && std::isfinite(c); }

template <typename T>
T at_or(const std::vector<T>& v, std::size_t i, T fallback) {
  return i < v.size() ? v[i] : fallback;
}

// A snapshot whose arrays do not match n (an engine bug) is not drawn rather than read past
// its end.
bool consistent(const CubeSnapshot& s) {
  if (s.n <= 0) return false;
  const auto cells = static_cast<std::size_t>(s.n) * static_cast<std::size_t>(s.n) * static_cast<std::size_t>(s.n);
  return s.activation.size() == cells && s.velocity.size() == cells && s.nudge.size() == cells &&
         (s.alive.empty() || s.alive.size() == cells) && (s.synapse_mask.empty() || s.synapse_mask.size() == cells) &&
         (s.weights.empty() || s.weights.size() == cells * cube::kNeighbours);
}

// The Blue channel: the nudge while learning; in a stream step (no nudge) the work, 1 where the
// engine updated the neuron while relaxing the frame, so the lazy front shows.
const std::vector<float>& blue_channel(const CubeSnapshot& s) { return s.streaming && s.work.size() == s.nudge.size() ? s.work : s.nudge; }
const char* blue_name(const CubeSnapshot& s) { return s.streaming ? "work (updated this frame)" : "nudge"; }

}  // namespace

NeuralCubeView::NeuralCubeView() {
  for (int i = 0; i < 256; ++i) {
    const gfx::Rgb c = gfx::sample(gfx::Colormap::Viridis, static_cast<float>(i) / 255.0f);
    lut_[i][0] = to_byte(c.r);
    lut_[i][1] = to_byte(c.g);
    lut_[i][2] = to_byte(c.b);
  }
  fit_camera(16);
  // Lattice sizes are not known until the engine runs: positions are bounded by the largest
  // cube the engine accepts and clamped to the real one when drawn.
  constexpr int kMaxLayers = 1024;
  settings_.choice("color_by", color_by_, {{"channels", "R/G/B channels"}, {"activation", "activation s"}, {"velocity", "velocity |ds|"}, {"nudge", "nudge (work, when streaming)"}},
                   "colour by")
      .choice("style", style_, {{"max", "maximum intensity"}, {"glow", "glow (additive)"}, {"spheres", "solid spheres"}}, "style",
              ViewSettings::ChoiceWidget::Combo,
              "maximum intensity: each pixel shows the brightest neuron on its line of sight, so a dense cube\n"
              "never saturates; glow: light adds up along the line of sight (how much activity it crosses),\n"
              "saturating on a dense cube; solid spheres: opaque, the nearest neuron hides the rest")
      .flag("log_scale", log_, "log scale (3 decades)")
      .number("threshold", threshold_, 0.0f, 1.0f, "threshold", "%.2f",
              "hide neurons quieter than this share of the loudest (every channel, or the coloured one)")
      .number("point_size", point_size_, 0.2f, 3.0f, "point size", "x%.2f")
      .number("glow", glow_, 0.05f, 1.0f, "glow")
      .flag("hide_killed", hide_killed_, "hide killed")
      .flag("markers", show_markers_, "input/output marks")
      .beside()
      .flag("synapses", show_synapses_, "synapses of the picked region")
      .integer("synapse_radius", synapse_radius_, 0, 3, "region radius")
      .integer("selected", selected_, -1, kMaxLayers * kMaxLayers * kMaxLayers - 1, nullptr);  // picked in the view
  // The slab widgets are the view's own: their ranges follow the cube being shown.
  for (int a = 0; a < 3; ++a)
    slab_settings_[a].flag("on", slabs_[a].on, nullptr).integer("at", slabs_[a].at, 0, kMaxLayers - 1, nullptr).integer("thickness", slabs_[a].thickness, 1, kMaxLayers, nullptr);
}

void NeuralCubeView::fit_camera(int n) {
  // The cube's bounding sphere (radius sqrt(3)/2 n) fills the height of a 0.7 rad view.
  camera_.reset({0, 0, 0}, 2.7f * static_cast<float>(std::max(n, 2)));
  camera_.yaw = 0.55f;
  camera_.pitch = 0.42f;
}

void NeuralCubeView::reset_camera() {
  fit_camera(lattice_.n > 0 ? lattice_.n : 16);
  camera_fitted_ = lattice_.n > 0;
}

bool NeuralCubeView::in_slabs(int x, int y, int z) const {
  const int c[3] = {x, y, z};
  for (int a = 0; a < 3; ++a) {
    const Slab& s = slabs_[a];
    const int at = std::min(s.at, lattice_.n - 1);  // a saved slab on a smaller cube
    if (s.on && (c[a] < at || c[a] >= at + s.thickness)) return false;
  }
  return true;
}

void NeuralCubeView::ingest(const CubeSnapshot& s) {
  if (s.step == scaled_step_) return;
  float act_lo = 0, act_hi = 0, act_abs = 0, vel = 0, nudge = 0;
  const std::size_t cells = s.activation.size();
  // The clamped input slab can sit far above what relaxes (a projection gain): the scale
  // comes from the relaxing neurons, or the whole cube would look dark beside its input.
  const std::size_t slab = std::min(cells, static_cast<std::size_t>(std::max(0, s.input_depth)) * static_cast<std::size_t>(s.n) *
                                               static_cast<std::size_t>(s.n));
  const std::vector<float>& blue = blue_channel(s);
  for (std::size_t i = slab < cells ? slab : 0; i < cells; ++i) {
    if (!s.alive.empty() && !s.alive[i]) continue;
    const float a = s.activation[i], v = s.velocity[i], b = blue[i];
    if (!finite3(a, v, b)) continue;
    act_lo = std::min(act_lo, a);
    act_hi = std::max(act_hi, a);
    act_abs = std::max(act_abs, std::abs(a));
    vel = std::max(vel, v);
    nudge = std::max(nudge, std::abs(b));
  }
  const bool restarted = scaled_step_ == UINT64_MAX || s.step < scaled_step_;
  const float decay = restarted ? 0.0f : std::pow(kPeakDecay, static_cast<float>(std::min<std::uint64_t>(s.step - scaled_step_, 1000)));
  scales_.act_lo = act_lo;
  scales_.act_hi = act_hi > act_lo ? act_hi : act_lo + 1;
  scales_.act_abs = act_abs > 0 ? act_abs : 1;
  scales_.vel_peak = std::max(vel, scales_.vel_peak * decay);
  scales_.nudge_peak = std::max(nudge, scales_.nudge_peak * decay);
  scaled_step_ = s.step;
}

void NeuralCubeView::rebuild(const CubeSnapshot& s) {
  const int n = s.n;
  const auto cells = static_cast<std::size_t>(n) * static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  if (shown_.size() != cells) {
    // Only when the cube's size changes: the steady state never allocates.
    shown_.assign(cells, 0);
    points_.reserve(cells + s.output_neurons.size() + 1);
    killed_.reserve(cells);
    rings_.reserve(s.output_neurons.size() + 1);
  }
  points_.clear();
  killed_.clear();
  rings_.clear();

  const std::vector<float>& blue = blue_channel(s);
  const float vel_scale = scales_.vel_peak > 0 ? 1.0f / scales_.vel_peak : 0.0f;
  const float nudge_scale = scales_.nudge_peak > 0 ? 1.0f / scales_.nudge_peak : 0.0f;
  const float act_scale = 1.0f / scales_.act_abs;
  const float act_span = 1.0f / (scales_.act_hi - scales_.act_lo);
  const bool glow = style_ != Style::Spheres;  // soft sprites, added or maxed
  // Under the maximum, overlapping halos fill the gaps between lattice points instead of adding
  // up, so bigger sprites smooth the lattice's dot pattern away without brightening it.
  const float base = (style_ == Style::Max ? 1.7f : glow ? 1.35f : 0.78f) * point_size_;
  // Added up, about n sprites overlap along a line of sight: light per sprite falls with n so a
  // busy cube saturates less (at 16^3 and beyond it still does; the maximum never does).
  // Under the maximum a loud neuron's core shows `glow` of its colour: nothing saturates below
  // glow 1.
  const float light = style_ == Style::Glow ? glow_ * std::min(1.0f, 7.0f / static_cast<float>(n)) : glow_ / kGlowCore;

  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        const int i = lattice_.index(x, y, z);
        const auto u = static_cast<std::size_t>(i);
        shown_[u] = 0;
        if (!in_slabs(x, y, z)) continue;
        const glm::vec3 p = lattice_.world(x, y, z);
        if (!s.alive.empty() && !s.alive[u]) {
          if (hide_killed_) continue;
          killed_.push_back({{p, base * 0.45f}, {95, 98, 108, static_cast<std::uint8_t>(glow ? 110 : 255)}});
          shown_[u] = 1;
          continue;
        }
        const float a = s.activation[u], v = s.velocity[u], b = blue[u];
        if (!finite3(a, v, b)) {  // a quarantined value: loud magenta, never hidden
          points_.push_back({{p, base}, {gfx::kNonFiniteRgba[0], gfx::kNonFiniteRgba[1], gfx::kNonFiniteRgba[2], 255}});
          shown_[u] = 1;
          continue;
        }
        float loud = 0, r = 0, g = 0, bl = 0;
        switch (color_by_) {
          case ColorBy::Channels: {
            float cr = std::min(1.0f, std::abs(a) * act_scale), cg = std::min(1.0f, v * vel_scale),
                  cb = std::min(1.0f, std::abs(b) * nudge_scale);
            if (log_) cr = log_scale(cr), cg = log_scale(cg), cb = log_scale(cb);
            loud = std::max(cr, std::max(cg, cb));
            // sqrt lifts the quiet end so a faint channel still tints its neuron.
            r = std::sqrt(cr), g = std::sqrt(cg), bl = std::sqrt(cb);
            break;
          }
          case ColorBy::Activation:
          case ColorBy::Velocity:
          case ColorBy::Nudge: {
            float t = 0;
            if (color_by_ == ColorBy::Activation) loud = std::min(1.0f, std::abs(a) * act_scale), t = (a - scales_.act_lo) * act_span;
            else if (color_by_ == ColorBy::Velocity) loud = std::min(1.0f, v * vel_scale), t = loud;
            else loud = std::min(1.0f, std::abs(b) * nudge_scale), t = 0.5f + 0.5f * std::clamp(b * nudge_scale, -1.0f, 1.0f);
            if (log_) loud = log_scale(loud);
            const auto k = static_cast<std::size_t>(std::clamp(t, 0.0f, 1.0f) * 255.0f + 0.5f);
            r = lut_[k][0] / 255.0f, g = lut_[k][1] / 255.0f, bl = lut_[k][2] / 255.0f;
            break;
          }
        }
        if (loud < threshold_ && i != selected_) continue;
        const float size = glow ? base * (0.55f + 0.55f * loud) : base;
        // Quiet neurons are dimmed so the loud ones stand out: as the square when added up, so
        // that their sum does not drown the loud ones, linearly under the maximum.
        const float alpha = style_ == Style::Glow  ? light * (0.12f + 0.88f * loud * loud)
                            : style_ == Style::Max ? light * (0.3f + 0.7f * loud)
                                                   : 1.0f;
        points_.push_back({{p, size}, {to_byte(r), to_byte(g), to_byte(bl), to_byte(alpha)}});
        shown_[u] = 1;
      }

  if (show_markers_)
    for (std::uint32_t o : s.output_neurons)
      if (o < cells) rings_.push_back({{lattice_.world(o), 1.25f}, {255, 205, 90, 230}});
  if (selected_ >= 0 && static_cast<std::size_t>(selected_) < cells)
    rings_.push_back({{lattice_.world(static_cast<std::uint32_t>(selected_)), 2.2f}, {255, 255, 255, 255}});

  drawn_ = points_.size();
  drawn_killed_ = killed_.size();
  drawn_rings_ = rings_.size();
  points_.insert(points_.end(), killed_.begin(), killed_.end());
  points_.insert(points_.end(), rings_.begin(), rings_.end());
  cloud_->upload(points_);
}

void NeuralCubeView::build_lines(const CubeSnapshot& s) {
  lines_->clear();
  const float h = 0.5f * static_cast<float>(s.n);
  const float c = lattice_.centre();
  lines_->box(glm::vec3(-h), glm::vec3(h), {0.42f, 0.45f, 0.55f, 0.55f});
  if (show_markers_ && s.input_depth > 0) {
    // The input slab z < input_depth is world x < -h + input_depth.
    lines_->box({-h, -h, -h}, {-h + static_cast<float>(std::min(s.input_depth, s.n)), h, h}, {0.25f, 0.85f, 0.85f, 0.9f});
  }
  for (int a = 0; a < 3; ++a) {
    const Slab& sl = slabs_[a];
    if (!sl.on) continue;
    // Lattice axis a is world axis (2 - a) (x is depth, z runs left to right).
    const int w = 2 - a;
    glm::vec3 lo(-h), hi(h);
    const int at = std::min(sl.at, s.n - 1);
    lo[w] = static_cast<float>(at) - c - 0.5f;
    hi[w] = static_cast<float>(std::min(at + sl.thickness, s.n)) - c - 0.5f;
    lines_->box(lo, hi, {1.0f, 0.85f, 0.35f, 0.7f});
  }
  if (!show_synapses_ || selected_ < 0 || s.synapse_mask.empty()) return;
  // The live synapses of every neuron within synapse_radius_ of the picked one, each once.
  const int n = s.n;
  const int sx = selected_ % n, sy = selected_ / n % n, sz = selected_ / (n * n);
  float wmax = 0;
  const bool weighted = !s.weights.empty();
  auto in_region = [&](int x, int y, int z) {
    return std::abs(x - sx) <= synapse_radius_ && std::abs(y - sy) <= synapse_radius_ && std::abs(z - sz) <= synapse_radius_;
  };
  for (int pass = weighted ? 0 : 1; pass < 2; ++pass)
    for (int z = std::max(0, sz - synapse_radius_); z <= std::min(n - 1, sz + synapse_radius_); ++z)
      for (int y = std::max(0, sy - synapse_radius_); y <= std::min(n - 1, sy + synapse_radius_); ++y)
        for (int x = std::max(0, sx - synapse_radius_); x <= std::min(n - 1, sx + synapse_radius_); ++x) {
          const int i = lattice_.index(x, y, z);
          const std::uint32_t mask = s.synapse_mask[static_cast<std::size_t>(i)];
          for (int d = 0; d < cube::kNeighbours; ++d) {
            if (!(mask >> d & 1u)) continue;
            const auto off = cube::neighbour_offset(d);
            const int nx = x + off[0], ny = y + off[1], nz = z + off[2];
            if (nx < 0 || ny < 0 || nz < 0 || nx >= n || ny >= n || nz >= n) continue;
            // Synapse d of i is synapse 25 - d of its neighbour: draw it from one end only.
            if (in_region(nx, ny, nz) && d < cube::kNeighbours / 2) continue;
            const float wv = weighted ? s.weights[static_cast<std::size_t>(i) * cube::kNeighbours + static_cast<std::size_t>(d)] : 1.0f;
            if (pass == 0) {
              if (std::isfinite(wv)) wmax = std::max(wmax, std::abs(wv));
              continue;
            }
            glm::vec4 col{0.75f, 0.77f, 0.85f, 0.35f};
            if (weighted) {
              const float m = wmax > 0 && std::isfinite(wv) ? std::abs(wv) / wmax : 0.0f;
              // Excitatory warm, inhibitory cool; faint when weak.
              col = wv >= 0 ? glm::vec4(1.0f, 0.55f, 0.2f, 0.12f + 0.88f * m) : glm::vec4(0.3f, 0.6f, 1.0f, 0.12f + 0.88f * m);
            }
            lines_->line(lattice_.world(x, y, z), lattice_.world(nx, ny, nz), col);
          }
        }
}

void NeuralCubeView::draw_snapshot(const CubeSnapshot& typed, int width_px, int height_px) {
  const auto* s = &typed;
  if (!consistent(*s)) return;
  if (!cloud_) {
    cloud_ = std::make_unique<CubePointCloud>();
    lines_ = std::make_unique<CubeLines>();
  }
  if (lattice_.n != s->n) {
    // The first cube seen keeps a scene's pick. After a resize an index names another neuron:
    // the pick is dropped and taken back from the probe, whose coordinates kept their meaning.
    const bool first = lattice_.n == 0;
    lattice_.n = s->n;
    dirty_ = true;
    if (!camera_fitted_) fit_camera(s->n);
    camera_fitted_ = true;
    if (!first || selected_ >= s->n * s->n * s->n) selected_ = -1;
    probe_sent_ = kUnsynced;
  }
  ingest(*s);
  if (dirty_ || built_snap_ != &typed || built_step_ != s->step) {
    rebuild(*s);
    built_snap_ = &typed;
    built_step_ = s->step;
    dirty_ = false;
  }
  build_lines(*s);

  const float aspect = static_cast<float>(width_px) / static_cast<float>(std::max(1, height_px));
  const glm::mat4 proj = camera_.projection(aspect);
  const glm::mat4 vp = proj * camera_.view();
  const float ppu = 0.5f * static_cast<float>(height_px) * proj[1][1];
  const float max_px = std::max(8.0f, 0.12f * static_cast<float>(height_px));

  glEnable(GL_BLEND);
  glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  if (style_ != Style::Spheres) {
    // Neither the sum nor the maximum needs a depth order. The sum shows how much activity a
    // line of sight crosses but saturates on a dense cube; the maximum (the blend factors are
    // ignored under GL_MAX) keeps each neuron's own colour and the halos' falloff, so the
    // structure of a busy cloud stays readable. Both are drawn at kSoftLayerScale of the
    // view's resolution.
    glDisable(GL_DEPTH_TEST);
    lines_->draw(vp);
    if (!soft_layer_) soft_layer_ = std::make_unique<gfx::ReducedLayer>();
    const bool reduced = soft_layer_->begin(kSoftLayerScale);
    const float k = reduced ? static_cast<float>(soft_layer_->height()) / static_cast<float>(std::max(1, height_px)) : 1.0f;
    glBlendFunc(GL_ONE, GL_ONE);
    CubeDepthCue cue;
    if (style_ == Style::Max) {
      glBlendEquation(GL_MAX);
      // From the nearest to the farthest point of the cube's bounding sphere.
      const float radius = 0.87f * static_cast<float>(s->n), eye = glm::length(camera_.eye() - camera_.target);
      cue = {kMaxDepthFade, eye - radius, eye + radius};
    }
    cloud_->draw(0, drawn_ + drawn_killed_, CubePointStyle::Glow, vp, ppu * k, max_px * k, cue);
    glBlendEquation(GL_FUNC_ADD);
    if (reduced) soft_layer_->end();
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  } else {
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LESS);
    lines_->draw(vp);
    cloud_->draw(0, drawn_ + drawn_killed_, CubePointStyle::Sphere, vp, ppu, max_px);
    glDisable(GL_DEPTH_TEST);
  }
  cloud_->draw(drawn_ + drawn_killed_, drawn_rings_, CubePointStyle::Ring, vp, ppu, max_px);
  glDisable(GL_BLEND);
}

void NeuralCubeView::status_lines(const CubeSnapshot& s, ImDrawList* dl, ImVec2 at) const {
  const float em = ImGui::GetFontSize();
  auto line = [&](ImU32 color, const char* text) {
    dl->AddText(at, color, text);
    at.y += em * 1.25f;
  };
  const ImU32 bright = IM_COL32(230, 232, 240, 255), dim = IM_COL32(160, 165, 180, 255);
  char buf[256];
  if (s.streaming)
    std::snprintf(buf, sizeof buf, "%d^3 = %d neurons   stream frame %lld, settled in %d steps   Lipschitz bound %.3f", s.n,
                  s.n * s.n * s.n, static_cast<long long>(s.frame), s.relax_step, s.lipschitz);
  else if (s.settled)
    std::snprintf(buf, sizeof buf, "%d^3 = %d neurons   the last batch's fixed point (settled in %d steps%s)   Lipschitz bound %.3f", s.n,
                  s.n * s.n * s.n, s.relax_step, s.phase == cube::CubePhase::Nudged ? ", blue: its nudge" : "", s.lipschitz);
  else
    std::snprintf(buf, sizeof buf, "%d^3 = %d neurons   %s phase, relax step %d   Lipschitz bound %.3f", s.n, s.n * s.n * s.n,
                  s.phase == cube::CubePhase::Free ? "free" : "nudged", s.relax_step, s.lipschitz);
  line(bright, buf);
  const double ratio = s.flops_effective > 0 ? s.flops_dense / s.flops_effective : 0;
  if (s.streaming)  // the frame's work, which the blue channel shows
    std::snprintf(buf, sizeof buf, "this frame: %.1f%% of the neurons updated, %.2fx fewer multiply-adds than dense", 100 * s.frame_share,
                  s.frame_mac_ratio);
  else
    std::snprintf(buf, sizeof buf, "active %.1f%%   FLOPs %.3g effective / %.3g dense (%.1fx fewer)", 100 * s.active_fraction,
                  s.flops_effective, s.flops_dense, ratio);
  line(bright, buf);
  auto percent = [](double v) {  // NaN: not measured yet (no epoch has ended)
    char text[16];
    if (std::isfinite(v)) std::snprintf(text, sizeof text, "%.1f%%", 100 * v);
    else std::snprintf(text, sizeof text, "-");
    return std::string(text);
  };
  std::snprintf(buf, sizeof buf, "epoch %d, batch %llu / %llu   accuracy: train %s, test %s   synapses %llu / %llu", s.epoch,
                static_cast<unsigned long long>(s.batch), static_cast<unsigned long long>(s.batches_per_epoch),
                percent(s.train_accuracy).c_str(), percent(s.test_accuracy).c_str(), static_cast<unsigned long long>(s.synapses),
                static_cast<unsigned long long>(s.synapse_budget));
  line(dim, buf);
  const std::size_t cells = static_cast<std::size_t>(s.n) * static_cast<std::size_t>(s.n) * static_cast<std::size_t>(s.n);
  std::snprintf(buf, sizeof buf, "drawn %zu of %zu (threshold %.2f, %s scale)%s%s", drawn_ + drawn_killed_, cells, threshold_, log_ ? "log" : "linear",
                drawn_killed_ ? ", killed in grey" : "", slabs_[0].on || slabs_[1].on || slabs_[2].on ? ", sliced" : "");
  line(dim, buf);
  if (color_by_ == ColorBy::Channels) {
    // The channel legend, each word in its channel's colour.
    const char* parts[] = {"red: activation |s|   ", "green: velocity |ds|   ",
                           s.streaming ? "blue: work (updated while this frame relaxed)" : "blue: nudge |s_nudged - s_free|"};
    const ImU32 cols[] = {IM_COL32(255, 110, 100, 255), IM_COL32(110, 230, 120, 255), IM_COL32(120, 160, 255, 255)};
    for (int k = 0; k < 3; ++k) {
      dl->AddText(at, cols[k], parts[k]);
      at.x += ImGui::CalcTextSize(parts[k]).x;
    }
  }
}

void NeuralCubeView::draw_io(const CubeSnapshot& s, ImDrawList* dl, ImVec2 at, float height) const {
  const float em = ImGui::GetFontSize();
  const ImU32 text = IM_COL32(220, 222, 232, 255);
  // The showcased input, grey levels over its own range.
  if (s.input_rows > 0 && s.input_cols > 0 && s.input.size() == static_cast<std::size_t>(s.input_rows) * static_cast<std::size_t>(s.input_cols)) {
    float lo = 0, hi = 0;
    for (float v : s.input)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    const float cell = height / static_cast<float>(std::max(s.input_rows, s.input_cols));
    dl->AddText({at.x, at.y - em * 1.3f}, text, "input");
    draw_heatmap(dl, {{at, {at.x + cell * static_cast<float>(s.input_cols), at.y + cell * static_cast<float>(s.input_rows)}}, s.input_cols, s.input_rows},
                 [&](int i) { return colormap_colour(gfx::Colormap::Grey, s.input[static_cast<std::size_t>(i)], lo, hi); });
    dl->AddRect({at.x - 1, at.y - 1}, {at.x + cell * static_cast<float>(s.input_cols) + 1, at.y + cell * static_cast<float>(s.input_rows) + 1},
                IM_COL32(90, 200, 200, 200));
    at.x += cell * static_cast<float>(s.input_cols) + em * 1.5f;
  }
  // The output neurons' (or readout units') states as bars, the label outlined, the prediction filled gold.
  if (s.output.empty()) return;
  float lo = 0, hi = 0;
  for (float v : s.output)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi <= lo) hi = lo + 1;
  const std::size_t k = s.output.size();
  const float row = std::min(em * 1.2f, height / static_cast<float>(k));
  auto class_name = [&](std::size_t j) {
    std::string name = j < s.class_names.size() ? s.class_names[j] : std::to_string(j);
    if (name.size() > 16) name.resize(16);
    return name;
  };
  float label_w = em * 3.0f;  // the widest class name and a gap, so no name runs under its bar
  for (std::size_t j = 0; j < k; ++j) label_w = std::max(label_w, ImGui::CalcTextSize(class_name(j).c_str()).x + em * 0.6f);
  const float bar_w = em * 8.0f;
  dl->AddText({at.x, at.y - em * 1.3f}, text, s.face_readout ? "readout units (whole far face)" : "output");
  for (std::size_t j = 0; j < k; ++j) {
    const float y = at.y + row * static_cast<float>(j);
    const std::string name = class_name(j);
    if (row >= em * 0.9f) dl->AddText({at.x, y + (row - em) * 0.5f}, text, name.c_str());
    const float v = s.output[j];
    const float t = std::isfinite(v) ? (v - lo) / (hi - lo) : 0.0f;
    const float x0 = at.x + label_w;
    dl->AddRectFilled({x0, y + 1}, {x0 + bar_w, y + row - 1}, IM_COL32(40, 43, 52, 220));
    const bool predicted = static_cast<int>(j) == s.predicted;
    dl->AddRectFilled({x0, y + 1}, {x0 + bar_w * t, y + row - 1}, predicted ? IM_COL32(255, 205, 90, 255) : IM_COL32(150, 155, 175, 255));
    if (static_cast<int>(j) == s.label) dl->AddRect({x0 - 1, y}, {x0 + bar_w + 1, y + row}, IM_COL32(120, 230, 140, 255));
  }
  dl->AddText({at.x, at.y + row * static_cast<float>(k) + em * 0.3f}, IM_COL32(150, 155, 170, 255), "gold: predicted, green box: label");
}

void NeuralCubeView::overlay_snapshot(const CubeSnapshot& typed, ImDrawList* dl, const ViewRect& rect) {
  const auto* s = &typed;
  const float em = ImGui::GetFontSize();
  if (!consistent(*s)) {
    dl->AddText({rect.min.x + em, rect.min.y + em}, IM_COL32(255, 110, 100, 255), "cube snapshot arrays do not match n: not drawn");
    return;
  }
  ingest(*s);
  status_lines(*s, dl, {rect.min.x + em * 0.6f, rect.min.y + em * 0.5f});
  const float io_h = std::min(em * 9.0f, rect.height() * 0.25f);
  draw_io(*s, dl, {rect.min.x + em * 0.8f, rect.max.y - io_h - em * 2.0f}, io_h);
  switch (color_by_) {
    case ColorBy::Channels: break;
    case ColorBy::Activation: draw_colorbar(dl, rect, gfx::Colormap::Viridis, scales_.act_lo, scales_.act_hi, "activation s"); break;
    case ColorBy::Velocity: draw_colorbar(dl, rect, gfx::Colormap::Viridis, 0, scales_.vel_peak, "velocity |ds|"); break;
    case ColorBy::Nudge: draw_colorbar(dl, rect, gfx::Colormap::Viridis, -scales_.nudge_peak, scales_.nudge_peak, blue_name(*s)); break;
  }
}

void NeuralCubeView::handle_mouse(const ImGuiIO& io, const ViewRect& rect) {
  camera_.handle_mouse(io, {rect.width(), rect.height()});
  if (lattice_.n <= 0 || shown_.empty()) return;
  const ImVec2 size{rect.width(), rect.height()};
  const gfx::Ray ray = camera_.ray({io.MousePos.x - rect.min.x, io.MousePos.y - rect.min.y}, size);
  auto shown = [this](int i) { return shown_[static_cast<std::size_t>(i)] != 0; };
  const bool dragging = ImGui::IsMouseDown(ImGuiMouseButton_Left) || ImGui::IsMouseDown(ImGuiMouseButton_Right);
  hovered_ = dragging ? -1 : lattice_.first_hit(ray, shown);
  hovered_frame_ = ImGui::GetFrameCount();
  // A click is a press and release without a drag: it picks (or clears); a drag orbits.
  if (ImGui::IsMouseReleased(ImGuiMouseButton_Left) && io.MouseDragMaxDistanceSqr[0] < 16.0f) {
    selected_ = lattice_.first_hit(ray, shown);
    dirty_ = true;
  }
  if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Right)) reset_camera();
}

void NeuralCubeView::settings_ui() {
  for (const char* key : {"color_by", "style", "log_scale", "threshold", "point_size", "glow", "hide_killed", "markers"})
    if (std::string_view(key) != "glow" || style_ != Style::Spheres) dirty_ |= settings_.ui(key);
  const int top = std::max(0, lattice_.n - 1);
  for (int a = 0; a < 3; ++a) {
    Slab& s = slabs_[a];
    ImGui::PushID(a);
    char label[32];
    std::snprintf(label, sizeof label, "slice %s", kAxisNames[a]);
    dirty_ |= ImGui::Checkbox(label, &s.on);
    if (s.on) {
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
      dirty_ |= ImGui::SliderInt("at", &s.at, 0, top);
      ImGui::SameLine();
      ImGui::SetNextItemWidth(-1);
      dirty_ |= ImGui::SliderInt("##thick", &s.thickness, 1, std::max(1, lattice_.n));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("slab thickness in layers");
    }
    ImGui::PopID();
  }
  settings_.ui("synapses");
  if (show_synapses_) settings_.ui("synapse_radius");
  if (ImGui::Button("reset camera")) reset_camera();
  ImGui::TextDisabled("drag: orbit, right/shift-drag: pan, wheel: zoom,\nclick a neuron: inspect it, click empty space: clear");
}

void NeuralCubeView::neuron_details(const CubeSnapshot& s, int i) const {
  const int n = s.n;
  const auto u = static_cast<std::size_t>(i);
  const bool alive = s.alive.empty() || s.alive[u];
  ImGui::Text("neuron %d  (x %d, y %d, z %d)%s%s%s", i, i % n, i / n % n, i / (n * n), alive ? "" : "  KILLED",
              i / (n * n) < s.input_depth ? "  input slab" : "",
              std::find(s.output_neurons.begin(), s.output_neurons.end(), static_cast<std::uint32_t>(i)) != s.output_neurons.end() ? "  output" : "");
  if (s.streaming)
    ImGui::Text("activation s %+.5g   velocity %.4g   %s", s.activation[u], s.velocity[u],
                at_or(blue_channel(s), u, 0.0f) > 0 ? "updated while this frame relaxed" : "not updated this frame");
  else
    ImGui::Text("activation s %+.5g   velocity %.4g   nudge %+.4g", s.activation[u], s.velocity[u], s.nudge[u]);
  if (!s.synapse_mask.empty()) {
    const std::uint32_t mask = s.synapse_mask[u];
    float wsum = 0, wmax = 0;
    if (!s.weights.empty())
      for (int d = 0; d < cube::kNeighbours; ++d)
        if (mask >> d & 1u) {
          const float w = s.weights[u * cube::kNeighbours + static_cast<std::size_t>(d)];
          wsum += w, wmax = std::max(wmax, std::abs(w));
        }
    if (s.weights.empty()) ImGui::Text("live synapses %d of 26", std::popcount(mask));
    else ImGui::Text("live synapses %d of 26   sum w %+.4g   max |w| %.4g", std::popcount(mask), wsum, wmax);
  }
}

void NeuralCubeView::windows_snapshot(const CubeSnapshot& typed, const ViewRect& rect) {
  const auto* s = &typed;
  if (!consistent(*s)) return;
  const int cells = s->n * s->n * s->n;
  if (hovered_ >= 0 && hovered_ < cells && hovered_frame_ == ImGui::GetFrameCount()) {
    ImGui::BeginTooltip();
    neuron_details(*s, hovered_);
    ImGui::EndTooltip();
  }
  if (selected_ < 0 || selected_ >= cells) return;
  const float em = ImGui::GetFontSize();
  // Bottom right, where the output face usually is not: the cube stays in view.
  ImGui::SetNextWindowPos({rect.max.x - em * 0.5f, rect.max.y - em * 0.5f}, ImGuiCond_Appearing, {1, 1});
  bool open = true;
  // Sized to its few lines, so no value is cut off behind a scroll bar.
  ImGui::Begin("Neuron###cube_neuron", &open, ImGuiWindowFlags_AlwaysAutoResize);
  neuron_details(*s, selected_);
  // The trace is the engine's probe metrics, recorded every step (a per-view history would see
  // only the snapshots drawn, and skip steps at speed).
  if (probe_params_) ImGui::TextDisabled("its trace over time: \"Probe\" in the metrics panel");
  ImGui::Separator();
  ImGui::Checkbox("show its synapses", &show_synapses_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em * 6);
  ImGui::SliderInt("radius", &synapse_radius_, 0, 3);
  if (ImGui::SmallButton("centre the camera on it")) camera_.target = lattice_.world(static_cast<std::uint32_t>(selected_));
  ImGui::End();
  if (!open) selected_ = -1, dirty_ = true;
}

void NeuralCubeView::take_param_edits(const ParamSet& params, std::vector<ParamEdit>& out) {
  static constexpr const char* kProbe[3] = {"probe_x", "probe_y", "probe_z"};
  probe_params_ = params.find(kProbe[0]) && params.find(kProbe[1]) && params.find(kProbe[2]);
  const int n = lattice_.n;
  if (!probe_params_ || n <= 0) return;  // nothing to probe, or no cube yet to map a pick onto
  int probe[3];
  bool inside = true;
  for (int a = 0; a < 3; ++a) {
    probe[a] = static_cast<int>(params.integer(kProbe[a]));
    inside = inside && probe[a] >= 0 && probe[a] < n;
  }
  const int probed = inside ? lattice_.index(probe[0], probe[1], probe[2]) : -1;
  // A pick made here since the last sync (a click, a closed inspector, a scene's "selected")
  // goes to the engine; otherwise the probe was changed elsewhere (the panel, a roll-back, a
  // reset to defaults) and the pick follows it, so the two never disagree for long.
  const bool picked_here = probe_sent_ == kUnsynced ? selected_ >= 0 : selected_ != probe_sent_;
  if (picked_here) {
    const int i = selected_;
    const int want[3] = {i < 0 ? -1 : i % n, i < 0 ? -1 : i / n % n, i < 0 ? -1 : i / (n * n)};
    for (int a = 0; a < 3; ++a)
      if (probe[a] != want[a]) out.push_back({kProbe[a], static_cast<double>(want[a]), {}});
  } else if (selected_ != probed) {
    selected_ = probed;
    dirty_ = true;
  }
  probe_sent_ = selected_;
}

nlohmann::json NeuralCubeView::save() const {
  nlohmann::json out = {{"camera", camera_.save()}, {"slices", nlohmann::json::object()}};
  settings_.save(out);
  for (int a = 0; a < 3; ++a) {
    nlohmann::json slab = nlohmann::json::object();
    slab_settings_[a].save(slab);
    out["slices"][kAxisNames[a]] = slab;
  }
  return out;
}

void NeuralCubeView::load(const nlohmann::json& v) {
  std::vector<ViewSettings::Commit> commits{settings_.read(v)};
  if (v.contains("slices")) {
    const auto& sl = v.at("slices");
    if (!sl.is_object()) throw InputError("/view/slices", "expected an object with keys x, y, z");
    for (int a = 0; a < 3; ++a) {
      if (!sl.contains(kAxisNames[a])) continue;
      const std::string p = std::string("/view/slices/") + kAxisNames[a];
      const auto& s = sl.at(kAxisNames[a]);
      if (!s.is_object()) throw InputError(p, "expected {\"on\": bool, \"at\": layer, \"thickness\": layers}, got " + s.dump());
      commits.push_back(slab_settings_[a].read(s, p));
    }
  }
  if (v.contains("camera")) {
    if (!v.at("camera").is_object()) throw InputError("/view/camera", "expected an object");
    camera_.load(v.at("camera"), "/view/camera");
    camera_fitted_ = true;
  }
  for (const auto& commit : commits) commit();
  dirty_ = true;
}

}  // namespace obs
