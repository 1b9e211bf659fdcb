#include "views/carrier_wheel_view.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <numbers>
#include <string>

#include "core/input_error.hpp"
#include "input/ui_marks.hpp"
#include "views/carrier_history_plot.hpp"
#include "views/carrier_palette.hpp"
#include "views/carrier_timeline.hpp"
#include "views/carrier_wheel_geometry.hpp"

namespace obs {

using resonance::CarrierView;
using resonance::ResonanceSnapshot;

namespace {

constexpr float kDotRing = 1.24f;   // bonded oscillators sit just outside the W arc
constexpr float kCellPad = 1.48f;   // half a cell, in wheel radii (dots and highlight fit)

float finite_or(double v, float fallback) { return std::isfinite(v) ? static_cast<float>(v) : fallback; }

// A fixed radial offset per oscillator spreads a dense population into a band instead of one
// overdrawn circle; hashing the index keeps each dot at the same offset from frame to frame.
float jitter(std::uint32_t i) {
  std::uint32_t h = i * 2654435761u;
  h ^= h >> 15;
  return static_cast<float>(h & 0xffff) / 65535.0f - 0.5f;
}

}  // namespace

CarrierWheelView::CarrierWheelView() {
  settings_.flag("timeline", show_timeline_, "lifetime timeline")
      .flag("presence", show_presence_, "presence heatmap")
      .flag("plots", show_plots_, "R(t), L_comp(t)")
      .flag("dots", show_dots_, "bonded oscillators")
      .flag("labels", show_labels_, "wheel labels")
      .choice("layout", layout_, {{"auto", "auto"}, {"wide", "wide"}, {"stacked", "stacked"}}, "layout", ViewSettings::ChoiceWidget::Combo,
              "wide: panels in one row under the wheels; stacked: the timeline full width,\nthen presence and plots. auto picks by the view's shape.")
      .number("max_radius", max_radius_, 16.0f, 240.0f, "max wheel radius", "%.0f px")
      .number("dot_scale", dot_scale_, 0.25f, 4.0f, "dot size", "x%.2f", nullptr, true);
}

float CarrierWheelView::hue_t(const ResonanceSnapshot& s, double centre) const {
  const double span = s.spectrum_max - s.spectrum_min;
  if (!(span > 0) || !std::isfinite(centre)) return 0.5f;
  return static_cast<float>(std::clamp((centre - s.spectrum_min) / span, 0.0, 1.0));
}

CarrierWheelView::Panels CarrierWheelView::arrange(const ViewRect& r) const {
  const float em = ImGui::GetFontSize(), gap = em * 0.5f;
  Panels p{};
  const float top = r.min.y + em * 2.9f;  // header lines
  const bool any_panel = show_timeline_ || show_presence_ || show_plots_;
  const bool wide = layout_ == Layout::Wide || (layout_ == Layout::Auto && r.width() >= 1.15f * r.height());
  const float bottom_h = any_panel ? r.height() * (wide ? 0.38f : 0.50f) : 0.0f;
  const float wheels_bottom = r.max.y - bottom_h - (any_panel ? gap : em * 0.5f);
  p.axis = {{r.min.x + em, top}, {r.max.x - em, top + em * 1.9f}};
  p.wheels = {{r.min.x + em * 0.5f, p.axis.max.y + em * 0.3f}, {r.max.x - em * 0.5f, wheels_bottom}};
  if (!any_panel) return p;
  const float y0 = r.max.y - bottom_h, y1 = r.max.y - gap, x0 = r.min.x + gap, x1 = r.max.x - gap;
  auto split_row = [&](float ya, float yb, std::vector<std::pair<ViewRect*, float>> parts) {
    float total = 0;
    for (auto& part : parts) total += part.second;
    float x = x0;
    const float avail = x1 - x0 - gap * static_cast<float>(parts.size() - 1);
    for (auto& part : parts) {
      const float w = avail * part.second / total;
      *part.first = {{x, ya}, {x + w, yb}};
      x += w + gap;
    }
  };
  ViewRect plots{};
  if (wide) {
    std::vector<std::pair<ViewRect*, float>> parts;
    if (show_timeline_) parts.push_back({&p.timeline, 0.42f});
    if (show_presence_) parts.push_back({&p.presence, 0.30f});
    if (show_plots_) parts.push_back({&plots, 0.28f});
    split_row(y0, y1, parts);
  } else {
    float ya = y0;
    if (show_timeline_) {
      const float h = (show_presence_ || show_plots_) ? bottom_h * 0.40f : bottom_h - gap;
      p.timeline = {{x0, ya}, {x1, ya + h}};
      ya += h + gap;
    }
    std::vector<std::pair<ViewRect*, float>> parts;
    if (show_presence_) parts.push_back({&p.presence, 0.5f});
    if (show_plots_) parts.push_back({&plots, 0.5f});
    if (!parts.empty()) split_row(ya, y1, parts);
  }
  if (show_plots_) {
    const float mid = 0.5f * (plots.min.y + plots.max.y);
    p.plot_R = {plots.min, {plots.max.x, mid - gap * 0.5f}};
    p.plot_L = {{plots.min.x, mid + gap * 0.5f}, plots.max};
  }
  return p;
}

void CarrierWheelView::place_wheels(const ResonanceSnapshot& s, const ViewRect& area) {
  const std::size_t m = s.carriers.size();
  order_.resize(m);
  for (std::size_t k = 0; k < m; ++k) order_[k] = k;
  // Spectral order (NaN centres last, ids break ties so equal centres do not swap each frame).
  std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
    const double ca = s.carriers[a].spectral_centre, cb = s.carriers[b].spectral_centre;
    const bool fa = std::isfinite(ca), fb = std::isfinite(cb);
    if (fa != fb) return fa;
    if (fa && ca != cb) return ca < cb;
    return s.carriers[a].id < s.carriers[b].id;
  });
  slots_.assign(m, {0, 0, 0});
  if (m == 0) return;
  // Rows wrap: pick the column count that gives the largest wheels (a label line under each).
  const float label_h = show_labels_ ? ImGui::GetFontSize() * 1.15f : 0.0f;
  float best_r = 0;
  std::size_t best_cols = 1;
  for (std::size_t cols = 1; cols <= m; ++cols) {
    const std::size_t rows = (m + cols - 1) / cols;
    const float cell_w = area.width() / static_cast<float>(cols);
    const float cell_h = area.height() / static_cast<float>(rows) - label_h;
    const float r = std::min(cell_w, cell_h) / (2 * kCellPad);
    if (r > best_r + 0.01f) { best_r = r; best_cols = cols; }
  }
  const float R = std::clamp(best_r, 2.0f, max_radius_);
  const std::size_t cols = best_cols, rows = (m + cols - 1) / cols;
  const float cell_w = 2 * kCellPad * R, cell_h = 2 * kCellPad * R + label_h;
  // The wheels' spectral order reads left to right, top to bottom, centred in the area.
  const float top = area.min.y + std::max(0.0f, (area.height() - cell_h * static_cast<float>(rows)) * 0.5f);
  for (std::size_t n = 0; n < m; ++n) {
    const std::size_t row = n / cols, col = n % cols;
    const std::size_t in_row = std::min(cols, m - row * cols);
    const float left = area.min.x + (area.width() - cell_w * static_cast<float>(in_row)) * 0.5f;
    slots_[order_[n]] = {left + cell_w * (static_cast<float>(col) + 0.5f), top + cell_h * static_cast<float>(row) + kCellPad * R, R};
  }
}

void CarrierWheelView::overlay_snapshot(const ResonanceSnapshot& typed, ImDrawList* dl, const ViewRect& rect) {
  const auto* s = &typed;
  const auto t_start = std::chrono::steady_clock::now();
  const float em = ImGui::GetFontSize();
  rect_ = rect;
  const Panels p = arrange(rect);
  place_wheels(*s, p.wheels);
  animator_.update(*s, slots_, ImGui::GetTime());
  laid_out_ = &typed;
  laid_out_step_ = s->step;
  ring_max_ = 0;
  for (const auto& c : s->carriers)
    if (std::isfinite(c.magnitude)) ring_max_ = std::max(ring_max_, static_cast<float>(c.magnitude));
  if (ring_max_ <= 0) ring_max_ = 1;

  // Header: the global observables, then how to read a wheel; shorter forms when the view is
  // narrow (the side panels leave it about 650 px at 1280 x 800).
  const float text_w = rect.width() - em * 1.2f;
  auto fitted = [&](float y, ImU32 col, std::initializer_list<const char*> forms) {
    const char* pick = nullptr;
    for (const char* f : forms)
      if (!pick || ImGui::CalcTextSize(f).x <= text_w) {
        pick = f;
        if (ImGui::CalcTextSize(f).x <= text_w) break;
      }
    dl->AddText({rect.min.x + em * 0.6f, y}, col, pick);
  };
  char wide[256], narrow[256], legend[256];
  const auto n_osc = static_cast<unsigned long long>(s->oscillators);
  const auto births = static_cast<unsigned long long>(s->births), deaths = static_cast<unsigned long long>(s->deaths);
  std::snprintf(wide, sizeof wide, "t = %.2f   N = %llu   M = %zu carriers   R = %.3f   L_comp = %.4g   births %llu  deaths %llu", s->time,
                n_osc, s->carriers.size(), s->R, s->L_comp, births, deaths);
  std::snprintf(narrow, sizeof narrow, "t %.1f  N %llu  M %zu  R %.3f  L %.3g  +%llu -%llu", s->time, n_osc, s->carriers.size(), s->R,
                s->L_comp, births, deaths);
  fitted(rect.min.y + em * 0.4f, IM_COL32(230, 232, 240, 255), {wide, narrow});
  std::snprintf(legend, sizeof legend, "ring: |c_k| (max %.3g)   needle: psi_k   shaded: gate half cos >= 0 (lit = open)   arc: W_k   dots: P_ik T_ik",
                static_cast<double>(ring_max_));
  std::snprintf(wide, sizeof wide, "ring |c| (max %.3g)  needle psi  lit half: gate open  arc W  dots P*T", static_cast<double>(ring_max_));
  fitted(rect.min.y + em * 1.55f, IM_COL32(150, 155, 170, 255), {legend, wide, "ring |c|  needle psi  half: gate  arc W  dots P*T"});
  draw_frequency_axis(*s, dl, p.axis);
  if (show_labels_) draw_wheel_labels(*s, dl);
  if (s->carriers.empty()) {
    const char* text = "no carriers: the field is empty (genesis seeds one when unbound energy builds up)";
    const ImVec2 size = ImGui::CalcTextSize(text);
    dl->AddText({0.5f * (p.wheels.min.x + p.wheels.max.x - size.x), 0.5f * (p.wheels.min.y + p.wheels.max.y)}, IM_COL32(160, 165, 180, 255), text);
  }

  // Hover: wheels first, then the panels.
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  hovered_ = 0;
  for (const auto& w : animator_.wheels()) {
    const float dx = mouse.x - w.x, dy = mouse.y - w.y;
    if (dx * dx + dy * dy <= (w.r * kDotRing) * (w.r * kDotRing)) hovered_ = s->carriers[w.index].id;
  }
  long selected_index = -1;
  for (std::size_t k = 0; k < s->carriers.size(); ++k)
    if (s->carriers[k].id == selected_) selected_index = static_cast<long>(k);
  timeline_hit_ = 0;
  presence_hit_ = {};
  if (show_timeline_) timeline_hit_ = draw_lifetime_timeline(dl, p.timeline.min, p.timeline.max, *s, selected_, mouse);
  if (show_presence_) presence_hit_ = draw_presence_heatmap(dl, p.presence.min, p.presence.max, *s, order_, selected_index, mouse);
  if (show_plots_) {
    const auto& time = history_.columns[0];
    const auto& R = history_.columns[1];
    const auto& L_comp = history_.columns[2];
    draw_history_plot(dl, p.plot_R.min, p.plot_R.max, "R(t)", time, R, IM_COL32(110, 190, 255, 255), true);
    draw_history_plot(dl, p.plot_L.min, p.plot_L.max, "L_comp(t)", time, L_comp, IM_COL32(250, 175, 70, 255), false);
  }
  const float ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - t_start).count();
  cpu_ms_ = cpu_ms_ == 0 ? ms : 0.95f * cpu_ms_ + 0.05f * ms;
}

void CarrierWheelView::draw_frequency_axis(const ResonanceSnapshot& s, ImDrawList* dl, const ViewRect& r) const {
  const double lo = s.spectrum_min, hi = s.spectrum_max;
  if (!(hi > lo) || r.width() < 40) return;
  const float em = ImGui::GetFontSize();
  const float y = r.min.y + em * 0.55f;
  auto xof = [&](double w) { return r.min.x + static_cast<float>((w - lo) / (hi - lo)) * r.width(); };
  // A thin spectrum-coloured bar: the same hue a carrier with that centre wears.
  const int seg = 48;
  for (int i = 0; i < seg; ++i) {
    const float x0 = r.min.x + r.width() * static_cast<float>(i) / seg, x1 = r.min.x + r.width() * static_cast<float>(i + 1) / seg;
    const ImU32 c = carrier_palette::to_u32(carrier_palette::frequency((static_cast<float>(i) + 0.5f) / seg, 0.55f));
    dl->AddRectFilled({x0, y - 1.5f}, {x1, y + 1.5f}, c);
  }
  const ImU32 axis = IM_COL32(150, 155, 170, 255);
  // Ticks at round frequencies.
  const double raw = (hi - lo) / 6, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
  char buf[48];
  const double first = std::ceil(lo / step) * step;
  const int ticks = static_cast<int>(std::floor((hi - first) / step + 1e-9)) + 1;
  // Right to left, so the last tick, which carries the unit (the axis needs no title row), always
  // shows and a tick label it would overprint is dropped.
  float free_right = r.max.x + em;
  for (int i = ticks - 1; i >= 0; --i) {
    const double w = first + step * i;
    const float x = xof(w);
    dl->AddLine({x, y + 2}, {x, y + 5}, axis);
    std::snprintf(buf, sizeof buf, i + 1 == ticks ? "%g rad/s (spectral centre)" : "%g", std::abs(w) < 1e-12 ? 0.0 : w);
    const float tw = ImGui::CalcTextSize(buf).x;
    const float left = std::clamp(x - tw * 0.5f, r.min.x, r.max.x - tw);
    if (left + tw + em * 0.5f > free_right) continue;
    dl->AddText({left, y + 5}, axis, buf);
    free_right = left;
  }
  // Each carrier's centre as a marker in its own hue; the selected one in white.
  for (const auto& c : s.carriers) {
    if (!std::isfinite(c.spectral_centre)) continue;
    const float x = std::clamp(xof(c.spectral_centre), r.min.x, r.max.x);
    const ImU32 col = c.id == selected_ ? IM_COL32(255, 255, 255, 255) : carrier_palette::to_u32(carrier_palette::frequency(hue_t(s, c.spectral_centre)));
    dl->AddTriangleFilled({x, y - 1}, {x - 4, y - 8}, {x + 4, y - 8}, col);
  }
}

void CarrierWheelView::draw_wheel_labels(const ResonanceSnapshot& s, ImDrawList* dl) {
  const float em = ImGui::GetFontSize();
  for (const auto& w : animator_.wheels()) {
    const CarrierView& c = s.carriers[w.index];
    // A wheel still gliding to a new slot (the order changed) would drag its label over a
    // neighbour's: labels return when it arrives.
    const auto& slot = slots_[w.index];
    if (std::abs(slot.x - w.x) + std::abs(slot.y - w.y) > 0.25f * w.r) continue;
    const int alpha = static_cast<int>(255 * w.alpha);
    const bool bad = !std::isfinite(c.psi) || !std::isfinite(c.magnitude);
    // The longest label that fits the wheel's cell, so neighbours never overprint.
    const float cell = 2 * kCellPad * w.r - em * 0.3f;
    char forms[3][96];
    std::snprintf(forms[0], sizeof forms[0], "#%u  %.3g rad/s  D %.2f", c.id, c.spectral_centre, c.D);
    std::snprintf(forms[1], sizeof forms[1], "#%u  %.3g", c.id, c.spectral_centre);
    std::snprintf(forms[2], sizeof forms[2], "#%u", c.id);
    if (bad) std::snprintf(forms[0], sizeof forms[0], "#%u non-finite", c.id);
    int pick = -1;
    for (int f = 0; f < 3 && pick < 0; ++f)
      if (ImGui::CalcTextSize(forms[f]).x <= cell) pick = f;
    if (pick < 0) continue;
    const char* text = forms[pick];
    const ImVec2 size = ImGui::CalcTextSize(text);
    const ImU32 col = bad ? IM_COL32(255, 90, 90, alpha) : IM_COL32(205, 208, 220, alpha);
    dl->AddText({w.x - size.x * 0.5f, w.y + kCellPad * w.r - em * 0.05f}, col, text);
  }
}

void CarrierWheelView::draw_snapshot(const ResonanceSnapshot& typed, int width_px, int height_px) {
  const auto* s = &typed;
  // Geometry follows the layout overlay() made this frame for this snapshot.
  if (laid_out_ != &typed || laid_out_step_ != s->step || width_px <= 0 || height_px <= 0) return;
  const auto t_start = std::chrono::steady_clock::now();
  if (!lines_) lines_ = std::make_unique<gfx::LineBatch>();
  lines_->clear();
  const float kTwoPi = 2 * std::numbers::pi_v<float>;

  // Ghosts first, so a newborn drawn over its dying parent stays readable.
  for (const auto& g : animator_.ghosts()) {
    const gfx::Rgba tint{1.0f, 0.33f, 0.33f, 1};
    carrier_geometry::Wheel w;
    w.cx = g.x - rect_.min.x;
    w.cy = g.y - rect_.min.y;
    w.radius = g.r;
    w.ring = std::max(1.0f, 0.24f * g.r * std::clamp(finite_or(g.carrier.magnitude, 0) / ring_max_, 0.0f, 1.0f));
    w.psi = finite_or(g.carrier.psi, 0);
    w.width = finite_or(g.carrier.gate_width, 0);
    w.colour = tint;
    w.alpha = g.alpha * 0.8f;
    carrier_geometry::wheel(*lines_, w);
    // The burst: an expanding ring that says "this one ended here" and how.
    const float br = g.r * (1.0f + 0.6f * g.burst);
    carrier_geometry::sector(*lines_, w.cx, w.cy, br, br + 2.5f, 0, kTwoPi, {tint.r, tint.g, tint.b, g.alpha});
  }

  for (const auto& aw : animator_.wheels()) {
    const CarrierView& c = s->carriers[aw.index];
    carrier_geometry::Wheel w;
    w.cx = aw.x - rect_.min.x;
    w.cy = aw.y - rect_.min.y;
    w.radius = aw.r;
    w.ring = std::max(1.0f, 0.24f * aw.r * std::clamp(finite_or(c.magnitude, 0) / ring_max_, 0.0f, 1.0f));
    const bool bad = !std::isfinite(c.psi) || !std::isfinite(c.magnitude);
    w.psi = finite_or(c.psi, 0);
    w.width = finite_or(c.gate_width, 0);
    w.gate_open = std::isfinite(c.psi) && std::cos(c.psi) >= 0;
    w.refractory = c.refractory;
    w.colour = bad ? gfx::Rgba{1.0f, 0.3f, 0.3f, 1} : carrier_palette::frequency(hue_t(*s, c.spectral_centre));
    w.alpha = aw.alpha;
    w.highlight = c.id == selected_ || c.id == hovered_ || c.id == timeline_hit_;
    carrier_geometry::wheel(*lines_, w);
  }

  // Bonded oscillators: dots at their phases, area proportional to P_ik T_ik (in [0, 1]).
  if (show_dots_) {
    // Wheel index -> drawn wheel, since dots name carriers by snapshot index.
    std::vector<int>& where = dot_wheel_;
    where.assign(s->carriers.size(), -1);
    const auto& wheels = animator_.wheels();
    for (std::size_t n = 0; n < wheels.size(); ++n) where[wheels[n].index] = static_cast<int>(n);
    for (const auto& d : s->dots) {
      if (d.carrier_index >= where.size() || where[d.carrier_index] < 0 || !std::isfinite(d.phase) || !std::isfinite(d.weight)) continue;
      const auto& aw = wheels[static_cast<std::size_t>(where[d.carrier_index])];
      const float R = aw.r;
      const float r_max = std::clamp(0.075f * R, 1.4f, 6.0f) * dot_scale_;
      const float r = std::max(0.6f, r_max * std::sqrt(std::clamp(d.weight, 0.0f, 1.0f)));
      const float rad = R * (kDotRing + 0.09f * jitter(d.oscillator));
      const float x = aw.x - rect_.min.x + rad * std::cos(d.phase), y = aw.y - rect_.min.y - rad * std::sin(d.phase);
      gfx::Rgba col = carrier_palette::frequency(hue_t(*s, s->carriers[d.carrier_index].spectral_centre), 0.85f * aw.alpha);
      col.r = 0.5f + 0.5f * col.r;  // lighter than the ring, so dots over a ring's hue still separate
      col.g = 0.5f + 0.5f * col.g;
      col.b = 0.5f + 0.5f * col.b;
      carrier_geometry::disc(*lines_, x, y, r, col);
    }
  }

  const float sx = ImGui::GetIO().DisplayFramebufferScale.x, sy = ImGui::GetIO().DisplayFramebufferScale.y;
  const float w_log = static_cast<float>(width_px) / std::max(0.01f, sx), h_log = static_cast<float>(height_px) / std::max(0.01f, sy);
  glEnable(GL_BLEND);
  glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  lines_->draw(2.0f / w_log, -2.0f / h_log, -1.0f, 1.0f);
  glDisable(GL_BLEND);
  const float ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - t_start).count();
  cpu_ms_ += 0.05f * ms;
}

void CarrierWheelView::handle_mouse(const ImGuiIO& /*io*/, const ViewRect& /*rect*/) {
  if (!ImGui::IsMouseClicked(ImGuiMouseButton_Left)) return;
  // Pick from whatever is under the mouse: a wheel, a lifetime bar or a presence column.
  std::uint32_t id = hovered_ ? hovered_ : timeline_hit_;
  if (!id && presence_hit_.row >= 0) clicked_ = true;  // resolved to an id in windows(), which has the snapshot
  if (id) {
    selected_ = id;
    inspector_open_ = true;
  }
}

void CarrierWheelView::windows_snapshot(const ResonanceSnapshot& typed, const ViewRect& rect) {
  const auto* s = &typed;
  if (clicked_ && presence_hit_.row >= 0 && presence_hit_.carrier < s->carriers.size()) {
    selected_ = s->carriers[presence_hit_.carrier].id;
    inspector_open_ = true;
  }
  clicked_ = false;
  const ImGuiIO& io = ImGui::GetIO();
  const bool over_view = rect.contains(io.MousePos) && !io.WantCaptureMouse;
  if (over_view && (hovered_ || timeline_hit_ || presence_hit_.row >= 0)) {
    ImGui::BeginTooltip();
    if (const std::uint32_t id = hovered_ ? hovered_ : timeline_hit_; id) {
      const CarrierView* c = nullptr;
      for (const auto& x : s->carriers)
        if (x.id == id) c = &x;
      if (c) {
        ImGui::Text("carrier #%u  (%s%s)", c->id, carrier_palette::origin_name(c->origin), c->refractory ? ", refractory" : "");
        ImGui::Text("|c| %.4g   psi %+.3f   gate %s", c->magnitude, c->psi, std::cos(c->psi) >= 0 ? "open" : "closed");
        ImGui::Text("omega %.4g   centre %.4g rad/s   W %.3f", c->frequency, c->spectral_centre, c->gate_width);
        ImGui::Text("coh %.3f   b %.3f   D %.3f   bonds %d", c->coherence, c->baseline, c->D, c->bonds);
      }
      for (const auto& l : s->lifetimes)
        if (l.id == id) {
          ImGui::Text("born step %llu (%s), %s%s%llu", static_cast<unsigned long long>(l.born_step), carrier_palette::origin_name(l.origin),
                      carrier_palette::fate_name(l.fate), l.fate == resonance::Fate::Alive ? ", age " : " at step ",
                      static_cast<unsigned long long>(l.fate == resonance::Fate::Alive ? l.end_step - std::min(l.end_step, l.born_step) : l.end_step));
          if (l.parent != 0) ImGui::Text("split from carrier #%u", l.parent);
        }
      if (c) ImGui::TextDisabled("click to inspect");
    } else if (presence_hit_.carrier < s->carriers.size()) {
      ImGui::Text("carrier #%u, oscillator row %d of %d (by natural frequency)", s->carriers[presence_hit_.carrier].id, presence_hit_.row + 1,
                  s->presence_rows);
      ImGui::Text("presence %.4g", presence_hit_.value);
      ImGui::TextDisabled("click to inspect the carrier");
    }
    ImGui::EndTooltip();
  }
  if (inspector_open_ && selected_) {
    // Against the view's right edge, tall enough for the bond list to be more than a line.
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowPos({rect.max.x - em * 21.5f, rect.min.y + em * 3.0f}, ImGuiCond_Appearing);
    ImGui::SetNextWindowSize({em * 21, std::min(rect.height() - em * 4, em * 44)}, ImGuiCond_Appearing);
    char title[64];
    std::snprintf(title, sizeof title, "carrier #%u###carrier inspector", selected_);
    if (ImGui::Begin(title, &inspector_open_)) inspector(*s);
    ImGui::End();
  }
}

void CarrierWheelView::inspector(const ResonanceSnapshot& s) {
  std::size_t k = s.carriers.size();
  for (std::size_t i = 0; i < s.carriers.size(); ++i)
    if (s.carriers[i].id == selected_) k = i;
  if (k == s.carriers.size()) {
    for (const auto& l : s.lifetimes)
      if (l.id == selected_)
        ImGui::TextWrapped("carrier #%u %s at step %llu after %llu steps (born by %s).", l.id, carrier_palette::fate_name(l.fate),
                           static_cast<unsigned long long>(l.end_step), static_cast<unsigned long long>(l.end_step - std::min(l.end_step, l.born_step)),
                           carrier_palette::origin_name(l.origin));
    ImGui::TextDisabled("(no longer alive: pick another carrier)");
    return;
  }
  const CarrierView& c = s.carriers[k];
  const gfx::Rgba hue = carrier_palette::frequency(hue_t(s, c.spectral_centre));
  ImGui::ColorButton("##hue", {hue.r, hue.g, hue.b, 1}, ImGuiColorEditFlags_NoTooltip, {ImGui::GetFontSize(), ImGui::GetFontSize()});
  ImGui::SameLine();
  ImGui::Text("born step %llu by %s%s", static_cast<unsigned long long>(c.born_step), carrier_palette::origin_name(c.origin),
              c.refractory ? "  (refractory)" : "");
  // Up the lineage: a mitosis child names the carrier it split from, one click away.
  for (const auto& l : s.lifetimes)
    if (l.id == c.id && l.parent != 0) {
      char parent[48];
      std::snprintf(parent, sizeof parent, "split from #%u", l.parent);
      if (ImGui::SmallButton(parent)) selected_ = l.parent;
      ui::mark("carrier/parent");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("inspect the parent carrier");
    }
  if (ImGui::BeginTable("observables", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
    auto row = [](const char* name, const char* fmt, double v) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::Text(fmt, v);
    };
    row("|c_k|", "%.5g", c.magnitude);
    row("psi_k (rad)", "%+.4f", c.psi);
    row("gate G(psi_k)", "%.0f", std::cos(c.psi) >= 0 ? 1.0 : 0.0);
    row("omega_k (rad/s)", "%.5g", c.frequency);
    row("spectral centre", "%.5g", c.spectral_centre);
    row("gate width W_k", "%.4f", c.gate_width);
    row("intake EMA", "%.5g", c.intake);
    row("coherence coh(k)", "%.4f", c.coherence);
    row("baseline b_k", "%.4f", c.baseline);
    row("D_k = coh / b", "%.4f", c.D);
    row("energy", "%.5g", c.energy);
    row("bonds", "%.0f", static_cast<double>(c.bonds));
    ImGui::EndTable();
  }
  ImGui::Spacing();
  ImGui::Text("spectral profile (%.3g .. %.3g rad/s)", s.spectrum_min, s.spectrum_max);
  if (!c.spectrum.empty()) {
    float top = 0;
    for (float v : c.spectrum) top = std::max(top, std::isfinite(v) ? v : 0.0f);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImVec4{hue.r, hue.g, hue.b, 1});
    ImGui::PlotHistogram("##spectrum", c.spectrum.data(), static_cast<int>(c.spectrum.size()), 0, nullptr, 0, top > 0 ? top * 1.05f : 1.0f,
                         {ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 5});
    ImGui::PopStyleColor();
  } else {
    ImGui::TextDisabled("(no spectrum in this snapshot)");
  }
  // Bonded oscillators, strongest first (the snapshot caps dots per carrier for large N).
  std::vector<const resonance::BondDot*>& mine = inspected_dots_;
  mine.clear();
  for (const auto& d : s.dots)
    if (d.carrier_index == k) mine.push_back(&d);
  std::sort(mine.begin(), mine.end(), [](auto* a, auto* b) { return a->weight != b->weight ? a->weight > b->weight : a->oscillator < b->oscillator; });
  ImGui::Text("bonded oscillators: %d (%zu in the snapshot)", c.bonds, mine.size());
  if (ImGui::BeginTable("bonded", 3, ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame, {0, ImGui::GetContentRegionAvail().y})) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("oscillator");
    ImGui::TableSetupColumn("phi_i");
    ImGui::TableSetupColumn("P_ik T_ik");
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(mine.size()));
    while (clip.Step())
      for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
        const auto& d = *mine[static_cast<std::size_t>(i)];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%u", d.oscillator);
        ImGui::TableNextColumn();
        ImGui::Text("%+.3f", d.phase);
        ImGui::TableNextColumn();
        ImGui::Text("%.4f", d.weight);
      }
    ImGui::EndTable();
  }
}

void CarrierWheelView::settings_ui() {
  settings_.ui();
  ImGui::TextDisabled("view cost %.2f ms/frame (CPU side)", cpu_ms_);
  if (selected_ && !inspector_open_ && ImGui::Button("reopen inspector")) inspector_open_ = true;
}

nlohmann::json CarrierWheelView::save() const {
  nlohmann::json out = {{"inspect", inspector_open_ ? selected_ : 0u}};
  settings_.save(out);
  return out;
}

void CarrierWheelView::load(const nlohmann::json& v) {
  // Everything is checked before anything changes, so a bad scene leaves the view as it was.
  const auto commit = settings_.read(v);
  std::uint32_t inspect = inspector_open_ ? selected_ : 0;
  if (v.is_object() && v.contains("inspect")) {
    const auto& x = v.at("inspect");
    if (!x.is_number_integer() || x.get<std::int64_t>() < 0 || x.get<std::int64_t>() > UINT32_MAX)
      throw InputError("/view/inspect", "expected a carrier id (an integer >= 0; 0 = no inspector), got " + x.dump());
    inspect = x.get<std::uint32_t>();
  }
  commit();
  selected_ = inspect;
  inspector_open_ = inspect != 0;
}

}  // namespace obs
