#include "views/sparse_mask_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "input/ui_marks.hpp"
#include "views/color_key.hpp"
#include "views/heatmap.hpp"
#include "views/series_plot.hpp"

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

// The curves: this network, then SET and RigL (the order of the history's columns).
constexpr ImU32 kRunColour[] = {IM_COL32(235, 238, 245, 255), IM_COL32(255, 150, 60, 255), IM_COL32(110, 215, 120, 255)};
// The inspector's weights: positive blue, negative red, by |w| over the unit's largest.
constexpr ImU32 kPositive = IM_COL32(80, 160, 255, 255), kNegative = IM_COL32(255, 100, 80, 255);

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
  const float key_w = em * 7.5f, timeline_h = em * 4.2f, curves_h = s.baselines.empty() ? 0.0f : em * 7.0f;
  const ViewRect timeline{{rect.min.x + pad, rect.max.y - pad - timeline_h}, {rect.max.x - pad, rect.max.y - pad}};
  const ViewRect curves{{rect.min.x + pad, timeline.min.y - pad - curves_h}, {rect.max.x - pad, timeline.min.y - pad}};
  const ViewRect area{{rect.min.x + pad, y}, {rect.max.x - pad - key_w, (curves_h > 0 ? curves.min.y : timeline.min.y) - pad}};
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
    std::snprintf(buf, sizeof buf, "layer %zu%s: %d -> %d   %zu connections (%s)   %d dead unit%s", l + 1, p.nascent ? " (nascent)" : "",
                  p.cols, p.rows, p.connections, percent(static_cast<double>(p.connections) / (static_cast<double>(p.rows) * p.cols)).c_str(),
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
  hovered_unit_ = {};
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
    if (selected_.layer == static_cast<int>(l) && inspector_open_ && selected_.unit < p.rows) {  // the inspected unit's row
      const ViewRect a = map.cell(selected_.unit / p.block_rows * p.grid_cols), b = map.cell(selected_.unit / p.block_rows * p.grid_cols + p.grid_cols - 1);
      dl->AddRect({a.min.x - 2, a.min.y - 2}, {b.max.x + 2, b.max.y + 2}, kText, 0, 0, 1.5f);
    }
    if (under >= 0 && !over_probe) {
      const auto k = static_cast<std::size_t>(under);
      const int r0 = under / p.grid_cols * p.block_rows, c0 = under % p.grid_cols * p.block_cols;
      const int r1 = std::min(p.rows, r0 + p.block_rows) - 1, c1 = std::min(p.cols, c0 + p.block_cols) - 1;
      {  // the unit a click would pick: the row under the mouse within the cell's block
        const ViewRect c = map.cell(under);
        const float t = std::clamp((mouse.y - c.min.y) / std::max(1.0f, c.height()), 0.0f, 0.999f);
        hovered_unit_ = {static_cast<int>(l), std::min(r1, r0 + static_cast<int>(t * static_cast<float>(r1 - r0 + 1)))};
      }
      const int entries = (r1 - r0 + 1) * (c1 - c0 + 1);
      const int hot = static_cast<int>(std::lround(p.hot_share[k] * static_cast<float>(entries)));
      std::snprintf(buf, sizeof buf, "layer %zu, unit%s %d%s%s, input%s %d%s%s: %d of %d Hot, mean |w| %.3g (click: inspect unit %d)", l + 1,
                    r1 > r0 ? "s" : "", r0, r1 > r0 ? "-" : "", r1 > r0 ? std::to_string(r1).c_str() : "", c1 > c0 ? "s" : "", c0,
                    c1 > c0 ? "-" : "", c1 > c0 ? std::to_string(c1).c_str() : "", hot, entries, p.mean_abs_w[k], hovered_unit_.unit);
      hover = buf;
      const ViewRect c = map.cell(under);
      dl->AddRect(c.min, c.max, IM_COL32(255, 255, 255, 230));
    }
    y += band;
  }

  curves_drawn_ = {};
  if (curves_h > 0) draw_curves(dl, s, curves);
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
    // A nascent layer inserted after this layer: a white square; removed: a red one.
    if (e.nascent) dl->AddRectFilled({x - 2, a.y + 12}, {x + lane + 2, a.y + 16 + lane}, e.nascent > 0 ? kText : kWarm);
  }
}

void SparseMaskView::draw_curves(ImDrawList* dl, const sparse::SparseSnapshot& s, const ViewRect& r) {
  const float em = ImGui::GetFontSize(), gap = em * 0.8f;
  curves_drawn_ = r;
  const std::string names[3] = {s.method, s.baselines.size() > 0 ? s.baselines[0].name : "SET", s.baselines.size() > 1 ? s.baselines[1].name : "RigL"};
  const double test_now[3] = {s.test_accuracy, s.baselines.size() > 0 ? s.baselines[0].test_accuracy : NAN,
                              s.baselines.size() > 1 ? s.baselines[1].test_accuracy : NAN};
  const double density_now[3] = {s.density, s.baselines.size() > 0 ? s.baselines[0].density : NAN, s.baselines.size() > 1 ? s.baselines[1].density : NAN};
  const float split = r.min.x + (r.width() - gap) * 0.62f;
  const ViewRect panels[2] = {{r.min, {split, r.max.y}}, {{split + gap, r.min.y}, r.max}};
  const char* titles[2] = {"test accuracy", "density"};
  const std::span<const double> xs = history_.steps;
  char buf[96];
  for (int k = 0; k < 2; ++k) {
    const ViewRect& p = panels[k];
    dl->AddRectFilled(p.min, p.max, kPanel, 4);
    dl->PushClipRect(p.min, p.max, true);
    // Title, then each run's value now in its colour (the legend); in a narrow panel the values
    // alone, their colours naming the runs, rather than a legend cut at the edge.
    std::string entries[3];
    float width = ImGui::CalcTextSize(titles[k]).x + em * 1.5f;
    for (int pass = 0; pass < 2; ++pass) {
      width = ImGui::CalcTextSize(titles[k]).x + em * 1.5f;
      for (int run = 0; run < 3; ++run) {
        const std::string value = percent(k == 0 ? test_now[run] : density_now[run]);
        entries[run] = pass == 0 ? names[run] + " " + value : value;
        width += ImGui::CalcTextSize(entries[run].c_str()).x + em;
      }
      if (width <= p.width()) break;
    }
    float x = p.min.x + em * 0.5f;
    const float ty = p.min.y + em * 0.2f;
    dl->AddText({x, ty}, kDim, titles[k]);
    x += ImGui::CalcTextSize(titles[k]).x + em;
    for (int run = 0; run < 3; ++run) {
      dl->AddText({x, ty}, kRunColour[run], entries[run].c_str());
      x += ImGui::CalcTextSize(entries[run].c_str()).x + em;
    }
    const float label_w = ImGui::CalcTextSize("100.0 %").x + em * 0.8f;  // the scale's labels, right of the plot
    const ViewRect plot{{p.min.x + em * 0.5f, p.min.y + em * 1.6f}, {p.max.x - label_w, p.max.y - em * 1.4f}};
    const std::span<const double> ys[3] = {history_.columns[static_cast<std::size_t>(3 * k)], history_.columns[static_cast<std::size_t>(3 * k + 1)],
                                           history_.columns[static_cast<std::size_t>(3 * k + 2)]};
    const SeriesRange range = common_range({ys[0], ys[1], ys[2]}, /*from_zero=*/k == 1);
    dl->AddLine({plot.min.x, plot.max.y}, plot.max, IM_COL32(70, 74, 88, 255));
    if (!range.drawn) {
      dl->AddText({plot.min.x, plot.min.y + em * 0.4f}, kDim, k == 0 ? "measured at the end of each epoch" : "not measured yet");
    } else {
      // The baselines first, this network on top.
      for (int run = 2; run >= 0; --run) draw_series(dl, plot, ys[run], xs, {kRunColour[run], run == 0 ? 2.0f : 1.4f, false, &range});
      std::snprintf(buf, sizeof buf, k == 0 ? "%.1f %%" : "%.2f %%", 100 * range.hi);
      dl->AddText({plot.max.x + em * 0.3f, plot.min.y - em * 0.5f}, kDim, buf);
      if (!range.constant) {
        std::snprintf(buf, sizeof buf, k == 0 ? "%.1f %%" : "%.2f %%", 100 * range.lo);
        dl->AddText({plot.max.x + em * 0.3f, plot.max.y - em * 0.6f}, kDim, buf);
      }
    }
    if (!xs.empty()) {
      std::snprintf(buf, sizeof buf, "step %.0f .. %.0f", xs.front(), xs.back());
      dl->AddText({plot.min.x, plot.max.y + em * 0.1f}, kDim, buf);
    }
    dl->PopClipRect();
  }
}

void SparseMaskView::handle_mouse(const ImGuiIO&, const ViewRect&) {
  // The unit under the mouse at the last frame is the one a click picks.
  if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && hovered_unit_.layer >= 0) {
    selected_ = hovered_unit_;
    inspector_open_ = true;
  }
}

void SparseMaskView::windows_snapshot(const sparse::SparseSnapshot& s, const ViewRect& rect) {
  if (!inspector_open_) return;
  if (selected_.layer < 0 || static_cast<std::size_t>(selected_.layer) >= s.structure.size()) {
    inspector_open_ = false;  // its layer is gone (a restart with fewer layers)
    return;
  }
  const float em = ImGui::GetFontSize();
  ImGui::SetNextWindowPos({rect.max.x - em * 22.0f, rect.min.y + em * 4.0f}, ImGuiCond_Appearing);
  char title[64];
  std::snprintf(title, sizeof title, "layer %d, unit %d###sparse unit", selected_.layer + 1, selected_.unit);
  if (ImGui::Begin(title, &inspector_open_, ImGuiWindowFlags_AlwaysAutoResize)) inspector(s);
  ImGui::End();
}

void SparseMaskView::inspector(const sparse::SparseSnapshot& s) {
  const float em = ImGui::GetFontSize();
  const auto l = static_cast<std::size_t>(selected_.layer);
  const sparse::LayerStructure& st = s.structure[l];
  const sparse::LayerPicture& p = s.layers[l];
  selected_.unit = std::clamp(selected_.unit, 0, p.rows - 1);  // a merge may have narrowed the layer
  const auto u = static_cast<std::size_t>(selected_.unit);
  if (ImGui::SmallButton("<")) selected_.unit = std::max(0, selected_.unit - 1);
  ui::mark("sparse/unit/prev");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the unit before");
  ImGui::SameLine();
  if (ImGui::SmallButton(">")) selected_.unit = std::min(p.rows - 1, selected_.unit + 1);
  ui::mark("sparse/unit/next");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the unit after");
  ImGui::SameLine();
  ImGui::Text("unit %d of %d, layer %zu (%d -> %d)", selected_.unit, p.rows, l + 1, p.cols, p.rows);

  const std::uint32_t first = st.row_start[u], last = st.row_start[u + 1];
  float largest = 0, sum = 0;
  for (std::uint32_t k = first; k < last; ++k) {
    largest = std::max(largest, std::abs(st.value[k]));
    sum += std::abs(st.value[k]);
  }
  const std::uint32_t n_in = last - first;
  std::size_t n_out = 0;
  if (l + 1 < s.structure.size())
    n_out = static_cast<std::size_t>(std::count(s.structure[l + 1].col.begin(), s.structure[l + 1].col.end(), static_cast<std::uint32_t>(u)));
  ImGui::Text("reads %u of %d inputs (%s), mean |w| %.3g, bias %+.3g", n_in, p.cols,
              percent(static_cast<double>(n_in) / std::max(1, p.cols)).c_str(), n_in ? sum / static_cast<float>(n_in) : 0.0f, st.bias[u]);
  if (l + 1 < s.structure.size()) ImGui::Text("feeds %zu of %d units of layer %zu", n_out, s.layers[l + 1].rows, l + 2);
  else ImGui::Text("an output: the logit of class %zu", u);

  // Its incoming weights laid out as its inputs are: a square image when they are one (28 x 28
  // for Fashion-MNIST's first layer, 8 x 8 for the patterns), else rows of 32.
  const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(p.cols))));
  const int w = side * side == p.cols ? side : std::min(p.cols, 32), h = (p.cols + w - 1) / w;
  const float cell = std::clamp(em * 16 / static_cast<float>(w), 2.0f, em);
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(o, {o.x + cell * static_cast<float>(w), o.y + cell * static_cast<float>(h)}, kCold);
  for (std::uint32_t k = first; k < last; ++k) {
    const auto c = static_cast<int>(st.col[k]);
    const float t = largest > 0 ? std::abs(st.value[k]) / largest : 0.0f;
    const ImU32 hue = st.value[k] >= 0 ? kPositive : kNegative;
    const ImU32 colour = (hue & 0x00ffffffu) | (static_cast<ImU32>(70 + 185 * t) << IM_COL32_A_SHIFT);
    const ImVec2 a{o.x + cell * static_cast<float>(c % w), o.y + cell * static_cast<float>(c / w)};
    dl->AddRectFilled(a, {a.x + cell, a.y + cell}, colour);
  }
  ImGui::Dummy({cell * static_cast<float>(w), cell * static_cast<float>(h)});
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int c = static_cast<int>((m.x - o.x) / cell) + w * static_cast<int>((m.y - o.y) / cell);
    const auto at = std::lower_bound(st.col.begin() + first, st.col.begin() + last, static_cast<std::uint32_t>(c));
    if (at != st.col.begin() + last && *at == static_cast<std::uint32_t>(c))
      ImGui::SetTooltip("input %d: w = %+.4g", c, st.value[static_cast<std::size_t>(at - st.col.begin())]);
    else if (c < p.cols)
      ImGui::SetTooltip("input %d: Cold (no connection)", c);
  }
  ImGui::TextDisabled("blue w > 0, red w < 0 (brighter: larger |w|), dark: Cold");

  ImGui::Separator();
  const std::uint32_t e0 = st.event_start[u], e1 = st.event_start[u + 1];
  if (e0 == e1) {
    ImGui::TextDisabled(s.method == "static" ? "no rewirings (a static network keeps its start)" : "no rewiring has touched its inputs yet");
    return;
  }
  ImGui::Text("its last %u rewiring%s (newest first):", e1 - e0, e1 - e0 == 1 ? "" : "s");
  for (std::uint32_t e = e1; e-- > e0;) {
    const sparse::UnitEvent& ev = st.events[e];
    ImGui::Text("step %-8llu +%u in, -%u out, %u after", static_cast<unsigned long long>(ev.step), ev.grown, ev.pruned, ev.connections);
  }
}

}  // namespace obs
