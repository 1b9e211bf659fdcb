#include "views/eqprop_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "eqprop/eqprop_snapshot.hpp"
#include "views/eqprop_palette.hpp"
#include "views/color_key.hpp"
#include "views/eqprop_parts.hpp"
#include "input/ui_marks.hpp"
#include "views/heatmap.hpp"

namespace obs {
namespace pal = eqprop_palette;
namespace {

constexpr ImU32 kRed = IM_COL32(240, 90, 80, 255), kGreen = IM_COL32(100, 215, 120, 255), kBlue = IM_COL32(95, 165, 255, 255);

using eqprop_layout::Channel;

std::string layer_title(int l, int layers) { return l == layers - 1 ? std::string("output") : "hidden " + std::to_string(l + 1); }

// The colours along a channel's key, low end to high end.
ImU32 key_colour(Channel c, float t) { return c == Channel::Blue ? pal::diverging(2 * t - 1) : pal::sequential(t); }

const char* channel_description(Channel c) {
  switch (c) {
    case Channel::Composite: return "composite";
    case Channel::Red: return "|s|  activation";
    case Channel::Green: return "|ds|  velocity";
    case Channel::Blue: return "s - s_free  nudge";
  }
  return "";
}

}  // namespace

EqPropView::EqPropView() {
  settings_.choice("mode", mode_, {{"composite", "composite"}, {"channels", "channels"}, {"both", "both"}}, "heatmaps",
                   ViewSettings::ChoiceWidget::Radio)
      .flag("shared_scale", shared_scale_, "one scale for all layers",
            "Off: each layer's channels are divided by their own 99th percentile over the relaxation\n"
            "(the nudge reaching a hidden layer stays visible). On: one scale per channel for all\n"
            "layers, so magnitudes compare across layers.")
      .number("green_decades", green_decades_, 1.0f, 8.0f, "green decades", "%.1f",
              "Green is log10 |ds|: dark at this many decades below its 99th percentile.")
      .flag("loop", loop_, "loop")
      .number("speed", speed_, 0.25f, 60.0f, "speed", "%.2g sweeps/s", nullptr, true)
      .number("hold", hold_, 0.0f, 5.0f, "hold at end", "%.1f s")
      .flag("playing", playing_, nullptr);  // the play/pause button
}

void EqPropView::draw_snapshot(const eqprop::EqPropSnapshot&, int, int) {
  // Everything is drawn in overlay(): a few thousand coloured cells are cheaper as ImGui
  // rectangles than as a texture upload per frame, and they appear in every screenshot.
}

void EqPropView::ingest(const eqprop::EqPropSnapshot& s) {
  if (&s == seen_ && s.step == seen_step_ && shared_scale_ == seen_shared_ && green_decades_ == seen_decades_) return;
  ch_.compute(s, shared_scale_, green_decades_);
  seen_ = &s;
  seen_step_ = s.step;
  seen_shared_ = shared_scale_;
  seen_decades_ = green_decades_;
  const int n = ch_.frames();
  if (!started_ && n > 0) {
    // Open a few sweeps into the nudge: a still picture (a screenshot, a paused scene) then
    // shows all three channels; playback carries on from there and loops.
    started_ = true;
    playhead_ = static_cast<float>(ch_.free_frames() < n ? std::min(n - 1, ch_.free_frames() + 3) : n - 1);
  }
  playhead_ = std::clamp(playhead_, 0.0f, static_cast<float>(std::max(0, n - 1)));
}

void EqPropView::advance(float dt) {
  const int n = ch_.frames();
  if (!playing_ || n <= 1) return;
  dt = std::clamp(dt, 0.0f, 0.1f);  // a stalled frame must not skip the whole relaxation
  if (playhead_ >= static_cast<float>(n - 1)) {
    held_ += dt;
    if (held_ >= hold_) {
      held_ = 0;
      if (loop_) playhead_ = 0;
      else playing_ = false;
    }
    return;
  }
  playhead_ = std::min(static_cast<float>(n - 1), playhead_ + dt * speed_);
}

int EqPropView::frame() const { return std::clamp(static_cast<int>(playhead_), 0, std::max(0, ch_.frames() - 1)); }

void EqPropView::overlay_snapshot(const eqprop::EqPropSnapshot& typed, ImDrawList* dl, const ViewRect& rect) {
  const auto* s = &typed;
  ingest(*s);
  advance(ImGui::GetIO().DeltaTime);
  const float em = ImGui::GetFontSize(), pad = em * 0.8f;
  const float x0 = rect.min.x + pad, x1 = rect.max.x - pad;
  dream_rects_.clear();
  float y = rect.min.y + pad * 0.7f;
  y += eqprop_parts::draw_status(dl, *s, {x0, y}, x1 - x0) + em * 0.2f;
  dl->AddLine({x0, y}, {x1, y}, pal::kFrame);
  y += em * 0.5f;

  const float tl_h = em * 5.4f;
  const ImVec2 tl0{x0, rect.max.y - pad - tl_h}, tl1{x1, rect.max.y - pad};
  const float body_bottom = tl0.y - em * 1.9f;  // room for the timeline legend above it

  // What goes in and what comes out: a left column when the view is wide, a band across the
  // top when it is narrow (the UI panels leave ~600 px at 1280 wide).
  const bool narrow = (x1 - x0) < em * 58.0f;
  const bool map2d = s->map_res > 0;
  const bool dream_points = map2d && !s->dreams.empty();
  char buf[160];
  const char* label_name = s->label >= 0 && s->label < static_cast<int>(s->class_names.size()) ? s->class_names[s->label].c_str() : "?";
  std::snprintf(buf, sizeof buf, "output  (label: %s)", label_name);
  const int n_out = static_cast<int>(s->output_free.size());
  if (!narrow) {
    const float lw = std::clamp((x1 - x0) * 0.26f, em * 11.0f, em * 19.0f);
    dl->AddText({x0, y}, pal::kDim, !map2d ? "input" : dream_points ? "decision map  (showcase ringed, dreams as diamonds)" : "decision map  (showcase ringed)");
    const float in_top = y + em * 1.3f;
    // A smaller input once the oracle has a histogram to show under the bars.
    const bool oracle = !s->settle_hist_right.empty() && !map2d;
    const float side = std::min(lw, (body_bottom - in_top) * (map2d ? 0.58f : oracle ? 0.3f : 0.45f));
    eqprop_parts::draw_input(dl, *s, {x0, in_top}, {x0 + side, in_top + side});
    dream_rects_ = eqprop_parts::draw_dream_points(dl, *s, {x0, in_top}, {x0 + side, in_top + side});
    float oy = in_top + side + em * 0.8f;
    dl->AddText({x0, oy}, pal::kDim, buf);
    oy += em * 1.4f;
    eqprop_parts::draw_output_bars(dl, *s, {x0, oy}, {x0 + lw, body_bottom - em * 1.4f});
    // The oracle's histogram in what the column has left below the bars.
    const float oracle_top = oy + eqprop_parts::output_bars_height(n_out, body_bottom - em * 1.4f - oy) + em * 0.8f;
    eqprop_parts::draw_oracle(dl, *s, {x0, oracle_top}, {x0 + lw, body_bottom});
    const float mx = x0 + lw + em * 1.6f, dream_h = eqprop_parts::dreams_height(*s, x1 - mx);
    draw_maps(dl, *s, {mx, y}, {x1, body_bottom - dream_h});
    if (dream_h > 0) dream_rects_ = eqprop_parts::draw_dreams(dl, *s, {mx, body_bottom - dream_h + em * 0.6f}, {x1, body_bottom});
  } else {
    const float side = std::min({em * 11.0f, (x1 - x0) * 0.34f, (body_bottom - y) * 0.28f});
    dl->AddText({x0, y}, pal::kDim, !map2d ? "input" : dream_points ? "decision map, dreams" : "decision map");
    eqprop_parts::draw_input(dl, *s, {x0, y + em * 1.3f}, {x0 + side, y + em * 1.3f + side});
    dream_rects_ = eqprop_parts::draw_dream_points(dl, *s, {x0, y + em * 1.3f}, {x0 + side, y + em * 1.3f + side});
    const float bx = x0 + side + em * 1.2f;
    dl->AddText({bx, y}, pal::kDim, buf);
    const float bars_h = std::max(side - em * 1.3f, static_cast<float>(n_out) * em * 1.15f);
    eqprop_parts::draw_output_bars(dl, *s, {bx, y + em * 1.3f}, {x1, y + em * 1.3f + bars_h});
    const float band = em * 1.3f + std::max(side, bars_h + em * 1.4f) + em * 0.8f;
    dl->AddLine({x0, y + band - em * 0.4f}, {x1, y + band - em * 0.4f}, pal::kFrame);
    const float dream_h = eqprop_parts::dreams_height(*s, x1 - x0);
    draw_maps(dl, *s, {x0, y + band}, {x1, body_bottom - dream_h});
    if (dream_h > 0) dream_rects_ = eqprop_parts::draw_dreams(dl, *s, {x0, body_bottom - dream_h + em * 0.6f}, {x1, body_bottom});
  }
  if (ui::marks_enabled())
    for (std::size_t c = 0; c < dream_rects_.size(); ++c) ui::mark_rect("eqprop/dream/" + std::to_string(c), dream_rects_[c].min, dream_rects_[c].max);
  timeline_min_ = tl0;
  timeline_max_ = tl1;
  // The timeline's left block: frame counter, phase and settling.
  const int f = frame(), n = ch_.frames();
  label_w_ = em * 12.5f;
  std::snprintf(buf, sizeof buf, "frame %d / %d", n ? f + 1 : 0, n);
  dl->AddText(ImGui::GetFont(), em * 1.25f, {tl0.x, tl0.y}, pal::kText, buf);
  const bool nudged = n > 0 && ch_.nudged(f);
  if (nudged && s->osc_period > 0) std::snprintf(buf, sizeof buf, "oscillating  (period %d)", s->osc_period);
  else if (nudged) std::snprintf(buf, sizeof buf, "nudged phase  (beta %.3g)", s->beta);
  else std::snprintf(buf, sizeof buf, "free phase");
  dl->AddText({tl0.x, tl0.y + em * 1.5f}, nudged ? pal::kNudgeTint : pal::kFreeTint, buf);
  if (s->algorithm == "backprop") std::snprintf(buf, sizeof buf, "feed-forward: one frame");
  else if (s->settled) std::snprintf(buf, sizeof buf, "settled after %d sweeps", s->free_steps);
  else std::snprintf(buf, sizeof buf, "not settled in %d sweeps", s->free_steps);
  if (!transport_shown_) dl->AddText({tl0.x, tl0.y + em * 2.8f}, pal::kDim, buf);
  if (!transport_shown_) dl->AddText({tl0.x, tl0.y + em * 4.1f}, pal::kFaint, playing_ ? "playing" : "paused");
  transport_shown_ = false;
  draw_timeline(dl, *s, {tl0.x + label_w_, tl0.y}, tl1);
  // The timeline's legend, right-aligned just above it.
  {
    const char* legend = "timeline: mean over units of each channel, each over its peak";
    const float ly = tl0.y - em * 1.35f;
    const float lx = x1 - ImGui::CalcTextSize("R  G  B").x;
    dl->AddText({lx, ly}, kRed, "R");
    dl->AddText({lx + ImGui::CalcTextSize("R  ").x, ly}, kGreen, "G");
    dl->AddText({lx + ImGui::CalcTextSize("R  G  ").x, ly}, kBlue, "B");
    dl->AddText({lx - ImGui::CalcTextSize(legend).x - em * 0.6f, ly}, pal::kFaint, legend);
  }
  draw_hover(dl, *s, rect);
}

void EqPropView::draw_maps(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1) {
  std::vector<int> units(static_cast<std::size_t>(ch_.frames() > 0 ? ch_.layers() : 0));
  for (int l = 0; l < static_cast<int>(units.size()); ++l) units[l] = ch_.units(l);
  std::vector<Channel> chans;
  if (mode_ != Mode::Channels) chans.push_back(Channel::Composite);
  if (mode_ != Mode::Composite) chans.insert(chans.end(), {Channel::Red, Channel::Green, Channel::Blue});
  maps_ = eqprop_layout::layout_maps(units, chans, p0, p1);
  if (units.empty()) {
    dl->AddText(p0, pal::kDim, "no relaxation recorded yet");
    return;
  }
  if (ch_.non_finite() > 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%zu non-finite values (magenta)", ch_.non_finite());
    dl->AddText({maps_.note_at.x - ImGui::CalcTextSize(buf).x, maps_.note_at.y}, pal::kNonFinite, buf);
  }
  for (const auto& t : maps_.titles) draw_channel_title(dl, t);
  for (const auto& k : maps_.keys) draw_channel_key(dl, k);
  for (const auto& h : maps_.headers) draw_layer_header(dl, s, h);
  for (const auto& m : maps_.maps) draw_layer_map(dl, s, m);
  dl->AddText(maps_.rule_at, pal::kFaint,
              shared_scale_ ? "colours: each channel / its 99th percentile over all layers and the whole relaxation; G on a log scale"
                            : "colours: each channel / its 99th percentile per layer over the whole relaxation; G on a log scale");
}

void EqPropView::draw_layer_map(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const eqprop_layout::MapSlot& slot) const {
  const float em = ImGui::GetFontSize();
  const Heatmap& grid = slot.grid;
  const int l = slot.layer, f = frame();
  const ImVec2 o = grid.rect.min;
  dl->AddRectFilled({o.x - 2, o.y - 2}, {grid.rect.max.x + 1 + grid.gap.x, grid.rect.max.y + 1 + grid.gap.y}, IM_COL32(12, 13, 17, 255));
  draw_heatmap(dl, grid, [&](int i) {
    switch (slot.channel) {
      case Channel::Composite: return pal::composite(ch_.red01(f, l, i), ch_.green01(f, l, i), ch_.blue11(f, l, i));
      case Channel::Red: return pal::sequential(ch_.red01(f, l, i));
      case Channel::Green: return pal::sequential(ch_.green01(f, l, i));
      case Channel::Blue: return pal::diverging(ch_.blue11(f, l, i));
    }
    return pal::kNonFinite;
  });
  float below = grid.rect.max.y + em * 0.15f;
  if (slot.channel != Channel::Composite && !shared_scale_) {
    // The per-layer scale this map is divided by.
    const ChannelScale& sc = ch_.scale(l);
    char buf[48];
    const float v = slot.channel == Channel::Red ? sc.red : slot.channel == Channel::Green ? sc.green : sc.blue;
    std::snprintf(buf, sizeof buf, "p99 %.2g", static_cast<double>(v));
    dl->AddText({grid.rect.max.x - ImGui::CalcTextSize(buf).x, below}, pal::kFaint, buf);
    below += em * 1.15f;
  }
  // Class names under the output units, shortened to what fits; under one map per row only:
  // repeated, shortened to a letter, they would say nothing.
  if (!slot.with_names || l != ch_.layers() - 1) return;
  const float cell = grid.cell_size().x;
  for (int i = 0; i < grid.count(); ++i) {
    std::string name = i < static_cast<int>(s.class_names.size()) ? s.class_names[i] : std::to_string(i);
    while (name.size() > 1 && ImGui::CalcTextSize(name.c_str()).x > cell - 2) name.pop_back();
    if (ImGui::CalcTextSize(name.c_str()).x > cell) name = std::to_string(i);
    const float tw = ImGui::CalcTextSize(name.c_str()).x;
    dl->AddText({o.x + (static_cast<float>(i) + 0.5f) * cell - tw * 0.5f, below}, i == s.label ? pal::kText : pal::kDim, name.c_str());
  }
}

void EqPropView::draw_channel_title(ImDrawList* dl, const eqprop_layout::TitleSlot& t) const {
  const float em = ImGui::GetFontSize();
  const char* what = channel_description(t.channel);
  float x = t.at.x;
  if (t.channel == Channel::Composite) {
    for (auto [letter, col] : {std::pair{"R", kRed}, std::pair{"G", kGreen}, std::pair{"B", kBlue}}) {
      dl->AddText({x, t.at.y}, col, letter);
      x += em * 0.9f;
    }
  } else {
    const char* title = t.channel == Channel::Red ? "Red" : t.channel == Channel::Green ? "Green" : "Blue";
    dl->AddText({x, t.at.y}, t.channel == Channel::Red ? kRed : t.channel == Channel::Green ? kGreen : kBlue, title);
    x += ImGui::CalcTextSize(title).x;
  }
  if (t.stacked) {
    dl->AddText({t.at.x, t.at.y + em * 1.25f}, pal::kDim, what);
    return;
  }
  // Narrow column: the symbol alone ("|s|"), without the word after it.
  std::string w = what;
  if (x + em * 0.5f + ImGui::CalcTextSize(w.c_str()).x > t.at.x + t.max_w) w = w.substr(0, w.find("  "));
  if (x + em * 0.5f + ImGui::CalcTextSize(w.c_str()).x <= t.at.x + t.max_w) dl->AddText({x + em * 0.5f, t.at.y}, pal::kDim, w.c_str());
}

void EqPropView::draw_channel_key(ImDrawList* dl, const eqprop_layout::KeySlot& k) const {
  const float em = ImGui::GetFontSize();
  if (k.channel == Channel::Composite) {
    // The composite mixes three channels: a legend of the three, not a scale.
    static constexpr const char* kWhat[3] = {"|s|", "|ds|", "nudge"};
    static constexpr ImU32 kPure[3] = {IM_COL32(255, 0, 0, 255), IM_COL32(0, 255, 0, 255), IM_COL32(0, 0, 255, 255)};
    ImVec2 at = k.area.min;
    for (int i = 0; i < 3; ++i) {
      dl->AddRectFilled({at.x, at.y + em * 0.2f}, {at.x + em * 0.8f, at.y + em * 0.9f}, kPure[i], 2);
      dl->AddText({at.x + em * 1.1f, at.y}, pal::kDim, kWhat[i]);
      if (k.vertical) at.y += em * 1.3f;
      else at.x += em * 1.05f + ImGui::CalcTextSize(kWhat[i]).x + em * 0.6f;
    }
    return;
  }
  // Tick labels: per-layer scales are named, a shared one is a number.
  const ChannelScale& sc = ch_.scale(0);
  char low[32] = "0", mid[32] = "", high[32] = "p99";
  switch (k.channel) {
    case Channel::Composite: break;
    case Channel::Red:
      if (shared_scale_) std::snprintf(high, sizeof high, "%.3g", static_cast<double>(sc.red));
      break;
    case Channel::Green:
      if (shared_scale_) std::snprintf(high, sizeof high, "%.2g", static_cast<double>(sc.green));
      std::snprintf(mid, sizeof mid, "log");
      std::snprintf(low, sizeof low, "/1e%.0f", static_cast<double>(green_decades_));
      break;
    case Channel::Blue:
      if (shared_scale_) std::snprintf(high, sizeof high, "+%.2g", static_cast<double>(sc.blue)), std::snprintf(low, sizeof low, "-%.2g", static_cast<double>(sc.blue));
      else std::snprintf(high, sizeof high, "+p99"), std::snprintf(low, sizeof low, "-p99");
      std::snprintf(mid, sizeof mid, "0");
      break;
  }
  ViewRect bar = k.area;
  if (!k.vertical) {  // the end labels sit either side of the bar, inside the column
    bar.min.x += ImGui::CalcTextSize(low).x + em * 0.4f;
    bar.max.x -= ImGui::CalcTextSize(high).x + em * 0.4f;
  }
  const Channel c = k.channel;
  draw_color_key(dl, bar, {[c](float t) { return key_colour(c, t); }, low, mid, high, !k.vertical, pal::kDim, pal::kFrame});
}

void EqPropView::draw_layer_header(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const eqprop_layout::HeaderSlot& h) const {
  const float em = ImGui::GetFontSize();
  char buf[64];
  dl->AddText(h.at, pal::kText, layer_title(h.layer, ch_.layers()).c_str());
  std::snprintf(buf, sizeof buf, "%d units", ch_.units(h.layer));
  dl->AddText({h.at.x, h.at.y + em * 1.25f}, pal::kDim, buf);
  // The spectral norm of the matrix feeding this layer: its share of the Lipschitz bound.
  if (h.layer < static_cast<int>(s.spectral_norms.size())) {
    std::snprintf(buf, sizeof buf, "|W%d| %.3f", h.layer + 1, s.spectral_norms[h.layer]);
    dl->AddText({h.at.x, h.at.y + em * 2.5f}, pal::kFaint, buf);
  }
}

void EqPropView::draw_timeline(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1) {
  const int n = ch_.frames();
  const float em = ImGui::GetFontSize();
  dl->AddRectFilled(p0, p1, pal::kPanel, 4);
  if (n == 0) return;
  const float px0 = p0.x + em * 0.8f, px1 = p1.x - em * 0.8f;
  const float top = p0.y + em * 1.4f, bottom = p1.y - em * 1.4f;
  auto xpix = [&](float fr) { return px0 + (n > 1 ? fr / static_cast<float>(n - 1) : 0.5f) * (px1 - px0); };
  const int nf = ch_.free_frames();
  if (nf < n) {
    const float xb = xpix(static_cast<float>(nf) - 0.5f);
    dl->AddRectFilled({xb, p0.y}, {p1.x, p1.y}, IM_COL32(35, 55, 95, 110), 4);
    // Left of the boundary when the nudged stretch is too short to hold its label.
    const char* label = s.osc_period > 0 ? "oscillating nudge" : "nudged";
    const float tw = ImGui::CalcTextSize(label).x;
    const float tx = xb + em * 0.4f + tw < p1.x - em * 0.3f ? xb + em * 0.4f : xb - em * 0.4f - tw;
    dl->AddText({tx, p0.y + em * 0.2f}, pal::kNudgeTint, label);
  }
  dl->AddText({p0.x + em * 0.4f, p0.y + em * 0.2f}, pal::kFreeTint, "free");
  // Each curve over its own peak: the shapes (green decaying, blue rising) are the point.
  auto curve = [&](const std::vector<float>& ys, ImU32 col) {
    float peak = 0;
    for (float v : ys) peak = std::max(peak, v);
    const float k = peak > 0 ? 1.0f / peak : 0.0f;
    for (int i = 1; i < n; ++i)
      dl->AddLine({xpix(static_cast<float>(i - 1)), bottom - ys[i - 1] * k * (bottom - top)}, {xpix(static_cast<float>(i)), bottom - ys[i] * k * (bottom - top)}, col, 2.0f);
    if (n == 1) dl->AddCircleFilled({xpix(0), bottom - ys[0] * k * (bottom - top)}, 3, col);
  };
  dl->AddLine({px0, bottom}, {px1, bottom}, pal::kFrame);
  curve(ch_.mean_red(), kRed);
  curve(ch_.mean_green(), kGreen);
  curve(ch_.mean_blue(), kBlue);
  // Frame ticks: every sweep when there is room, else every 5th / 10th.
  const int every = (px1 - px0) / static_cast<float>(std::max(1, n)) > em * 1.6f ? 1 : (px1 - px0) / static_cast<float>(n) > em * 0.45f ? 5 : 10;
  for (int i = 0; i < n; ++i) {
    const float x = xpix(static_cast<float>(i));
    dl->AddLine({x, bottom}, {x, bottom + em * 0.25f}, pal::kFrame);
    if ((i + 1) % every == 0 || i == 0) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%d", i + 1);
      dl->AddText({x - ImGui::CalcTextSize(buf).x * 0.5f, bottom + em * 0.3f}, pal::kFaint, buf);
    }
  }
  const float xp = xpix(playhead_);
  dl->AddLine({xp, p0.y + em * 1.2f}, {xp, bottom}, IM_COL32(255, 255, 255, 220), 2.0f);
  dl->AddTriangleFilled({xp - em * 0.4f, p0.y + em * 1.0f}, {xp + em * 0.4f, p0.y + em * 1.0f}, {xp, p0.y + em * 1.5f}, IM_COL32(255, 255, 255, 230));
}

bool EqPropView::draw_dream_hover(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const ViewRect& rect) {
  const ImVec2 m = ImGui::GetIO().MousePos;
  int c = -1;
  for (std::size_t k = 0; k < dream_rects_.size() && c < 0; ++k)
    if (dream_rects_[k].contains(m)) c = static_cast<int>(k);
  const std::size_t classes = s.class_names.size();
  if (c < 0 || s.dream_answers.size() != classes || s.dreams.empty()) return false;
  const ViewRect& r = dream_rects_[static_cast<std::size_t>(c)];
  const int said = s.dream_answers[static_cast<std::size_t>(c)];
  const std::size_t dim = s.dreams.size() / classes;
  const float* x = s.dreams.data() + static_cast<std::size_t>(c) * dim;
  char lines[3][160];
  std::snprintf(lines[0], sizeof lines[0], "dream of %s", s.class_names[static_cast<std::size_t>(c)].c_str());
  std::snprintf(lines[1], sizeof lines[1], "the net answers %s", said >= 0 && said < static_cast<int>(classes) ? s.class_names[static_cast<std::size_t>(said)].c_str() : "?");
  if (dim == 2) {
    std::snprintf(lines[2], sizeof lines[2], "at (%.3f, %.3f)", static_cast<double>(x[0]), static_cast<double>(x[1]));
  } else {
    // The pixel under the pointer.
    const int rows = std::max(1, s.input_rows), cols = std::max(1, s.input_cols);
    const int col = std::clamp(static_cast<int>((m.x - r.min.x) / r.width() * static_cast<float>(cols)), 0, cols - 1);
    const int row = std::clamp(static_cast<int>((m.y - r.min.y) / r.height() * static_cast<float>(rows)), 0, rows - 1);
    std::snprintf(lines[2], sizeof lines[2], "pixel (row %d, col %d) = %.3f", row, col, static_cast<double>(x[row * cols + col]));
    dl->AddRect({r.min.x + static_cast<float>(col) * r.width() / static_cast<float>(cols), r.min.y + static_cast<float>(row) * r.height() / static_cast<float>(rows)},
                {r.min.x + static_cast<float>(col + 1) * r.width() / static_cast<float>(cols), r.min.y + static_cast<float>(row + 1) * r.height() / static_cast<float>(rows)},
                IM_COL32(255, 255, 255, 255));
  }
  const float em = ImGui::GetFontSize();
  float w = 0;
  for (const auto& line : lines) w = std::max(w, ImGui::CalcTextSize(line).x);
  w += em * 1.2f;
  const float h = em * 4.3f;
  ImVec2 p{m.x + em * 1.2f, m.y + em * 1.2f};
  if (p.x + w > rect.max.x) p.x = m.x - w - em * 0.8f;
  if (p.y + h > rect.max.y) p.y = m.y - h - em * 0.8f;
  dl->AddRectFilled(p, {p.x + w, p.y + h}, IM_COL32(28, 30, 38, 245), 6);
  dl->AddRect(p, {p.x + w, p.y + h}, pal::kFrame, 6);
  for (int k = 0; k < 3; ++k)
    dl->AddText({p.x + em * 0.6f, p.y + em * (0.4f + 1.3f * static_cast<float>(k))}, k == 1 && said != c ? IM_COL32(255, 110, 90, 255) : pal::kText, lines[k]);
  if (ui::marks_enabled()) ui::mark_rect("eqprop/dream_tooltip/" + std::to_string(c) + "/answer/" + std::to_string(said), p, {p.x + w, p.y + h});
  return true;
}

void EqPropView::draw_hover(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const ViewRect& rect) {
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (!rect.contains(m) || ImGui::GetIO().WantCaptureMouse) return;
  if (draw_dream_hover(dl, s, rect)) return;
  const eqprop_layout::MapSlot* hit = nullptr;
  int unit = -1;
  for (const auto& slot : maps_.maps)
    if ((unit = slot.grid.cell_at(m)) >= 0) {
      hit = &slot;
      break;
    }
  if (!hit) return;
  const int l = hit->layer, L = ch_.layers(), n = ch_.frames(), f = frame();
  // The same unit outlined in every map of its layer.
  for (const auto& slot : maps_.maps)
    if (slot.layer == l) {
      const ViewRect c = slot.grid.cell(unit);
      const float cell = slot.grid.cell_size().x;
      dl->AddRect({c.min.x - 1, c.min.y - 1}, {c.min.x + cell + 1, c.min.y + cell + 1}, IM_COL32(255, 255, 255, 255), 0, 0, 2.0f);
    }
  const float em = ImGui::GetFontSize();
  const float w = em * 18.0f, spark = em * 3.0f, h = em * 5.6f + 3 * (spark + em * 0.3f) + em * 0.4f;
  ImVec2 p{m.x + em * 1.2f, m.y + em * 1.2f};
  if (p.x + w > rect.max.x) p.x = m.x - w - em * 0.8f;
  if (p.y + h > rect.max.y) p.y = std::max(rect.min.y, rect.max.y - h);
  dl->AddRectFilled({p.x + 3, p.y + 4}, {p.x + w + 3, p.y + h + 4}, IM_COL32(0, 0, 0, 110), 6);
  dl->AddRectFilled(p, {p.x + w, p.y + h}, IM_COL32(28, 30, 38, 245), 6);
  dl->AddRect(p, {p.x + w, p.y + h}, pal::kFrame, 6);
  char buf[160];
  const bool output = l == L - 1;
  if (output && unit < static_cast<int>(s.class_names.size()))
    std::snprintf(buf, sizeof buf, "output %d  \xc2\xb7  %s", unit, s.class_names[unit].c_str());
  else
    std::snprintf(buf, sizeof buf, "%s  \xc2\xb7  unit %d  (row %d, col %d)", layer_title(l, L).c_str(), unit, unit / hit->grid.cols, unit % hit->grid.cols);
  float y = p.y + em * 0.4f;
  const float x = p.x + em * 0.6f;
  dl->AddText({x, y}, pal::kText, buf);
  y += em * 1.3f;
  std::snprintf(buf, sizeof buf, "s = %.4f", ch_.s(f, l, unit));
  dl->AddText({x, y}, kRed, buf);
  std::snprintf(buf, sizeof buf, "|ds| = %.2e", ch_.green(f, l, unit));
  dl->AddText({x + em * 7.5f, y}, kGreen, buf);
  y += em * 1.3f;
  std::snprintf(buf, sizeof buf, "nudge = %+.2e", ch_.blue(f, l, unit));
  dl->AddText({x, y}, kBlue, buf);
  y += em * 1.3f;
  std::snprintf(buf, sizeof buf, "frame %d / %d  (%s)", f + 1, n, ch_.nudged(f) ? "nudged" : "free");
  dl->AddText({x, y}, pal::kDim, buf);
  y += em * 1.5f;
  trace_.resize(static_cast<std::size_t>(n));
  const float sx0 = x, sx1 = p.x + w - em * 0.6f;
  for (int k = 0; k < n; ++k) trace_[k] = ch_.s(k, l, unit);
  eqprop_parts::draw_sparkline(dl, {sx0, y}, {sx1, y + spark}, trace_, kRed, ch_.free_frames(), f, false, "s");
  y += spark + em * 0.3f;
  for (int k = 0; k < n; ++k) trace_[k] = ch_.green(k, l, unit);
  eqprop_parts::draw_sparkline(dl, {sx0, y}, {sx1, y + spark}, trace_, kGreen, ch_.free_frames(), f, true, "|ds|  (log)");
  y += spark + em * 0.3f;
  for (int k = 0; k < n; ++k) trace_[k] = ch_.blue(k, l, unit);
  eqprop_parts::draw_sparkline(dl, {sx0, y}, {sx1, y + spark}, trace_, kBlue, ch_.free_frames(), f, false, "nudge");
}

void EqPropView::handle_mouse(const ImGuiIO& io, const ViewRect&) {
  // Click or drag on the timeline to scrub; playback pauses so the chosen frame stays.
  const ImVec2 m = io.MousePos;
  const float x0 = timeline_min_.x + label_w_;
  if (!ImGui::IsMouseDown(ImGuiMouseButton_Left) || m.x < x0 || m.x > timeline_max_.x || m.y < timeline_min_.y ||
      m.y > timeline_max_.y || ch_.frames() < 1)
    return;
  const float em = ImGui::GetFontSize();
  const float px0 = x0 + em * 0.8f, px1 = timeline_max_.x - em * 0.8f;
  const float t = std::clamp((m.x - px0) / std::max(1.0f, px1 - px0), 0.0f, 1.0f);
  playhead_ = std::round(t * static_cast<float>(ch_.frames() - 1));
  playing_ = false;
}

void EqPropView::windows_snapshot(const eqprop::EqPropSnapshot&, const ViewRect&) {
  // Transport buttons in the timeline's left block (the overlay leaves room for them).
  const float em = ImGui::GetFontSize();
  transport_shown_ = true;
  ImGui::SetNextWindowPos({timeline_min_.x - ImGui::GetStyle().WindowPadding.x, timeline_min_.y + em * 2.7f});
  ImGui::SetNextWindowBgAlpha(0.0f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav |
                                 ImGuiWindowFlags_NoBackground;
  if (ImGui::Begin("##eqprop_transport", nullptr, flags)) {
    const int n = ch_.frames();
    if (ImGui::SmallButton("|<")) playhead_ = 0, playing_ = false;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("first frame");
    ImGui::SameLine();
    if (ImGui::SmallButton("<")) playhead_ = std::max(0.0f, std::floor(playhead_) - 1), playing_ = false;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("one sweep back");
    ImGui::SameLine();
    if (ImGui::SmallButton(playing_ ? "pause" : "play ")) playing_ = !playing_, held_ = 0;
    ImGui::SameLine();
    if (ImGui::SmallButton(">")) playhead_ = std::min(static_cast<float>(std::max(0, n - 1)), std::floor(playhead_) + 1), playing_ = false;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("one sweep forward");
    ImGui::SameLine();
    if (ImGui::SmallButton(">|")) playhead_ = static_cast<float>(std::max(0, n - 1)), playing_ = false;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("last frame");
    ImGui::SetNextItemWidth(em * 10.0f);
    ImGui::SliderFloat("##speed", &speed_, 0.25f, 60.0f, "%.2g sweeps/s", ImGuiSliderFlags_Logarithmic);
  }
  ImGui::End();
}

void EqPropView::settings_ui() {
  settings_.ui("mode");
  settings_.ui("shared_scale");
  settings_.ui("green_decades");
  ImGui::Separator();
  const int n = ch_.frames();
  int f = frame();
  if (ImGui::SliderInt("frame", &f, 0, std::max(0, n - 1))) playhead_ = static_cast<float>(f), playing_ = false;
  if (ImGui::Button(playing_ ? "pause" : "play")) playing_ = !playing_;
  ImGui::SameLine();
  if (ImGui::Button("step")) playhead_ = std::min(static_cast<float>(std::max(0, n - 1)), std::floor(playhead_) + 1), playing_ = false;
  ImGui::SameLine();
  settings_.ui("loop");
  settings_.ui("speed");
  settings_.ui("hold");
}

nlohmann::json EqPropView::save() const {
  nlohmann::json out = nlohmann::json::object();
  settings_.save(out);
  return out;
}

void EqPropView::load(const nlohmann::json& v) { settings_.load(v); }

}  // namespace obs
