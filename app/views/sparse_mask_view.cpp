#include "views/sparse_mask_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "views/color_key.hpp"
#include "views/heatmap.hpp"

namespace obs {
namespace {

constexpr ImU32 kText = IM_COL32(228, 231, 240, 255);
constexpr ImU32 kDim = IM_COL32(150, 156, 172, 255);
constexpr ImU32 kCold = IM_COL32(40, 46, 62, 255);   // an absent weight: visibly not background
// A Warm region (probed at the planner's last cycle): a hue viridis never takes.
constexpr ImU32 kWarm = IM_COL32(255, 96, 80, 255);
constexpr ImU32 kWarmFill = IM_COL32(255, 96, 80, 190);
constexpr ImU32 kPanel = IM_COL32(20, 22, 28, 235);
constexpr ImU32 kLayerColour[] = {IM_COL32(120, 200, 255, 255), IM_COL32(255, 190, 90, 255), IM_COL32(170, 240, 140, 255),
                                  IM_COL32(240, 130, 200, 255)};

ImU32 layer_colour(int l) { return kLayerColour[static_cast<std::size_t>(l) % std::size(kLayerColour)]; }

// A share as a percentage; "-" before it is measured (NaN).
std::string percent(double v) {
  if (!std::isfinite(v)) return "\u2014";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g %%", 100 * v);
  return buf;
}

}  // namespace

void SparseMaskView::draw_snapshot(const sparse::SparseSnapshot&, int, int) {
  // Everything is drawn in overlay(): the cells are ImGui rectangles, which also appear in
  // every screenshot.
}

void SparseMaskView::overlay_snapshot(const sparse::SparseSnapshot& s, ImDrawList* dl, const ViewRect& rect) {
  const float em = ImGui::GetFontSize(), line = ImGui::GetTextLineHeightWithSpacing();
  const float pad = em * 0.6f;
  char buf[256];

  // Status: what runs, how far it is, how well it does.
  float y = rect.min.y + pad;
  std::string shape;
  for (std::size_t i = 0; i < s.layer_sizes.size(); ++i) {
    if (i) shape += '-';
    shape += std::to_string(s.layer_sizes[i]);
  }
  std::snprintf(buf, sizeof buf, "%s on %s, %s, density %s   %s", s.method.c_str(), s.dataset.c_str(), shape.c_str(),
                percent(s.density).c_str(), s.status.c_str());
  // Text never runs past the view (or under a key): it is clipped where it would.
  dl->PushClipRect(rect.min, {rect.max.x - pad, rect.max.y}, true);
  dl->AddText({rect.min.x + pad, y}, kText, buf);
  y += line;
  std::string moves = "rewiring moves " + percent(s.update_fraction);
  warm_drawn_.clear();
  if (s.method == "evidence") {
    int committed = 0;
    for (const auto& p : s.probes) committed += p.committed;
    moves = "cycle: " + std::to_string(s.probes.size()) + " probed, " + std::to_string(committed) + " committed";
  }
  std::snprintf(buf, sizeof buf, "epoch %d, batch %llu/%llu   train %s   test %s   loss %.4g   %s", s.epoch + 1,
                static_cast<unsigned long long>(s.batch), static_cast<unsigned long long>(s.batches_per_epoch),
                percent(s.train_accuracy).c_str(), percent(s.test_accuracy).c_str(), s.loss, moves.c_str());
  dl->AddText({rect.min.x + pad, y}, kDim, buf);
  dl->PopClipRect();
  y += line * 1.3f;

  // The key on the right; the layers fill the rest above the timeline.
  const float key_w = em * 7.5f, timeline_h = em * 4.2f;
  const ViewRect timeline{{rect.min.x + pad, rect.max.y - pad - timeline_h}, {rect.max.x - pad, rect.max.y - pad}};
  const ViewRect area{{rect.min.x + pad, y}, {rect.max.x - pad - key_w, timeline.min.y - pad}};
  {
    const ViewRect bar{{area.max.x + em * 1.2f, area.min.y + line * 1.6f}, {area.max.x + em * 2.2f, area.min.y + line * 1.6f + em * 8}};
    dl->AddText({area.max.x + em * 0.8f, area.min.y}, kDim, "Hot: |w|");
    draw_color_key(dl, bar, {colormap_key(gfx::Colormap::Viridis), "0", nullptr, "max", false, kDim, IM_COL32(200, 200, 210, 200)});
    const ImVec2 sw{area.max.x + em * 1.2f, bar.max.y + em * 1.2f};
    dl->AddRectFilled(sw, {sw.x + em, sw.y + em}, kCold);
    dl->AddText({sw.x + em * 1.4f, sw.y}, kDim, "Cold");
    dl->AddText({area.max.x + em * 0.8f, sw.y + line * 1.3f}, kDim, "(max per");
    dl->AddText({area.max.x + em * 0.8f, sw.y + line * 2.3f}, kDim, " layer)");
    if (s.method == "evidence") {
      const ImVec2 ww{sw.x, sw.y + line * 3.6f};
      dl->AddRectFilled(ww, {ww.x + em, ww.y + em}, kWarmFill);
      dl->AddRect(ww, {ww.x + em, ww.y + em}, kWarm);
      dl->AddText({ww.x + em * 1.4f, ww.y}, kDim, "Warm");
      dl->AddText({area.max.x + em * 0.8f, ww.y + line * 1.3f}, kDim, "(probed;");
      dl->AddText({area.max.x + em * 0.8f, ww.y + line * 2.3f}, kDim, " outline:");
      dl->AddText({area.max.x + em * 0.8f, ww.y + line * 3.3f}, kDim, " committed)");
    }
  }

  // Each layer gets a band in proportion to its picture's rows (at least three lines of cells).
  // Each layer's label first (its size decides the room left for the pictures): the name and
  // counts, and for a block picture the block size, right-aligned beside it or on a line of its own.
  const std::size_t L = s.layers.size();
  struct Label {
    std::string text, blocks;
    bool own_line = false;
  };
  std::vector<Label> labels(L);
  float label_h = 0, rows_total = 0;
  for (std::size_t l = 0; l < L; ++l) {
    const sparse::LayerPicture& p = s.layers[l];
    std::snprintf(buf, sizeof buf, "layer %zu: %d -> %d   %zu connections (%s)   %d dead unit%s", l + 1, p.cols, p.rows,
                  p.connections, percent(static_cast<double>(p.connections) / (static_cast<double>(p.rows) * p.cols)).c_str(),
                  p.dead_units, p.dead_units == 1 ? "" : "s");
    labels[l].text = buf;
    if (p.block_rows > 1 || p.block_cols > 1) {
      std::snprintf(buf, sizeof buf, "each cell: %d x %d entries", p.block_rows, p.block_cols);
      labels[l].blocks = buf;
    }
    if (p.budget > 0) {  // the planner's gauge: its text here, the bar drawn left of it
      std::snprintf(buf, sizeof buf, "%sbudget %zu/%zu  \u03b3 %.2f  cooling %zu", labels[l].blocks.empty() ? "" : "   ", p.connections,
                    p.budget, p.gamma, p.cooling);
      labels[l].blocks += buf;
    }
    if (!labels[l].blocks.empty())
      labels[l].own_line = ImGui::CalcTextSize(labels[l].text.c_str()).x + em * (p.budget > 0 ? 6 : 1) +
                               ImGui::CalcTextSize(labels[l].blocks.c_str()).x >
                           area.width();
    label_h += line * (labels[l].own_line ? 2.1f : 1.1f);
    rows_total += std::max(12.0f, static_cast<float>(p.grid_rows));  // a short layer still gets a few lines
  }
  const float room = area.height() - label_h;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool hovering = rect.contains(mouse) && !ImGui::GetIO().WantCaptureMouse;
  std::string hover;
  for (std::size_t l = 0; l < L && room > 0; ++l) {
    const sparse::LayerPicture& p = s.layers[l];
    dl->PushClipRect(area.min, {area.max.x, rect.max.y}, true);
    dl->AddText({area.min.x, y}, layer_colour(static_cast<int>(l)), labels[l].text.c_str());
    if (!labels[l].blocks.empty()) {
      if (labels[l].own_line) y += line;
      const float w = ImGui::CalcTextSize(labels[l].blocks.c_str()).x;
      const float x = std::max(area.min.x + (p.budget > 0 ? em * 5 : 0), area.max.x - w);
      dl->AddText({x, y}, kDim, labels[l].blocks.c_str());
      if (p.budget > 0) {  // the gauge: the budget's used share, red as the barrier rises
        const ImVec2 g0{x - em * 4.6f, y + em * 0.25f}, g1{x - em * 0.6f, y + em * 0.85f};
        dl->AddRectFilled(g0, g1, kCold);
        const float used = std::clamp(static_cast<float>(p.budget_use), 0.0f, 1.0f);
        dl->AddRectFilled(g0, {g0.x + (g1.x - g0.x) * used, g1.y}, used > 0.95f ? kWarm : layer_colour(static_cast<int>(l)));
      }
    }
    dl->PopClipRect();
    y += line * 1.1f;
    const float band = room * std::max(12.0f, static_cast<float>(p.grid_rows)) / rows_total;
    const float cell = std::max(0.5f, std::min(area.width() / static_cast<float>(p.grid_cols), band / static_cast<float>(p.grid_rows)));
    Heatmap map{{{area.min.x, y}, {area.min.x + cell * static_cast<float>(p.grid_cols), y + cell * static_cast<float>(p.grid_rows)}},
                p.grid_cols, p.grid_rows};
    map.gap = cell >= 5 ? ImVec2{1, 1} : ImVec2{0, 0};
    const float top = p.max_abs_w > 0 ? p.max_abs_w : 1.0f;
    const int under = draw_heatmap(dl, map, [&](int i) {
      const auto k = static_cast<std::size_t>(i);
      return p.hot_share[k] > 0 ? colormap_colour(gfx::Colormap::Viridis, p.mean_abs_w[k], 0.0f, top) : kCold;
    }, hovering ? mouse : ImVec2{-1e9f, -1e9f});
    // The planner's Warm regions of this layer: each a strip of one unit's inputs.
    bool over_probe = false;
    for (const sparse::Probe& pr : s.probes) {
      if (pr.layer != static_cast<int>(l)) continue;
      const int row_cell = pr.row / p.block_rows;
      const ViewRect a = map.cell(row_cell * p.grid_cols + pr.col0 / p.block_cols);
      const ViewRect b = map.cell(row_cell * p.grid_cols + (pr.col1 - 1) / p.block_cols);
      const ImVec2 lo{a.min.x - 1, a.min.y - 1}, hi{std::max(b.max.x, a.min.x + 3) + 1, std::max(a.max.y, a.min.y + 3) + 1};
      warm_drawn_.push_back({lo, hi});
      if (!pr.committed) dl->AddRectFilled(lo, hi, kWarmFill);
      dl->AddRect(lo, hi, kWarm, 0, 0, pr.committed ? 2.0f : 1.0f);
      if (hovering && mouse.x >= lo.x && mouse.x < hi.x && mouse.y >= lo.y && mouse.y < hi.y) {
        std::snprintf(buf, sizeof buf, "Warm region, layer %zu, unit %d, inputs %d-%d (%d Cold): SNR %.3g, gain %.3g \u00b1 %.2g, wins %.0f %%, %s",
                      l + 1, pr.row, pr.col0, pr.col1 - 1, pr.tokens, pr.snr, pr.gain, pr.spread, 100 * pr.win_rate,
                      pr.committed ? "committed (Hot)" : "not committed");
        hover = buf;
        over_probe = true;
      }
    }
    if (under >= 0 && !over_probe) {
      const auto k = static_cast<std::size_t>(under);
      const int r0 = under / p.grid_cols * p.block_rows, c0 = under % p.grid_cols * p.block_cols;
      const int r1 = std::min(p.rows, r0 + p.block_rows) - 1, c1 = std::min(p.cols, c0 + p.block_cols) - 1;
      const int entries = (r1 - r0 + 1) * (c1 - c0 + 1);
      const int hot = static_cast<int>(std::lround(p.hot_share[k] * static_cast<float>(entries)));
      std::snprintf(buf, sizeof buf, "layer %zu, unit%s %d%s%s, input%s %d%s%s: %d of %d Hot, mean |w| %.3g", l + 1,
                    r1 > r0 ? "s" : "", r0, r1 > r0 ? "-" : "", r1 > r0 ? std::to_string(r1).c_str() : "", c1 > c0 ? "s" : "", c0,
                    c1 > c0 ? "-" : "", c1 > c0 ? std::to_string(c1).c_str() : "", hot, entries, p.mean_abs_w[k]);
      hover = buf;
      const ViewRect c = map.cell(under);
      dl->AddRect(c.min, c.max, IM_COL32(255, 255, 255, 230));
    }
    y += band;
  }

  draw_timeline(dl, s, timeline);
  hovered_ = hover;
  if (!hover.empty()) {
    const ImVec2 size = ImGui::CalcTextSize(hover.c_str());
    ImVec2 at{mouse.x + em, mouse.y + em};
    at.x = std::min(at.x, rect.max.x - size.x - em * 0.6f);
    at.y = std::min(at.y, rect.max.y - size.y - em * 0.6f);
    dl->AddRectFilled({at.x - 4, at.y - 3}, {at.x + size.x + 4, at.y + size.y + 3}, kPanel, 3);
    dl->AddText(at, kText, hover.c_str());
  }
}

void SparseMaskView::draw_timeline(ImDrawList* dl, const sparse::SparseSnapshot& s, const ViewRect& r) const {
  const float em = ImGui::GetFontSize();
  dl->AddRectFilled(r.min, r.max, kPanel, 4);
  const ImVec2 title{r.min.x + em * 0.5f, r.min.y + em * 0.2f};
  if (s.rewires.empty()) {
    dl->AddText(title, kDim, s.method == "static" ? "rewirings: none (a static network keeps its random start)" : "rewirings: none yet");
    return;
  }
  char buf[200];
  const auto& last = s.rewires.back();
  int moved = 0, pruned = 0, probed = 0, splits = 0, merges = 0;
  for (const auto& e : s.rewires) {
    splits += e.splits;
    merges += e.merges;
    if (e.step == last.step) {
      moved += e.grown;
      pruned += e.pruned;
      probed += e.probed;
    }
  }
  std::string twins;
  if (splits > 0) twins = "; " + std::to_string(splits) + " split, " + std::to_string(merges) + " merged back";
  if (s.method == "evidence")
    std::snprintf(buf, sizeof buf, "planner, steps %llu to %llu: grown per layer (step %llu: %d probed, %d grown, %d to Cold)%s",
                  static_cast<unsigned long long>(s.rewires.front().step), static_cast<unsigned long long>(last.step),
                  static_cast<unsigned long long>(last.step), probed, moved, pruned, twins.c_str());
  else
    std::snprintf(buf, sizeof buf, "rewirings, steps %llu to %llu: connections moved per layer (last: %d at step %llu)",
                  static_cast<unsigned long long>(s.rewires.front().step), static_cast<unsigned long long>(last.step), moved,
                  static_cast<unsigned long long>(last.step));
  dl->PushClipRect(r.min, r.max, true);
  dl->AddText(title, kDim, buf);
  dl->PopClipRect();
  const ImVec2 a{r.min.x + em * 0.5f, r.min.y + em * 1.6f}, b{r.max.x - em * 0.5f, r.max.y - em * 0.3f};
  const double first = static_cast<double>(s.rewires.front().step), span = std::max(1.0, static_cast<double>(last.step) - first);
  int most = 1;
  for (const auto& e : s.rewires) most = std::max(most, e.grown);
  // One tick per event, its height the share of the largest move, layers side by side.
  const float lane = 2.0f;
  for (const auto& e : s.rewires) {
    const float x = a.x + static_cast<float>((static_cast<double>(e.step) - first) / span) * (b.x - a.x - lane * 4) + lane * static_cast<float>(e.layer);
    const float h = (b.y - a.y) * static_cast<float>(e.grown) / static_cast<float>(most);
    dl->AddRectFilled({x, b.y - std::max(1.0f, h)}, {x + lane, b.y}, layer_colour(e.layer));
    // A split: a white dot over its layer's tick; a merge back: a red one.
    if (e.splits) dl->AddCircleFilled({x + lane / 2, a.y + 2}, 2.5f, kText);
    if (e.merges) dl->AddCircleFilled({x + lane / 2, a.y + 8}, 2.5f, kWarm);
  }
}

}  // namespace obs
