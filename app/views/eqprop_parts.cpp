#include "views/eqprop_parts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "views/eqprop_palette.hpp"
#include "views/heatmap.hpp"

namespace obs::eqprop_parts {
namespace pal = eqprop_palette;
namespace {

// Text laid out left to right, wrapping to a new line when the next item would not fit.
struct Flow {
  ImDrawList* dl;
  float x0, x, y, right, line_h;
  void gap(float w) { x += w; }
  void newline() {
    x = x0;
    y += line_h;
  }
  void text(const char* t, ImU32 color) {
    const float w = ImGui::CalcTextSize(t).x;
    if (x > x0 && x + w > right) newline();
    dl->AddText({x, y}, color, t);
    x += w;
  }
};

// "784-512-10"; a run of three or more equal layers is written once with its count
// ("784-512Ã" "200-10"), so a deep net's title fits the view.
std::string architecture(const std::vector<int>& sizes) {
  std::string a;
  for (std::size_t i = 0; i < sizes.size();) {
    std::size_t j = i;
    while (j < sizes.size() && sizes[j] == sizes[i]) ++j;
    if (i) a.push_back('-');
    a.append(std::to_string(sizes[i]));
    if (j - i >= 3) {
      a.append("\xc3\x97");  // U+00D7 multiplication sign
      a.append(std::to_string(j - i));
    } else {
      for (std::size_t k = i + 1; k < j; ++k) {
        a.push_back('-');
        a.append(std::to_string(sizes[k]));
      }
    }
    i = j;
  }
  return a;
}

ImU32 mix(ImU32 a, ImU32 b, float t) {
  const ImVec4 x = ImGui::ColorConvertU32ToFloat4(a), y = ImGui::ColorConvertU32ToFloat4(b);
  return ImGui::ColorConvertFloat4ToU32({x.x + (y.x - x.x) * t, x.y + (y.y - x.y) * t, x.z + (y.z - x.z) * t, 1.0f});
}

}  // namespace

float draw_status(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 at, float width) {
  const float em = ImGui::GetFontSize();
  char buf[256];
  // Title in a larger size of the UI font.
  std::string algo = s.algorithm == "backprop" ? "Backprop baseline" : "Equilibrium propagation";
  if (!s.feedback.empty()) algo += ", " + s.feedback + " feedback";
  if (s.osc_period > 0 && s.algorithm != "backprop") algo += ", single-phase (oscillating nudge)";
  if (s.ternary) algo += ", ternary weights";
  std::snprintf(buf, sizeof buf, "%s  \xc2\xb7  %s  \xc2\xb7  %s", algo.c_str(), s.dataset.c_str(), architecture(s.layer_sizes).c_str());
  dl->AddText(ImGui::GetFont(), em * 1.2f, at, pal::kText, buf);
  const float title_w = ImGui::GetFont()->CalcTextSizeA(em * 1.2f, 1e9f, 0.0f, buf).x;
  dl->AddText({at.x + title_w + em, at.y + em * 0.15f}, pal::kDim, s.status.c_str());

  Flow fl{dl, at.x, at.x, at.y + em * 1.6f, at.x + width, em * 1.35f};
  // The epoch under way (1-based); once training has finished, the last one completed.
  const bool finished = s.status.rfind("finished", 0) == 0;
  std::snprintf(buf, sizeof buf, "epoch %d", finished ? s.epoch : s.epoch + 1);
  fl.text(buf, pal::kText);
  fl.gap(em * 0.6f);
  // Progress inside the current epoch.
  const float bar_w = em * 8, bar_h = em * 0.6f;
  if (fl.x + bar_w > fl.right) fl.newline();
  const double frac = s.batches_per_epoch ? std::clamp(static_cast<double>(s.batch) / static_cast<double>(s.batches_per_epoch), 0.0, 1.0) : 0.0;
  const ImVec2 b0{fl.x, fl.y + (em - bar_h) * 0.5f + 1}, b1{fl.x + bar_w, b0.y + bar_h};
  dl->AddRectFilled(b0, b1, pal::kPanel, 2);
  dl->AddRectFilled(b0, {b0.x + bar_w * static_cast<float>(frac), b1.y}, IM_COL32(90, 170, 120, 255), 2);
  dl->AddRect(b0, b1, pal::kFrame, 2);
  fl.gap(bar_w + em * 0.4f);
  std::snprintf(buf, sizeof buf, "%llu/%llu", static_cast<unsigned long long>(s.batch), static_cast<unsigned long long>(s.batches_per_epoch));
  fl.text(buf, pal::kDim);
  auto item = [&](const char* name, const char* value, ImU32 color) {
    fl.gap(em * 1.1f);
    const float w = ImGui::CalcTextSize(name).x + ImGui::CalcTextSize(value).x + em * 0.3f;
    if (fl.x + w > fl.right) fl.newline();
    fl.text(name, pal::kDim);
    fl.gap(em * 0.3f);
    fl.text(value, color);
  };
  std::snprintf(buf, sizeof buf, "%.4f", s.loss);
  item("loss", buf, pal::kText);
  std::snprintf(buf, sizeof buf, "%.1f %%", 100 * s.train_accuracy);
  item("train", buf, pal::kText);
  if (s.epoch > 0 || s.test_accuracy > 0) std::snprintf(buf, sizeof buf, "%.1f %%", 100 * s.test_accuracy);
  else std::snprintf(buf, sizeof buf, "after epoch 1");
  item("test", buf, IM_COL32(140, 220, 160, 255));
  std::snprintf(buf, sizeof buf, "%.3f", s.lipschitz);
  item("Lipschitz L", buf, s.lipschitz < 1.0 ? pal::kText : IM_COL32(255, 140, 90, 255));
  if (s.algorithm != "backprop") {
    std::snprintf(buf, sizeof buf, "%.3g", s.beta);
    item("beta", buf, pal::kText);
    if (s.osc_period > 0) {  // one orbit of fixed length: nothing settles during training
      std::snprintf(buf, sizeof buf, "%d sweeps", s.osc_sweeps);
      item("orbit", buf, pal::kText);
    } else {
      std::snprintf(buf, sizeof buf, "%.1f sweeps", s.mean_settling_steps);
      item("settling", buf, pal::kText);
    }
  }
  if (!s.alignment.empty()) {
    fl.newline();
    fl.text("EP vs backprop", pal::kDim);
    for (std::size_t l = 0; l < s.alignment.size(); ++l) {
      const auto& a = s.alignment[l];
      fl.gap(em * 1.1f);
      std::snprintf(buf, sizeof buf, "W%zu: cos %.3f  err %.3f  sign %.0f%%", l + 1, a.cosine, a.normalised_error, 100 * a.sign_agreement);
      // Green at the design's bar (cosine > 0.95), amber below.
      fl.text(buf, a.cosine > 0.95 ? IM_COL32(140, 220, 160, 255) : IM_COL32(240, 190, 100, 255));
    }
  }
  return fl.y + fl.line_h - at.y;
}

namespace {
// Where a 2-D point lands on the decision map of this side drawn at o: the engine's map spans
// [-1.5, 1.5]^2, row 0 at the top (largest y).
ImVec2 map_pixel(ImVec2 o, float side, float x, float y) { return {o.x + (x + 1.5f) / 3.0f * side, o.y + (1.5f - y) / 3.0f * side}; }
}  // namespace

void draw_input(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1) {
  const float side = std::min(p1.x - p0.x, p1.y - p0.y);
  if (side < 8) return;
  if (s.map_res > 0 && static_cast<int>(s.decision_map.size()) == s.map_res * s.map_res) {
    const ImVec2 o{p0.x, p0.y};
    draw_heatmap(dl, {{o, {o.x + side, o.y + side}}, s.map_res, s.map_res},
                 [&](int i) { return mix(pal::kPanel, pal::class_color(s.decision_map[static_cast<std::size_t>(i)]), 0.38f); });
    const auto to_px = [&](float x, float y) { return map_pixel(o, side, x, y); };
    const float rad = std::max(1.5f, side / 160.0f);
    for (std::size_t i = 0; i + 1 < s.points.size() && i / 2 < s.point_labels.size(); i += 2) {
      const ImVec2 q = to_px(s.points[i], s.points[i + 1]);
      if (q.x < p0.x || q.y < p0.y || q.x > p0.x + side || q.y > p0.y + side) continue;
      dl->AddCircleFilled(q, rad + 0.8f, IM_COL32(10, 10, 14, 200), 10);
      dl->AddCircleFilled(q, rad, pal::class_color(s.point_labels[i / 2]), 10);
    }
    if (s.input.size() >= 2) {
      const ImVec2 q = to_px(s.input[0], s.input[1]);
      dl->AddCircle(q, rad * 4.5f, IM_COL32(10, 10, 14, 255), 24, 4.0f);
      dl->AddCircle(q, rad * 4.5f, IM_COL32(255, 255, 255, 255), 24, 2.0f);
    }
    dl->AddRect(p0, {p0.x + side, p0.y + side}, pal::kFrame);
    return;
  }
  const int rows = std::max(1, s.input_rows), cols = std::max(1, s.input_cols);
  if (static_cast<int>(s.input.size()) < rows * cols) return;
  const float cell = std::min((p1.x - p0.x) / cols, (p1.y - p0.y) / rows);
  draw_heatmap(dl, {{p0, {p0.x + cols * cell, p0.y + rows * cell}}, cols, rows},
               [&](int i) { return colormap_colour(gfx::Colormap::Grey, s.input[static_cast<std::size_t>(i)], 0, 1); });
  dl->AddRect(p0, {p0.x + cols * cell, p0.y + rows * cell}, pal::kFrame);
}

float output_bars_height(int n, float box_height) {
  const float em = ImGui::GetFontSize();
  return n > 0 ? std::min(em * 1.5f, box_height / static_cast<float>(n)) * static_cast<float>(n) + em * 1.5f : 0.0f;
}

void draw_output_bars(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1) {
  const int n = static_cast<int>(s.output_free.size());
  if (n == 0) return;
  const float em = ImGui::GetFontSize();
  const float row = std::min(em * 1.5f, (p1.y - p0.y) / static_cast<float>(n));
  if (row < em * 0.6f) return;
  float name_w = 0;
  for (int k = 0; k < n; ++k)
    if (k < static_cast<int>(s.class_names.size())) name_w = std::max(name_w, ImGui::CalcTextSize(s.class_names[k].c_str()).x);
  name_w = std::min(name_w + em * 1.4f, (p1.x - p0.x) * 0.5f);
  // Axis from the smallest to the largest output (hard-sigmoid: [0, 1]; tanh may go negative).
  float lo = 0, hi = 1;
  for (int k = 0; k < n; ++k) {
    for (float v : {s.output_free[k], k < static_cast<int>(s.output_nudged.size()) ? s.output_nudged[k] : 0.0f})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  const float x0 = p0.x + name_w, x1 = p1.x - em * 2.6f;
  auto xpix = [&](float v) { return x0 + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (x1 - x0); };
  const float zero = xpix(0.0f);
  for (int k = 0; k < n; ++k) {
    const float y = p0.y + k * row;
    const bool is_label = k == s.label, is_pred = k == s.predicted;
    if (is_label) dl->AddRectFilled({p0.x, y}, {p1.x, y + row}, IM_COL32(60, 110, 70, 70), 3);
    const char* name = k < static_cast<int>(s.class_names.size()) ? s.class_names[k].c_str() : "?";
    dl->AddText({p0.x + em * 1.1f, y + (row - em) * 0.5f}, is_label ? pal::kText : pal::kDim, name);
    if (is_pred) dl->AddTriangleFilled({p0.x + em * 0.2f, y + row * 0.5f - em * 0.35f}, {p0.x + em * 0.2f, y + row * 0.5f + em * 0.35f},
                                       {p0.x + em * 0.8f, y + row * 0.5f}, is_label ? IM_COL32(140, 220, 160, 255) : IM_COL32(255, 120, 90, 255));
    const float vf = s.output_free[k];
    const float vn = k < static_cast<int>(s.output_nudged.size()) ? s.output_nudged[k] : vf;
    const float h = row * 0.32f;
    dl->AddRectFilled({x0, y + row * 0.14f}, {x1, y + row * 0.86f}, IM_COL32(30, 32, 40, 255), 2);
    if (std::isfinite(vf)) dl->AddRectFilled({std::min(zero, xpix(vf)), y + row * 0.16f}, {std::max(zero, xpix(vf)), y + row * 0.16f + h}, pal::kFreeTint, 2);
    if (std::isfinite(vn)) dl->AddRectFilled({std::min(zero, xpix(vn)), y + row * 0.52f}, {std::max(zero, xpix(vn)), y + row * 0.52f + h}, pal::kNudgeTint, 2);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", vf);
    dl->AddText({x1 + em * 0.3f, y + (row - em) * 0.5f}, std::isfinite(vf) ? pal::kDim : pal::kNonFinite, buf);
  }
  // Legend under the bars.
  const float ly = p0.y + n * row + em * 0.3f;
  if (ly + em < p1.y + em * 1.5f) {
    float x = p0.x + em * 0.2f;
    auto key = [&](ImU32 c, const char* t) {
      dl->AddRectFilled({x, ly + em * 0.3f}, {x + em * 0.9f, ly + em * 0.7f}, c, 2);
      x += em * 1.2f;
      dl->AddText({x, ly}, pal::kDim, t);
      x += ImGui::CalcTextSize(t).x + em * 0.9f;
    };
    key(pal::kFreeTint, "free");
    key(pal::kNudgeTint, "nudged");
    dl->AddRectFilled({x, ly + em * 0.1f}, {x + em * 0.9f, ly + em * 0.9f}, IM_COL32(60, 110, 70, 160), 2);
    x += em * 1.2f;
    dl->AddText({x, ly}, pal::kDim, "label");
    x += ImGui::CalcTextSize("label").x + em * 0.9f;
    dl->AddTriangleFilled({x, ly + em * 0.15f}, {x, ly + em * 0.85f}, {x + em * 0.6f, ly + em * 0.5f}, pal::kDim);
    dl->AddText({x + em * 0.9f, ly}, pal::kDim, "prediction");
  }
}

void draw_sparkline(ImDrawList* dl, ImVec2 p0, ImVec2 p1, std::span<const float> ys, ImU32 color, int boundary, int playhead,
                    bool log10, const char* label) {
  const float em = ImGui::GetFontSize();
  dl->AddRectFilled(p0, p1, pal::kPanel, 3);
  const int n = static_cast<int>(ys.size());
  auto xpix = [&](float f) { return p0.x + 3 + (n > 1 ? f / static_cast<float>(n - 1) : 0.5f) * (p1.x - p0.x - 6); };
  if (boundary > 0 && boundary < n) {
    const float xb = xpix(static_cast<float>(boundary) - 0.5f);
    dl->AddRectFilled({xb, p0.y}, p1, IM_COL32(40, 60, 100, 90), 3);
  }
  float lo = INFINITY, hi = -INFINITY;
  auto value = [&](float v) { return log10 ? (v > 0 ? std::log10(v) : NAN) : v; };
  for (float y : ys)
    if (const float v = value(y); std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (lo <= hi) {
    // A flat trace is drawn mid-height and labelled with its one value, not a padded range.
    const bool flat = hi - lo < 1e-9f;
    const float value_at = lo;
    if (flat) lo -= 0.5f, hi += 0.5f;
    const float top = p0.y + em * 1.1f, bottom = p1.y - 3;
    ImVec2 prev{-1, -1};
    for (int i = 0; i < n; ++i) {
      const float v = value(ys[i]);
      if (!std::isfinite(v)) {
        prev = {-1, -1};
        continue;
      }
      const ImVec2 q{xpix(static_cast<float>(i)), bottom - (v - lo) / (hi - lo) * (bottom - top)};
      if (prev.x >= 0) dl->AddLine(prev, q, color, 1.6f);
      prev = q;
    }
    char buf[48];
    if (flat) std::snprintf(buf, sizeof buf, log10 ? "constant 1e%.1f" : "constant %.3g", value_at);
    else std::snprintf(buf, sizeof buf, log10 ? "1e%.1f..1e%.1f" : "%.3g..%.3g", lo, hi);
    dl->AddText({p1.x - ImGui::CalcTextSize(buf).x - 4, p0.y + 1}, pal::kFaint, buf);
  }
  if (playhead >= 0 && playhead < n) dl->AddLine({xpix(static_cast<float>(playhead)), p0.y}, {xpix(static_cast<float>(playhead)), p1.y}, IM_COL32(255, 255, 255, 180));
  dl->AddText({p0.x + 4, p0.y + 1}, color, label);
}

void draw_oracle(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1) {
  const auto& right = s.settle_hist_right;
  const auto& wrong = s.settle_hist_wrong;
  int n_right = 0, n_wrong = 0, first = -1, last = 0;
  for (std::size_t k = 0; k < right.size() && k < wrong.size(); ++k) {
    n_right += right[k];
    n_wrong += wrong[k];
    if (right[k] || wrong[k]) {
      last = static_cast<int>(k);
      if (first < 0) first = last;
    }
  }
  const float em = ImGui::GetFontSize();
  if (n_right + n_wrong == 0 || p1.y - p0.y < em * 5) return;
  constexpr ImU32 kRight = IM_COL32(120, 210, 140, 255), kWrong = IM_COL32(255, 110, 90, 255);
  char buf[160];
  dl->PushClipRect(p0, p1, true);
  dl->AddText(p0, pal::kDim, "oracle: settling sweeps of the test set");
  std::snprintf(buf, sizeof buf, "AUROC, wrong: time %.3f  margin %.3f", s.settle_auroc, s.margin_auroc);
  dl->AddText({p0.x, p0.y + em * 1.2f}, pal::kText, buf);
  // Two bars per settling time, each a share of its own answers, so the few wrong ones show.
  const ImVec2 a{p0.x, p0.y + em * 2.7f}, b{p1.x, p1.y - em * 2.5f};
  const int bins = last - first + 1;
  float top = 0;
  for (int k = first; k <= last; ++k)
    top = std::max({top, n_right ? static_cast<float>(right[static_cast<std::size_t>(k)]) / static_cast<float>(n_right) : 0.0f,
                    n_wrong ? static_cast<float>(wrong[static_cast<std::size_t>(k)]) / static_cast<float>(n_wrong) : 0.0f});
  const float w = (b.x - a.x) / static_cast<float>(bins);
  for (int k = 0; k < bins && top > 0; ++k) {
    const auto i = static_cast<std::size_t>(first + k);
    const float x = a.x + w * static_cast<float>(k);
    const float hr = n_right ? (b.y - a.y) * static_cast<float>(right[i]) / static_cast<float>(n_right) / top : 0.0f;
    const float hw = n_wrong ? (b.y - a.y) * static_cast<float>(wrong[i]) / static_cast<float>(n_wrong) / top : 0.0f;
    if (hr > 0) dl->AddRectFilled({x + w * 0.08f, b.y - std::max(1.0f, hr)}, {x + w * 0.48f, b.y}, kRight);
    if (hw > 0) dl->AddRectFilled({x + w * 0.52f, b.y - std::max(1.0f, hw)}, {x + w * 0.92f, b.y}, kWrong);
  }
  dl->AddLine({a.x, b.y}, b, pal::kFrame);
  std::snprintf(buf, sizeof buf, "%d", first);
  dl->AddText({a.x, b.y + em * 0.1f}, pal::kFaint, buf);
  std::snprintf(buf, sizeof buf, "%d sweeps", last);
  dl->AddText({b.x - ImGui::CalcTextSize(buf).x, b.y + em * 0.1f}, pal::kFaint, buf);
  std::snprintf(buf, sizeof buf, "right (%d)", n_right);
  float x = a.x;
  dl->AddRectFilled({x, b.y + em * 1.45f}, {x + em * 0.9f, b.y + em * 2.05f}, kRight, 2);
  dl->AddText({x + em * 1.2f, b.y + em * 1.2f}, pal::kDim, buf);
  x += em * 1.2f + ImGui::CalcTextSize(buf).x + em;
  std::snprintf(buf, sizeof buf, "wrong (%d)", n_wrong);
  dl->AddRectFilled({x, b.y + em * 1.45f}, {x + em * 0.9f, b.y + em * 2.05f}, kWrong, 2);
  dl->AddText({x + em * 1.2f, b.y + em * 1.2f}, pal::kDim, buf);
  dl->PopClipRect();
}

namespace {

constexpr ImU32 kWrongAnswer = IM_COL32(255, 110, 90, 255);

bool has_image_dreams(const eqprop::EqPropSnapshot& s) {
  const std::size_t classes = s.class_names.size(), dim = static_cast<std::size_t>(s.input_rows * s.input_cols);
  return s.map_res == 0 && classes > 0 && dim > 2 && s.dreams.size() == classes * dim && s.dream_answers.size() == classes;
}

// The image side for n dreams across width, and the gap between them.
float dream_cell(int n, float width, float gap) {
  const float em = ImGui::GetFontSize();
  return std::min(em * 5.5f, (width - gap * static_cast<float>(n - 1)) / static_cast<float>(n));
}

}  // namespace

float dreams_height(const eqprop::EqPropSnapshot& s, float width) {
  if (!has_image_dreams(s)) return 0.0f;
  const float em = ImGui::GetFontSize();
  const float cell = dream_cell(static_cast<int>(s.class_names.size()), width, em * 0.5f);
  return cell < em * 1.5f ? 0.0f : em * 1.4f + cell + em * 2.5f;
}

std::vector<ViewRect> draw_dreams(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1) {
  std::vector<ViewRect> rects;
  if (!has_image_dreams(s) || dreams_height(s, p1.x - p0.x) == 0.0f) return rects;
  const float em = ImGui::GetFontSize(), gap = em * 0.5f;
  const int n = static_cast<int>(s.class_names.size()), rows = s.input_rows, cols = s.input_cols;
  const float cell = dream_cell(n, p1.x - p0.x, gap);
  char buf[200];
  // The long title where it fits, else the short one.
  for (const bool long_form : {true, false}) {
    const char* how = s.dream_mode == "clamp" ? (long_form ? "output clamped to each class, input free, energy relaxed" : "clamp")
                                              : (long_form ? "the input moved down each class's cost by EqProp's contrast" : "contrast");
    std::snprintf(buf, sizeof buf, "dreams%s%s%s  \xc2\xb7  %.0f %% answered as their class", long_form ? ": " : " (", how,
                  long_form ? "" : ")", 100.0 * s.dream_accuracy);
    if (!long_form || ImGui::CalcTextSize(buf).x <= p1.x - p0.x) break;
  }
  dl->AddText(p0, pal::kDim, buf);
  const float top = p0.y + em * 1.4f, px = cell / static_cast<float>(std::max(rows, cols));
  for (int c = 0; c < n; ++c) {
    const ImVec2 a{p0.x + static_cast<float>(c) * (cell + gap), top}, b{a.x + px * cols, top + px * rows};
    const float* img = s.dreams.data() + static_cast<std::size_t>(c) * static_cast<std::size_t>(rows * cols);
    draw_heatmap(dl, {{a, b}, cols, rows}, [&](int i) { return colormap_colour(gfx::Colormap::Grey, img[i], 0, 1); });
    const int said = s.dream_answers[static_cast<std::size_t>(c)];
    const bool right = said == c;
    dl->AddRect({a.x - 1, a.y - 1}, {b.x + 1, b.y + 1}, right ? pal::kFrame : kWrongAnswer, 0, 0, right ? 1.0f : 2.0f);
    // The class under its dream, shortened to fit; the net's answer under it when it differs.
    for (int line = 0; line < (right ? 1 : 2); ++line) {
      std::string name = line == 0 ? s.class_names[static_cast<std::size_t>(c)]
                                   : "says " + (said >= 0 && said < n ? s.class_names[static_cast<std::size_t>(said)] : std::string("?"));
      while (name.size() > 1 && ImGui::CalcTextSize(name.c_str()).x > cell) name.pop_back();
      dl->AddText({a.x, b.y + em * (0.2f + 1.1f * static_cast<float>(line))}, line == 0 ? pal::kDim : kWrongAnswer, name.c_str());
    }
    rects.push_back({a, b});
  }
  return rects;
}

std::vector<ViewRect> draw_dream_points(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1) {
  std::vector<ViewRect> rects;
  const std::size_t classes = s.class_names.size();
  if (s.map_res == 0 || s.dreams.size() != 2 * classes || s.dream_answers.size() != classes) return rects;
  const float side = std::min(p1.x - p0.x, p1.y - p0.y), r = std::max(5.0f, side / 40.0f);
  for (std::size_t c = 0; c < classes; ++c) {
    const ImVec2 q = map_pixel(p0, side, s.dreams[2 * c], s.dreams[2 * c + 1]);
    const ImVec2 top{q.x, q.y - r}, right{q.x + r, q.y}, bottom{q.x, q.y + r}, left{q.x - r, q.y};
    dl->AddQuadFilled(top, right, bottom, left, pal::class_color(static_cast<int>(c)));
    dl->AddQuad(top, right, bottom, left, IM_COL32(10, 10, 14, 255), 3.0f);
    dl->AddQuad(top, right, bottom, left, s.dream_answers[c] == static_cast<int>(c) ? IM_COL32(255, 255, 255, 255) : kWrongAnswer, 1.5f);
    rects.push_back({{q.x - r, q.y - r}, {q.x + r, q.y + r}});
  }
  return rects;
}

}  // namespace obs::eqprop_parts
