#include "panels/plot_widget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "input/ui_marks.hpp"
#include "views/series_plot.hpp"

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

std::optional<PlotReadout>& plot_hover() {
  static std::optional<PlotReadout> hover;
  return hover;
}

void plot_series(const char* label, std::span<const double> all, float height, std::optional<std::size_t> cursor,
                 std::span<const std::uint64_t> steps) {
  if (cursor && *cursor >= all.size()) cursor.reset();
  // The name's value is the shown step's: the last row, or the cursor's after a rewind.
  const std::span<const double> ys = cursor ? all.first(*cursor + 1) : all;
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
  ui::mark(std::string("plot/") + label);
  const bool hovered = ImGui::IsItemHovered();
  dl->AddRectFilled(p0, p1, IM_COL32(24, 26, 32, 255), 3);

  // The trace leaves a column at the right for the range labels, beside it rather than over it.
  const float label_w = ImGui::CalcTextSize("-0.000e+00").x + 6;
  const float plot_w = std::max(8.0f, w - label_w);
  const SeriesRange drawn = draw_series(dl, {{p0.x, p0.y + 2}, {p0.x + plot_w, p1.y - 2}}, all, {}, {});
  if (cursor && all.size() > 1) {
    const float x = p0.x + plot_w * static_cast<float>(*cursor) / static_cast<float>(all.size() - 1);
    dl->AddLine({x, p0.y}, {x, p1.y}, IM_COL32(255, 200, 90, 220), 1.5f);
  }
  if (hovered && steps.size() == all.size() && !all.empty()) {
    // The row under the pointer: rows spread evenly across the trace's width, as drawn.
    const float fx = std::clamp((ImGui::GetIO().MousePos.x - p0.x) / plot_w, 0.0f, 1.0f);
    const auto row = static_cast<std::size_t>(std::lround(fx * static_cast<float>(all.size() - 1)));
    const float x = p0.x + plot_w * (all.size() > 1 ? static_cast<float>(row) / static_cast<float>(all.size() - 1) : 0.0f);
    dl->AddLine({x, p0.y}, {x, p1.y}, IM_COL32(200, 205, 220, 140), 1.0f);
    plot_hover() = PlotReadout{label, steps[row], all[row]};
    ImGui::SetTooltip("step %llu\n%s = %.6g", static_cast<unsigned long long>(steps[row]), label, all[row]);
  }
  if (!drawn.drawn) return;
  const bool constant = drawn.constant;
  const double lo = drawn.lo, hi = drawn.hi;
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
