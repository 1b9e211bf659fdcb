#include "panels/plot_widget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace obs {
namespace {

// Engines report NaN for "not measured yet" (a test accuracy before the first epoch, a mitosis
// statistic before any mitosis). A value that was finite and then is not is a fault.
struct Reading {
  double last = NAN;         // the latest finite value, if any
  bool measured = false;     // some value in the window is finite
  bool broken_now = false;   // the latest value is non-finite after finite ones
  bool infinite_now = false; // ... and is ±Inf (never a "not measured" marker)
  std::size_t bad = 0;       // non-finite values after the first finite one
};

Reading read(std::span<const double> ys) {
  Reading r;
  for (double y : ys) {
    if (std::isfinite(y)) {
      r.measured = true;
      r.last = y;
    } else if (r.measured) {
      ++r.bad;
    }
  }
  if (!ys.empty() && !std::isfinite(ys.back())) {
    r.infinite_now = std::isinf(ys.back());
    r.broken_now = r.measured || r.infinite_now;
  }
  return r;
}

}  // namespace

void plot_series(const char* label, std::span<const double> ys, float height) {
  const Reading reading = read(ys);
  // The name and value sit on their own line above the trace, never on top of it.
  char value[64];
  if (reading.broken_now) std::snprintf(value, sizeof value, "%s", reading.infinite_now && ys.back() > 0 ? "+inf" : reading.infinite_now ? "-inf" : "NaN");
  else if (!reading.measured) std::snprintf(value, sizeof value, "\xe2\x80\x94");  // an em dash: not measured yet
  else std::snprintf(value, sizeof value, "%.5g", ys.back());
  ImGui::TextUnformatted(label);
  ImGui::SameLine();
  if (reading.broken_now) ImGui::TextColored({1.0f, 0.47f, 0.4f, 1}, "%s", value);
  else ImGui::TextDisabled("%s", value);
  if (reading.bad) {
    ImGui::SameLine();
    ImGui::TextColored({1.0f, 0.47f, 0.4f, 1}, "(%zu non-finite)", reading.bad);
  }

  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const ImVec2 p1{p0.x + w, p0.y + height};
  ImGui::InvisibleButton(label, {std::max(w, 1.0f), height});
  dl->AddRectFilled(p0, p1, IM_COL32(24, 26, 32, 255), 3);

  double lo = INFINITY, hi = -INFINITY;
  for (double y : ys)
    if (std::isfinite(y)) {
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
  if (lo > hi) return;
  // A constant is drawn as a line through the middle, bounded by its own value, not ±0.5.
  const bool constant = hi - lo <= 1e-12 * std::max(1.0, std::abs(hi));
  const double span = constant ? 1.0 : hi - lo, base = constant ? lo - 0.5 : lo;
  const float label_w = ImGui::CalcTextSize("-0.000e+00").x + 6;  // the range labels' column
  const float plot_w = std::max(8.0f, w - label_w);
  const int columns = std::max(1, static_cast<int>(plot_w));
  const std::size_t n = ys.size();
  auto ypix = [&](double y) { return p1.y - 2 - static_cast<float>((y - base) / span) * (height - 4); };
  ImVec2 prev{-1, -1};
  for (int c = 0; c < columns && n > 0; ++c) {
    const std::size_t a = n * static_cast<std::size_t>(c) / static_cast<std::size_t>(columns);
    const std::size_t b = std::max(a + 1, n * static_cast<std::size_t>(c + 1) / static_cast<std::size_t>(columns));
    double mn = INFINITY, mx = -INFINITY;
    for (std::size_t i = a; i < b && i < n; ++i)
      if (std::isfinite(ys[i])) { mn = std::min(mn, ys[i]); mx = std::max(mx, ys[i]); }
    if (mn > mx) { prev = {-1, -1}; continue; }
    const float x = p0.x + static_cast<float>(c) * plot_w / static_cast<float>(columns);
    const ImVec2 top{x, ypix(mx)}, bottom{x, ypix(mn)};
    if (prev.x >= 0) dl->AddLine(prev, bottom, IM_COL32(110, 190, 255, 255), 1.2f);
    dl->AddLine(bottom, {top.x, top.y - 0.01f}, IM_COL32(110, 190, 255, 255), 1.2f);
    prev = top;
  }
  // The range in a column of its own at the right, beside the trace rather than over it.
  char range[64];
  const ImU32 grey = IM_COL32(140, 145, 160, 255);
  const float fh = ImGui::GetFontSize();
  if (constant) {
    std::snprintf(range, sizeof range, "%.3g", hi);
    dl->AddText({p1.x - ImGui::CalcTextSize(range).x - 3, (p0.y + p1.y - fh) * 0.5f}, grey, range);
  } else {
    std::snprintf(range, sizeof range, "%.3g", hi);
    dl->AddText({p1.x - ImGui::CalcTextSize(range).x - 3, p0.y + 1}, grey, range);
    if (height >= 2 * fh + 2) {
      std::snprintf(range, sizeof range, "%.3g", lo);
      dl->AddText({p1.x - ImGui::CalcTextSize(range).x - 3, p1.y - fh - 1}, grey, range);
    }
  }
}

}  // namespace obs
