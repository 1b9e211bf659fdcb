#include "views/eqprop_map_layout.hpp"

#include <algorithm>
#include <cmath>

namespace obs::eqprop_layout {
namespace {

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

struct Placer {
  const std::vector<int>& units;
  MapsLayout& out;
  float em, caption, names;
  int L() const { return static_cast<int>(units.size()); }

  // Units on a grid inside [b0, b1], centred in whole-pixel cells. The composite keeps the
  // caption's room too, so maps in a row line up and never touch.
  void map(Channel c, int l, ImVec2 b0, ImVec2 b1, bool with_names) {
    const bool output = l == L() - 1;
    int gc = 0, gr = 0;
    grid_shape(units[l], output, gc, gr);
    const float bw = b1.x - b0.x, bh = b1.y - b0.y - caption - (with_names ? names : 0.0f);
    float cell = std::floor(std::min(bw / static_cast<float>(gc), bh / static_cast<float>(gr)));
    if (output) cell = std::min(cell, em * 3.2f);  // two big squares would dwarf the hidden layer
    if (cell < 1.0f) return;
    const float w = cell * gc, h = cell * gr;
    const ImVec2 o{std::round(b0.x + (bw - w) * 0.5f), std::round(b0.y + (bh - h) * 0.5f)};
    Heatmap grid{{o, {o.x + w, o.y + h}}, gc, gr, units[l]};
    const float gap = cell >= 7 ? 1.0f : 0.0f;
    grid.gap = {gap, gap};
    out.maps.push_back({c, l, grid, with_names});
  }

  // The smallest hidden-layer cell a column width and row height allow.
  float hidden_cell(float col_w, float row_h) const {
    float cell = 1e9f;
    for (int l = 0; l + 1 < L(); ++l) {
      int gc = 0, gr = 0;
      grid_shape(units[l], false, gc, gr);
      cell = std::min(cell, std::min(col_w / static_cast<float>(gc), row_h / static_cast<float>(gr)));
    }
    return L() > 1 ? cell : 0.0f;
  }

  // Few layers: one row per layer (input side on top), one column per channel with its colour
  // key in the column header.
  void by_rows(const std::vector<Channel>& chans, ImVec2 p0, ImVec2 p1) {
    const int C = static_cast<int>(chans.size());
    const float head_w = em * 6.5f, col_head = em * 3.0f;
    // The composite is the main picture: its column is wider when the channels stand beside it.
    std::vector<float> col_x(static_cast<std::size_t>(C + 1));
    float total = 0;
    for (int k = 0; k < C; ++k) total += chans[k] == Channel::Composite && C > 1 ? 1.45f : 1.0f;
    col_x[0] = p0.x + head_w;
    for (int k = 0; k < C; ++k) col_x[k + 1] = col_x[k] + (p1.x - col_x[0]) * (chans[k] == Channel::Composite && C > 1 ? 1.45f : 1.0f) / total;
    // Row heights: what the widest-limited grids need, the block then centred vertically.
    const int n_out = units[L() - 1];
    float min_col_w = 1e9f, max_col_w = 0;
    for (int k = 0; k < C; ++k) {
      min_col_w = std::min(min_col_w, col_x[k + 1] - col_x[k] - em * 1.2f);
      max_col_w = std::max(max_col_w, col_x[k + 1] - col_x[k] - em * 1.2f);
    }
    const float out_cell = std::min(min_col_w / static_cast<float>(std::max(1, n_out)), em * 3.2f);
    const float avail = p1.y - p0.y - col_head;
    const float out_need = out_cell + caption + names + em * 0.8f;
    float hid_need = 0;
    for (int l = 0; l + 1 < L(); ++l) {
      int gc = 0, gr = 0;
      grid_shape(units[l], false, gc, gr);
      hid_need = std::max(hid_need, max_col_w / static_cast<float>(gc) * static_cast<float>(gr) + caption + em * 0.8f);
    }
    const float out_h = L() == 1 ? avail : std::min(avail * 0.45f, out_need);
    const float hid_h = L() > 1 ? std::min(hid_need, (avail - out_h) / static_cast<float>(L() - 1)) : 0.0f;
    const float block = col_head + out_h + hid_h * static_cast<float>(L() - 1);
    p0.y += std::max(0.0f, (p1.y - p0.y - block) * 0.4f);
    for (int k = 0; k < C; ++k) {
      const float cx = col_x[k] + em * 0.3f, cw = col_x[k + 1] - col_x[k] - em * 1.2f;
      out.titles.push_back({chans[k], {cx, p0.y}, false, cw});
      if (chans[k] == Channel::Composite) out.keys.push_back({chans[k], {{cx, p0.y + em * 1.35f}, {cx, p0.y + em * 1.35f}}, false});
      else out.keys.push_back({chans[k], {{cx, p0.y + em * 1.6f}, {cx + cw, p0.y + em * 2.2f}}, false});
    }
    float ry = p0.y + col_head;
    for (int l = 0; l < L(); ++l) {
      const float rh = l == L() - 1 ? out_h : hid_h;
      out.headers.push_back({l, {p0.x, ry + rh * 0.5f - em * 1.9f}});
      for (int k = 0; k < C; ++k) map(chans[k], l, {col_x[k], ry + em * 0.2f}, {col_x[k + 1] - em * 1.2f, ry + rh - em * 0.2f}, l == L() - 1 && k == 0);
      ry += rh;
    }
    out.rule_at = {p0.x, ry + em * 0.4f};
  }

  // Many layers: one column per layer, one row per channel with its colour key at the right.
  void by_columns(const std::vector<Channel>& chans, ImVec2 p0, ImVec2 p1) {
    const int C = static_cast<int>(chans.size());
    const float head_w = em * 6.2f, bar_w = em * 5.0f, col_head = em * 3.9f;
    const float gx = p0.x + head_w, col_w = (p1.x - bar_w - gx) / static_cast<float>(L());
    float weight_sum = 0;
    for (Channel c : chans) weight_sum += c == Channel::Composite && C > 1 ? 1.6f : 1.0f;
    const float avail = p1.y - p0.y - col_head;
    for (int l = 0; l < L(); ++l) out.headers.push_back({l, {gx + col_w * l + em * 0.3f, p0.y}});
    float ry = p0.y + col_head;
    for (int k = 0; k < C; ++k) {
      const Channel c = chans[k];
      const float rh = avail * (c == Channel::Composite && C > 1 ? 1.6f : 1.0f) / weight_sum;
      out.titles.push_back({c, {p0.x, ry + rh * 0.5f - em * 1.2f}, true, head_w});
      const float kx = p1.x - bar_w + em * 0.6f, ky0 = ry + em * 0.6f, ky1 = ry + rh - caption - em * 0.4f;
      if (c == Channel::Composite) {
        const ImVec2 at{kx, (ky0 + ky1) * 0.5f - em * 1.9f};
        out.keys.push_back({c, {at, at}, true});
      } else {
        out.keys.push_back({c, {{kx, ky0}, {kx + em * 0.8f, ky1}}, true});
      }
      for (int l = 0; l < L(); ++l) {
        const float cx = gx + col_w * l;
        map(c, l, {cx + em * 0.3f, ry}, {cx + col_w - em * 0.6f, ry + rh - em * 0.3f}, k == C - 1);
      }
      ry += rh;
    }
    out.rule_at = {p0.x, ry + em * 0.4f};
  }
};

}  // namespace

MapsLayout layout_maps(const std::vector<int>& units, const std::vector<Channel>& chans, ImVec2 p0, ImVec2 p1) {
  MapsLayout out;
  const float em = ImGui::GetFontSize();
  Placer place{units, out, em, em * 1.15f, em * 1.3f};
  const int L = static_cast<int>(units.size()), C = static_cast<int>(chans.size());
  // The scale rule is stated under the maps, which end above it.
  p1.y -= em * 1.5f;
  out.note_at = {p1.x, p1.y + em * 0.45f};
  if (L == 0 || C == 0) return out;
  // Estimated with the same margins as the arrangements themselves.
  const float w = p1.x - p0.x - em * 6.5f, hh = p1.y - p0.y - em * 3.0f;
  const float col = w / (static_cast<float>(C) + (C > 1 ? 0.45f : 0.0f)) - em * 1.2f;
  const float out_h = col / static_cast<float>(std::max(1, units[L - 1])) + place.caption + place.names + em * 0.8f;
  const float rows_cell = place.hidden_cell(col, (hh - std::min(hh * 0.45f, out_h)) / static_cast<float>(std::max(1, L - 1)) - place.caption - em * 0.8f);
  const float wc = p1.x - p0.x - em * 11.2f, hc = p1.y - p0.y - em * 3.9f;
  const float rows = static_cast<float>(C) + (C > 1 ? 0.6f : 0.0f);
  const float cols_cell = place.hidden_cell(wc / static_cast<float>(L) - em * 0.9f, hc / rows - place.caption - em * 0.3f);
  if (rows_cell >= cols_cell) place.by_rows(chans, p0, p1);
  else place.by_columns(chans, p0, p1);
  return out;
}

}  // namespace obs::eqprop_layout
