#include "views/eqprop_view.hpp"
#include "views/view_settings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/input_error.hpp"
#include "eqprop/eqprop_snapshot.hpp"
#include "views/eqprop_palette.hpp"
#include "views/eqprop_parts.hpp"

namespace obs {
namespace pal = eqprop_palette;
namespace {

constexpr ImU32 kRed = IM_COL32(240, 90, 80, 255), kGreen = IM_COL32(100, 215, 120, 255), kBlue = IM_COL32(95, 165, 255, 255);

enum class Channel { Composite, Red, Green, Blue };

const char* mode_name(EqPropView::Mode m) {
  switch (m) {
    case EqPropView::Mode::Composite: return "composite";
    case EqPropView::Mode::Channels: return "channels";
    case EqPropView::Mode::Both: return "both";
  }
  return "both";
}

// Near-square grid for a hidden layer; the output layer is one row so classes read left to right.
void grid_shape(int units, bool output, int& cols, int& rows) {
  if (output) {
    cols = std::max(1, units);
    rows = 1;
    return;
  }
  cols = std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(units)))));
  rows = std::max(1, (units + cols - 1) / cols);
}

std::string layer_title(int l, int layers) { return l == layers - 1 ? std::string("output") : "hidden " + std::to_string(l + 1); }

// A small vertical colour ramp with tick labels at its top, middle and bottom.
void ramp(ImDrawList* dl, ImVec2 p0, ImVec2 p1, ImU32 (*color)(float), float lo, float hi, const char* top, const char* mid,
          const char* bottom) {
  const int segments = 24;
  const float h = p1.y - p0.y;
  for (int i = 0; i < segments; ++i) {
    const float t0 = static_cast<float>(i) / segments, t1 = static_cast<float>(i + 1) / segments;
    const ImU32 c1 = color(lo + (hi - lo) * t1), c0 = color(lo + (hi - lo) * t0);
    dl->AddRectFilledMultiColor({p0.x, p1.y - h * t1}, {p1.x, p1.y - h * t0}, c1, c1, c0, c0);
  }
  dl->AddRect(p0, p1, pal::kFrame);
  const float em = ImGui::GetFontSize(), x = p1.x + em * 0.3f;
  dl->AddText({x, p0.y - em * 0.45f}, pal::kDim, top);
  if (mid) dl->AddText({x, (p0.y + p1.y) * 0.5f - em * 0.5f}, pal::kDim, mid);
  dl->AddText({x, p1.y - em * 0.55f}, pal::kDim, bottom);
}

ImU32 seq(float t) { return pal::sequential(t); }
ImU32 div(float t) { return pal::diverging(t); }

}  // namespace

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
  char buf[160];
  const char* label_name = s->label >= 0 && s->label < static_cast<int>(s->class_names.size()) ? s->class_names[s->label].c_str() : "?";
  std::snprintf(buf, sizeof buf, "output  (label: %s)", label_name);
  const int n_out = static_cast<int>(s->output_free.size());
  if (!narrow) {
    const float lw = std::clamp((x1 - x0) * 0.26f, em * 11.0f, em * 19.0f);
    dl->AddText({x0, y}, pal::kDim, map2d ? "decision map  (showcase ringed)" : "input");
    const float in_top = y + em * 1.3f;
    const float side = std::min(lw, (body_bottom - in_top) * (map2d ? 0.58f : 0.45f));
    eqprop_parts::draw_input(dl, *s, {x0, in_top}, {x0 + side, in_top + side});
    float oy = in_top + side + em * 0.8f;
    dl->AddText({x0, oy}, pal::kDim, buf);
    oy += em * 1.4f;
    eqprop_parts::draw_output_bars(dl, *s, {x0, oy}, {x0 + lw, body_bottom - em * 1.4f});
    draw_maps(dl, *s, {x0 + lw + em * 1.6f, y}, {x1, body_bottom});
  } else {
    const float side = std::min({em * 11.0f, (x1 - x0) * 0.34f, (body_bottom - y) * 0.28f});
    dl->AddText({x0, y}, pal::kDim, map2d ? "decision map" : "input");
    eqprop_parts::draw_input(dl, *s, {x0, y + em * 1.3f}, {x0 + side, y + em * 1.3f + side});
    const float bx = x0 + side + em * 1.2f;
    dl->AddText({bx, y}, pal::kDim, buf);
    const float bars_h = std::max(side - em * 1.3f, static_cast<float>(n_out) * em * 1.15f);
    eqprop_parts::draw_output_bars(dl, *s, {bx, y + em * 1.3f}, {x1, y + em * 1.3f + bars_h});
    const float band = em * 1.3f + std::max(side, bars_h + em * 1.4f) + em * 0.8f;
    dl->AddLine({x0, y + band - em * 0.4f}, {x1, y + band - em * 0.4f}, pal::kFrame);
    draw_maps(dl, *s, {x0, y + band}, {x1, body_bottom});
  }
  timeline_min_ = tl0;
  timeline_max_ = tl1;
  // The timeline's left block: frame counter, phase and settling.
  const int f = frame(), n = ch_.frames();
  label_w_ = em * 12.5f;
  std::snprintf(buf, sizeof buf, "frame %d / %d", n ? f + 1 : 0, n);
  dl->AddText(ImGui::GetFont(), em * 1.25f, {tl0.x, tl0.y}, pal::kText, buf);
  const bool nudged = n > 0 && ch_.nudged(f);
  if (nudged) std::snprintf(buf, sizeof buf, "nudged phase  (beta %.3g)", s->beta);
  else std::snprintf(buf, sizeof buf, "free phase");
  dl->AddText({tl0.x, tl0.y + em * 1.5f}, nudged ? pal::kNudgeTint : pal::kFreeTint, buf);
  if (s->algorithm == "backprop") std::snprintf(buf, sizeof buf, "feed-forward: one frame");
  else if (s->settled) std::snprintf(buf, sizeof buf, "settled after %d sweeps", s->free_steps);
  else std::snprintf(buf, sizeof buf, "not settled in %d sweeps", s->free_steps);
  if (!transport_shown_) dl->AddText({tl0.x, tl0.y + em * 2.8f}, pal::kDim, buf);
  if (!transport_shown_) dl->AddText({tl0.x, tl0.y + em * 4.1f}, pal::kFaint, playing_ ? "playing" : "paused");
  transport_shown_ = false;
  draw_timeline(dl, {tl0.x + label_w_, tl0.y}, tl1);
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
  hits_.clear();
  const int L = ch_.layers(), n = ch_.frames();
  if (L == 0 || n == 0) {
    dl->AddText(p0, pal::kDim, "no relaxation recorded yet");
    return;
  }
  const float em = ImGui::GetFontSize();
  std::vector<Channel> chans;
  if (mode_ != Mode::Channels) chans.push_back(Channel::Composite);
  if (mode_ != Mode::Composite) chans.insert(chans.end(), {Channel::Red, Channel::Green, Channel::Blue});
  const int C = static_cast<int>(chans.size());
  const int f = frame();
  const float caption = em * 1.15f, names = em * 1.3f;

  // The scale rule is stated under the maps (rule_at below), which end above it.
  const char* rule = shared_scale_ ? "colours: each channel / its 99th percentile over all layers and the whole relaxation; G on a log scale"
                                   : "colours: each channel / its 99th percentile per layer over the whole relaxation; G on a log scale";
  auto rule_at = [&](float y) { dl->AddText({p0.x, y}, pal::kFaint, rule); };
  p1.y -= em * 1.5f;
  if (ch_.non_finite() > 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%zu non-finite values (magenta)", ch_.non_finite());
    dl->AddText({p1.x - ImGui::CalcTextSize(buf).x, p1.y + em * 0.45f}, pal::kNonFinite, buf);
  }

  // One heatmap: units on a grid inside [b0, b1], centred; remembered for hover picking.
  auto heatmap = [&](Channel c, int l, ImVec2 b0, ImVec2 b1, bool with_names) {
    const int units = ch_.units(l);
    const bool output = l == L - 1;
    int gc = 0, gr = 0;
    grid_shape(units, output, gc, gr);
    // The composite keeps the caption's room too, so maps in a row line up and never touch.
    const float bw = b1.x - b0.x, bh = b1.y - b0.y - caption - (with_names ? names : 0.0f);
    float cell = std::floor(std::min(bw / static_cast<float>(gc), bh / static_cast<float>(gr)));
    if (output) cell = std::min(cell, em * 3.2f);  // two big squares would dwarf the hidden layer
    if (cell < 1.0f) return;
    const float w = cell * gc, h = cell * gr;
    const ImVec2 o{std::round(b0.x + (bw - w) * 0.5f), std::round(b0.y + (bh - h) * 0.5f)};
    const float gap = cell >= 7 ? 1.0f : 0.0f;
    dl->AddRectFilled({o.x - 2, o.y - 2}, {o.x + w + 1 + gap, o.y + h + 1 + gap}, IM_COL32(12, 13, 17, 255));
    for (int i = 0; i < units; ++i) {
      const float cx = o.x + static_cast<float>(i % gc) * cell, cy = o.y + static_cast<float>(i / gc) * cell;
      ImU32 col = 0;
      switch (c) {
        case Channel::Composite: col = pal::composite(ch_.red01(f, l, i), ch_.green01(f, l, i), ch_.blue11(f, l, i)); break;
        case Channel::Red: col = pal::sequential(ch_.red01(f, l, i)); break;
        case Channel::Green: col = pal::sequential(ch_.green01(f, l, i)); break;
        case Channel::Blue: col = pal::diverging(ch_.blue11(f, l, i)); break;
      }
      dl->AddRectFilled({cx, cy}, {cx + cell - gap, cy + cell - gap}, col);
    }
    hits_.push_back({o, cell, gc, l, units});
    float below = o.y + h + em * 0.15f;
    if (c != Channel::Composite && !shared_scale_) {
      // The per-layer scale this map is divided by.
      const ChannelScale& sc = ch_.scale(l);
      char sbuf[48];
      const float v = c == Channel::Red ? sc.red : c == Channel::Green ? sc.green : sc.blue;
      std::snprintf(sbuf, sizeof sbuf, "p99 %.2g", static_cast<double>(v));
      dl->AddText({o.x + w - ImGui::CalcTextSize(sbuf).x, below}, pal::kFaint, sbuf);
      below += caption;
    }
    // Names under one map per row (the first column): repeated, shortened to a letter, they would say nothing.
    if (with_names && output) {
      // Class names under the output units, shortened to what fits.
      for (int i = 0; i < units; ++i) {
        std::string name = i < static_cast<int>(s.class_names.size()) ? s.class_names[i] : std::to_string(i);
        while (name.size() > 1 && ImGui::CalcTextSize(name.c_str()).x > cell - 2) name.pop_back();
        if (ImGui::CalcTextSize(name.c_str()).x > cell) name = std::to_string(i);
        const float tw = ImGui::CalcTextSize(name.c_str()).x;
        dl->AddText({o.x + (i + 0.5f) * cell - tw * 0.5f, below}, i == s.label ? pal::kText : pal::kDim, name.c_str());
      }
    }
  };

  auto title_of = [](Channel c, const char*& title, const char*& what, ImU32& color) {
    title = "R G B";
    what = "composite";
    color = pal::kText;
    switch (c) {
      case Channel::Composite: break;
      case Channel::Red: title = "Red"; what = "|s|  activation"; color = kRed; break;
      case Channel::Green: title = "Green"; what = "|ds|  velocity"; color = kGreen; break;
      case Channel::Blue: title = "Blue"; what = "s - s_free  nudge"; color = kBlue; break;
    }
  };
  auto channel_title = [&](Channel c, ImVec2 at, bool stacked, float max_w) {
    const char *title, *what;
    ImU32 color;
    title_of(c, title, what, color);
    float x = at.x;
    if (c == Channel::Composite) {
      for (auto [t, col] : {std::pair{"R", kRed}, std::pair{"G", kGreen}, std::pair{"B", kBlue}}) {
        dl->AddText({x, at.y}, col, t);
        x += em * 0.9f;
      }
    } else {
      dl->AddText({x, at.y}, color, title);
      x += ImGui::CalcTextSize(title).x;
    }
    if (stacked) {
      dl->AddText({at.x, at.y + em * 1.25f}, pal::kDim, what);
      return;
    }
    // Narrow column: the symbol alone ("|s|"), without the word after it.
    std::string w = what;
    if (x + em * 0.5f + ImGui::CalcTextSize(w.c_str()).x > at.x + max_w) w = w.substr(0, w.find("  "));
    if (x + em * 0.5f + ImGui::CalcTextSize(w.c_str()).x <= at.x + max_w) dl->AddText({x + em * 0.5f, at.y}, pal::kDim, w.c_str());
  };
  // Tick labels for a channel's colour key (per-layer scales are named, shared ones are numbers).
  const ChannelScale& sc0 = ch_.scale(0);
  auto key_labels = [&](Channel c, char* top, char* mid, char* bottom) {
    mid[0] = 0;
    switch (c) {
      case Channel::Composite: top[0] = bottom[0] = 0; break;
      case Channel::Red:
        if (shared_scale_) std::snprintf(top, 32, "%.3g", static_cast<double>(sc0.red));
        else std::snprintf(top, 32, "p99");
        std::snprintf(bottom, 32, "0");
        break;
      case Channel::Green:
        if (shared_scale_) std::snprintf(top, 32, "%.2g", static_cast<double>(sc0.green));
        else std::snprintf(top, 32, "p99");
        std::snprintf(mid, 32, "log");
        std::snprintf(bottom, 32, "/1e%.0f", static_cast<double>(green_decades_));
        break;
      case Channel::Blue:
        if (shared_scale_) std::snprintf(top, 32, "+%.2g", static_cast<double>(sc0.blue)), std::snprintf(bottom, 32, "-%.2g", static_cast<double>(sc0.blue));
        else std::snprintf(top, 32, "+p99"), std::snprintf(bottom, 32, "-p99");
        std::snprintf(mid, 32, "0");
        break;
    }
  };
  auto composite_key = [&](ImVec2 at, bool vertical) {
    const char* keys[3] = {"|s|", "|ds|", "nudge"};
    const ImU32 cols[3] = {IM_COL32(255, 0, 0, 255), IM_COL32(0, 255, 0, 255), IM_COL32(0, 0, 255, 255)};
    for (int k = 0; k < 3; ++k) {
      dl->AddRectFilled({at.x, at.y + em * 0.2f}, {at.x + em * 0.8f, at.y + em * 0.9f}, cols[k], 2);
      dl->AddText({at.x + em * 1.1f, at.y}, pal::kDim, keys[k]);
      if (vertical) at.y += em * 1.3f;
      else at.x += em * 1.05f + ImGui::CalcTextSize(keys[k]).x + em * 0.6f;
    }
  };
  auto layer_header = [&](int l, ImVec2 at) {
    char buf[64];
    dl->AddText(at, pal::kText, layer_title(l, L).c_str());
    std::snprintf(buf, sizeof buf, "%d units", ch_.units(l));
    dl->AddText({at.x, at.y + em * 1.25f}, pal::kDim, buf);
    // The spectral norm of the matrix feeding this layer: its share of the Lipschitz bound.
    if (l < static_cast<int>(s.spectral_norms.size())) {
      std::snprintf(buf, sizeof buf, "|W%d| %.3f", l + 1, s.spectral_norms[l]);
      dl->AddText({at.x, at.y + em * 2.5f}, pal::kFaint, buf);
    }
  };

  // Two arrangements: layers as rows and channels as columns, or the transpose. The one that
  // gives the hidden units the larger cells wins (estimated with the same margins as below).
  auto hidden_cell = [&](float col_w, float row_h) {
    float cell = 1e9f;
    for (int l = 0; l + 1 < L; ++l) {
      int gc = 0, gr = 0;
      grid_shape(ch_.units(l), false, gc, gr);
      cell = std::min(cell, std::min(col_w / static_cast<float>(gc), row_h / static_cast<float>(gr)));
    }
    return L > 1 ? cell : 0.0f;
  };
  float by_rows = 0, by_cols = 0;
  {
    const float w = p1.x - p0.x - em * 6.5f, hh = p1.y - p0.y - em * 3.0f;
    const float col = w / (static_cast<float>(C) + (C > 1 ? 0.45f : 0.0f)) - em * 1.2f;
    const float out_h = col / static_cast<float>(std::max(1, ch_.units(L - 1))) + caption + names + em * 0.8f;
    by_rows = hidden_cell(col, (hh - std::min(hh * 0.45f, out_h)) / static_cast<float>(std::max(1, L - 1)) - caption - em * 0.8f);
    const float wc = p1.x - p0.x - em * 11.2f, hc = p1.y - p0.y - em * 3.9f;
    const float rows = static_cast<float>(C) + (C > 1 ? 0.6f : 0.0f);
    by_cols = hidden_cell(wc / static_cast<float>(L) - em * 0.9f, hc / rows - caption - em * 0.3f);
  }
  if (by_rows >= by_cols) {
    // Few layers: one row per layer (input side on top, as in the left column), one column per
    // channel with its colour key in the column header.
    const float head_w = em * 6.5f, col_head = em * 3.0f;
    // The composite is the main picture: its column is wider when the channels stand beside it.
    std::vector<float> col_x(static_cast<std::size_t>(C + 1));
    {
      float total = 0;
      for (int k = 0; k < C; ++k) total += chans[k] == Channel::Composite && C > 1 ? 1.45f : 1.0f;
      col_x[0] = p0.x + head_w;
      for (int k = 0; k < C; ++k)
        col_x[k + 1] = col_x[k] + (p1.x - col_x[0]) * (chans[k] == Channel::Composite && C > 1 ? 1.45f : 1.0f) / total;
    }
    // Row heights: what the widest-limited grids need, the block then centred vertically.
    const int n_out = ch_.units(L - 1);
    float min_col_w = 1e9f;
    for (int k = 0; k < C; ++k) min_col_w = std::min(min_col_w, col_x[k + 1] - col_x[k] - em * 1.2f);
    float max_col_w = 0;
    for (int k = 0; k < C; ++k) max_col_w = std::max(max_col_w, col_x[k + 1] - col_x[k] - em * 1.2f);
    const float out_cell = std::min(min_col_w / static_cast<float>(std::max(1, n_out)), em * 3.2f);
    const float avail = p1.y - p0.y - col_head;
    const float out_need = out_cell + caption + names + em * 0.8f;
    float hid_need = 0;
    for (int l = 0; l + 1 < L; ++l) {
      int gc = 0, gr = 0;
      grid_shape(ch_.units(l), false, gc, gr);
      hid_need = std::max(hid_need, max_col_w / static_cast<float>(gc) * static_cast<float>(gr) + caption + em * 0.8f);
    }
    const float out_h = L == 1 ? avail : std::min(avail * 0.45f, out_need);
    const float hid_h = L > 1 ? std::min(hid_need, (avail - out_h) / static_cast<float>(L - 1)) : 0.0f;
    const float block = col_head + out_h + hid_h * static_cast<float>(L - 1);
    p0.y += std::max(0.0f, (p1.y - p0.y - block) * 0.4f);
    for (int k = 0; k < C; ++k) {
      const float cx = col_x[k] + em * 0.3f, cw = col_x[k + 1] - col_x[k] - em * 1.2f;
      channel_title(chans[k], {cx, p0.y}, false, cw);
      if (chans[k] == Channel::Composite) {
        composite_key({cx, p0.y + em * 1.35f}, false);
        continue;
      }
      char top[32], mid[32], bottom[32];
      key_labels(chans[k], top, mid, bottom);
      const float kx0 = cx + ImGui::CalcTextSize(bottom).x + em * 0.4f, kx1 = cx + cw - ImGui::CalcTextSize(top).x - em * 0.4f;
      const float ky = p0.y + em * 1.6f, kh = em * 0.6f;
      const int segments = 32;
      for (int i = 0; i < segments; ++i) {
        const float t0 = static_cast<float>(i) / segments, t1 = static_cast<float>(i + 1) / segments;
        const bool blue = chans[k] == Channel::Blue;
        const ImU32 c0 = blue ? pal::diverging(2 * t0 - 1) : pal::sequential(t0), c1 = blue ? pal::diverging(2 * t1 - 1) : pal::sequential(t1);
        dl->AddRectFilledMultiColor({kx0 + (kx1 - kx0) * t0, ky}, {kx0 + (kx1 - kx0) * t1 + 0.5f, ky + kh}, c0, c1, c1, c0);
      }
      dl->AddRect({kx0, ky}, {kx1, ky + kh}, pal::kFrame);
      dl->AddText({cx, ky + kh * 0.5f - em * 0.5f}, pal::kDim, bottom);
      dl->AddText({kx1 + em * 0.4f, ky + kh * 0.5f - em * 0.5f}, pal::kDim, top);
      if (mid[0]) dl->AddText({(kx0 + kx1) * 0.5f - ImGui::CalcTextSize(mid).x * 0.5f, ky + kh + em * 0.1f}, pal::kFaint, mid);
    }
    float ry = p0.y + col_head;
    for (int l = 0; l < L; ++l) {
      const float rh = l == L - 1 ? out_h : hid_h;
      layer_header(l, {p0.x, ry + rh * 0.5f - em * 1.9f});
      for (int k = 0; k < C; ++k)
        heatmap(chans[k], l, {col_x[k], ry + em * 0.2f}, {col_x[k + 1] - em * 1.2f, ry + rh - em * 0.2f}, l == L - 1 && k == 0);
      ry += rh;
    }
    rule_at(ry + em * 0.4f);
    return;
  }

  // Many layers: one column per layer, one row per channel with its colour key at the right.
  const float head_w = em * 6.2f, bar_w = em * 5.0f, col_head = em * 3.9f;
  const float gx = p0.x + head_w, col_w = (p1.x - bar_w - gx) / static_cast<float>(L);
  float weight_sum = 0;
  for (Channel c : chans) weight_sum += c == Channel::Composite && C > 1 ? 1.6f : 1.0f;
  const float avail = p1.y - p0.y - col_head;
  for (int l = 0; l < L; ++l) layer_header(l, {gx + col_w * l + em * 0.3f, p0.y});
  float ry = p0.y + col_head;
  for (int k = 0; k < C; ++k) {
    const Channel c = chans[k];
    const float rh = avail * (c == Channel::Composite && C > 1 ? 1.6f : 1.0f) / weight_sum;
    const float hy = ry + rh * 0.5f - em * 1.2f;
    channel_title(c, {p0.x, hy}, true, head_w);
    const float kx = p1.x - bar_w + em * 0.6f, ky0 = ry + em * 0.6f, ky1 = ry + rh - caption - em * 0.4f;
    if (c == Channel::Composite) {
      composite_key({kx, (ky0 + ky1) * 0.5f - em * 1.9f}, true);
    } else {
      char top[32], mid[32], bottom[32];
      key_labels(c, top, mid, bottom);
      if (c == Channel::Blue) ramp(dl, {kx, ky0}, {kx + em * 0.8f, ky1}, div, -1, 1, top, mid, bottom);
      else ramp(dl, {kx, ky0}, {kx + em * 0.8f, ky1}, seq, 0, 1, top, mid[0] ? mid : nullptr, bottom);
    }
    for (int l = 0; l < L; ++l) {
      const float cx = gx + col_w * l;
      heatmap(c, l, {cx + em * 0.3f, ry}, {cx + col_w - em * 0.6f, ry + rh - em * 0.3f}, k == C - 1);
    }
    ry += rh;
  }
  rule_at(ry + em * 0.4f);
}

void EqPropView::draw_timeline(ImDrawList* dl, ImVec2 p0, ImVec2 p1) {
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
    const float tw = ImGui::CalcTextSize("nudged").x;
    const float tx = xb + em * 0.4f + tw < p1.x - em * 0.3f ? xb + em * 0.4f : xb - em * 0.4f - tw;
    dl->AddText({tx, p0.y + em * 0.2f}, pal::kNudgeTint, "nudged");
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

void EqPropView::draw_hover(ImDrawList* dl, const eqprop::EqPropSnapshot& s, const ViewRect& rect) {
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (!rect.contains(m) || ImGui::GetIO().WantCaptureMouse) return;
  const MapHit* hit = nullptr;
  int unit = -1;
  for (const auto& h : hits_) {
    const int rows = (h.units + h.cols - 1) / h.cols;
    const float u = (m.x - h.origin.x) / h.cell, v = (m.y - h.origin.y) / h.cell;
    if (u < 0 || v < 0 || u >= h.cols || v >= rows) continue;
    const int i = static_cast<int>(v) * h.cols + static_cast<int>(u);
    if (i < h.units) {
      hit = &h;
      unit = i;
      break;
    }
  }
  if (!hit) return;
  const int l = hit->layer, L = ch_.layers(), n = ch_.frames(), f = frame();
  // The same unit outlined in every map of its layer.
  for (const auto& h : hits_)
    if (h.layer == l) {
      const ImVec2 c{h.origin.x + static_cast<float>(unit % h.cols) * h.cell, h.origin.y + static_cast<float>(unit / h.cols) * h.cell};
      dl->AddRect({c.x - 1, c.y - 1}, {c.x + h.cell + 1, c.y + h.cell + 1}, IM_COL32(255, 255, 255, 255), 0, 0, 2.0f);
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
    std::snprintf(buf, sizeof buf, "%s  \xc2\xb7  unit %d  (row %d, col %d)", layer_title(l, L).c_str(), unit, unit / hit->cols, unit % hit->cols);
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
  int mode = static_cast<int>(mode_);
  ImGui::TextUnformatted("heatmaps");
  ImGui::RadioButton("composite", &mode, 0);
  ImGui::SameLine();
  ImGui::RadioButton("channels", &mode, 1);
  ImGui::SameLine();
  ImGui::RadioButton("both", &mode, 2);
  mode_ = static_cast<Mode>(mode);
  ImGui::Checkbox("one scale for all layers", &shared_scale_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Off: each layer's channels are divided by their own 99th percentile over the relaxation\n"
                      "(the nudge reaching a hidden layer stays visible). On: one scale per channel for all\n"
                      "layers, so magnitudes compare across layers.");
  ImGui::SliderFloat("green decades", &green_decades_, 1.0f, 8.0f, "%.1f");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Green is log10 |ds|: dark at this many decades below its 99th percentile.");
  ImGui::Separator();
  const int n = ch_.frames();
  int f = frame();
  if (ImGui::SliderInt("frame", &f, 0, std::max(0, n - 1))) playhead_ = static_cast<float>(f), playing_ = false;
  if (ImGui::Button(playing_ ? "pause" : "play")) playing_ = !playing_;
  ImGui::SameLine();
  if (ImGui::Button("step")) playhead_ = std::min(static_cast<float>(std::max(0, n - 1)), std::floor(playhead_) + 1), playing_ = false;
  ImGui::SameLine();
  ImGui::Checkbox("loop", &loop_);
  ImGui::SliderFloat("speed", &speed_, 0.25f, 60.0f, "%.2g sweeps/s", ImGuiSliderFlags_Logarithmic);
  ImGui::SliderFloat("hold at end", &hold_, 0.0f, 5.0f, "%.1f s");
}

nlohmann::json EqPropView::save() const {
  return {{"mode", mode_name(mode_)}, {"shared_scale", shared_scale_}, {"green_decades", green_decades_}, {"speed", speed_},
          {"hold", hold_},           {"playing", playing_},           {"loop", loop_}};
}

void EqPropView::load(const nlohmann::json& v) {
  if (v.contains("mode")) {
    const auto& m = v.at("mode");
    const std::string s = m.is_string() ? m.get<std::string>() : "";
    if (s == "composite") mode_ = Mode::Composite;
    else if (s == "channels") mode_ = Mode::Channels;
    else if (s == "both") mode_ = Mode::Both;
    else throw InputError("/view/mode", "expected \"composite\", \"channels\" or \"both\", got " + m.dump());
  }
  using view_settings::flag;
  using view_settings::number;
  green_decades_ = number(v, "green_decades", green_decades_, 1.0f, 8.0f);
  speed_ = number(v, "speed", speed_, 0.25f, 60.0f);
  hold_ = number(v, "hold", hold_, 0.0f, 5.0f);
  shared_scale_ = flag(v, "shared_scale", shared_scale_);
  playing_ = flag(v, "playing", playing_);
  loop_ = flag(v, "loop", loop_);
}

}  // namespace obs
