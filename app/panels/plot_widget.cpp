#include "panels/plot_widget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "input/ui_marks.hpp"
#include "views/plot_scale.hpp"
#include "views/step_ticks.hpp"

namespace obs {
namespace {

constexpr ImU32 kColourA = IM_COL32(110, 190, 255, 255);  // series_plot's default: a single trace is "A"
constexpr ImU32 kColourB = IM_COL32(255, 160, 80, 255);
constexpr ImU32 kColourDiff = IM_COL32(190, 190, 205, 255);
constexpr ImU32 kGrey = IM_COL32(140, 145, 160, 255);
constexpr float kMarkHit = 3;  // px either side of a mark's line that hover it

// Engines report NaN for "not measured yet" (a test accuracy before the first epoch, a mitosis
// statistic before any mitosis, B before a fork). A value that was finite and then is not is a fault.
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

// The value beside the name (A's or B's): its text, red when broken; the count of faults after.
void value_text(std::span<const double> ys, const char* prefix, ImU32 prefix_colour) {
  const Reading reading = read(ys);
  char value[64];
  if (reading.broken_now) std::snprintf(value, sizeof value, "%s", reading.infinite_now && ys.back() > 0 ? "+inf" : reading.infinite_now ? "-inf" : "NaN");
  else if (!reading.measured) std::snprintf(value, sizeof value, "\xe2\x80\x94");  // an em dash: not measured yet
  else std::snprintf(value, sizeof value, "%.5g", ys.back());
  ImGui::SameLine();
  if (prefix) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(prefix_colour), "%s", prefix);
    ImGui::SameLine(0, ImGui::CalcTextSize(" ").x);
  }
  if (reading.broken_now) ImGui::TextColored({1.0f, 0.47f, 0.4f, 1}, "%s", value);
  else ImGui::TextDisabled("%s", value);
  if (reading.bad) {
    ImGui::SameLine();
    ImGui::TextColored({1.0f, 0.47f, 0.4f, 1}, "(%zu non-finite)", reading.bad);
  }
}

// The x of `step` in a trace from x0 across w px showing `span`.
float step_x(std::uint64_t step, const StepSpan& span, float x0, float w) {
  if (span.second <= span.first) return x0;
  return x0 + w * static_cast<float>(static_cast<double>(step - std::min(step, span.first)) / static_cast<double>(span.second - span.first));
}

std::uint64_t x_step(float x, const StepSpan& span, float x0, float w) {
  const double f = std::clamp(static_cast<double>((x - x0) / std::max(w, 1.0f)), 0.0, 1.0);
  return span.first + static_cast<std::uint64_t>(std::llround(f * static_cast<double>(span.second - span.first)));
}

// The range column: hi at the top and lo at the bottom, or one value in the middle when the
// data sits within the floor (a constant with rounding noise reads as that constant).
void range_labels(ImDrawList* dl, const SeriesRange& r, ImVec2 p0, ImVec2 p1, double centre) {
  const float fh = ImGui::GetFontSize();
  char text[64];
  auto right = [&](float y) { dl->AddText({p1.x - ImGui::CalcTextSize(text).x - 3, y}, kGrey, text); };
  if (r.floored || p1.y - p0.y < 2 * fh + 2) {
    std::snprintf(text, sizeof text, "%.4g", centre);
    right((p0.y + p1.y - fh) * 0.5f);
    return;
  }
  std::snprintf(text, sizeof text, "%.3g", r.hi);
  right(p0.y + 1);
  std::snprintf(text, sizeof text, "%.3g", r.lo);
  right(p1.y - fh - 1);
}

}  // namespace

std::optional<PlotReadout>& plot_hover() {
  static std::optional<PlotReadout> hover;
  return hover;
}

std::map<std::string, PlotShown>& plots_shown() {
  static std::map<std::string, PlotShown> shown;
  return shown;
}

PlotResult plot_series(const PlotSeries& s, const PlotFrame& f) {
  PlotResult result;
  const bool twin = !s.b.empty();
  std::optional<std::size_t> cursor = f.cursor;
  if (cursor && *cursor >= s.a.size()) cursor.reset();
  // The values beside the name are the shown step's: the last row, or the cursor's after a rewind.
  const std::size_t rows = cursor ? *cursor + 1 : s.a.size();
  const ScaledRange scaled = twin ? scaled_range({s.a, s.b}, s.resolution, s.log) : scaled_range({s.a}, s.resolution, s.log);

  // The name and values sit on their own line above the trace, never on top of it.
  ImGui::TextUnformatted(s.label);
  value_text(s.a.first(rows), twin ? "A" : nullptr, kColourA);
  if (twin) value_text(s.b.first(std::min(rows, s.b.size())), "B", kColourB);
  if (s.log) {
    ImGui::SameLine();
    if (scaled.skipped) ImGui::TextDisabled("log (%zu <= 0 not drawn)", scaled.skipped);
    else ImGui::TextDisabled("log");
  }

  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float em = ImGui::GetFontSize();
  const float strip_h = twin ? std::round(em * 1.5f) : 0;  // A-B's strip under a pair
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const ImVec2 p1{p0.x + w, p0.y + f.height};
  ImGui::InvisibleButton(s.label, {std::max(w, 1.0f), f.height + strip_h});
  ui::mark(std::string("plot/") + s.label);
  const bool hovered = ImGui::IsItemHovered();
  dl->AddRectFilled(p0, p1, IM_COL32(24, 26, 32, 255), 3);

  // The trace leaves a column at the right for the range labels, beside it rather than over it.
  const float label_w = ImGui::CalcTextSize("-0.000e+00").x + 6;
  const float plot_w = std::max(8.0f, w - label_w);
  const float x0 = p0.x;
  result.trace_x0 = x0, result.trace_x1 = x0 + plot_w;
  auto at = [&](std::uint64_t step) { return step_x(step, f.x, x0, plot_w); };

  // The grid of the step ticks the axis under the plots labels (the same widths, the same ticks).
  for (const StepTick& t : step_ticks(f.x.first, f.x.second, plot_w, ImGui::CalcTextSize("0").x))
    dl->AddLine({x0 + t.x, p0.y}, {x0 + t.x, p1.y + strip_h}, IM_COL32(60, 64, 76, 255), 1.0f);

  const ViewRect area{{x0, p0.y + 2}, {x0 + plot_w, p1.y - 2}};
  SeriesStyle style;
  style.range = &scaled.range;
  style.x_lo = static_cast<double>(f.x.first), style.x_hi = static_cast<double>(f.x.second);
  const std::span<const double> xs = f.xs.first(std::min(f.xs.size(), s.a.size()));
  if (twin) {
    style.colour = kColourB;
    draw_series(dl, area, s.b, xs, style);
  }
  style.colour = kColourA;
  draw_series(dl, area, s.a, xs, style);

  static std::vector<double> diff;  // A-B, reused: the panel draws on one thread
  SeriesRange diff_range;
  if (twin) {
    const ImVec2 q0{p0.x, p1.y + 1}, q1{p1.x, p1.y + strip_h};
    dl->AddRectFilled(q0, q1, IM_COL32(20, 22, 27, 255), 2);
    diff.resize(std::min(s.a.size(), s.b.size()));
    for (std::size_t i = 0; i < diff.size(); ++i) diff[i] = s.a[i] - s.b[i];
    diff_range = scaled_range({diff}, s.resolution, false).range;
    const ViewRect strip{{x0, q0.y + 1}, {x0 + plot_w, q1.y - 1}};
    if (diff_range.drawn) {
      const double zero = y_fraction(diff_range, 0.0);
      if (zero >= 0 && zero <= 1) {
        const float y = strip.max.y - static_cast<float>(zero) * strip.height();
        dl->AddLine({strip.min.x, y}, {strip.max.x, y}, IM_COL32(70, 74, 88, 255), 1.0f);
      }
      SeriesStyle ds = style;
      ds.colour = kColourDiff, ds.thickness = 1.0f, ds.range = &diff_range;
      draw_series(dl, strip, diff, xs, ds);
    }
    char text[48];
    std::snprintf(text, sizeof text, "A-B %.2g", diff_range.drawn ? std::max(std::abs(diff_range.lo), std::abs(diff_range.hi)) : 0.0);
    dl->AddText({q1.x - ImGui::CalcTextSize(text).x - 3, (q0.y + q1.y - em) * 0.5f}, kGrey, text);
    // No legend inside the plot: it would sit on the data, and the header line above names
    // each colour already ("r  A 0.53  B 0.011", each letter in its trace's colour).
  }

  // The run's marks: a thin line with its kind's letter at the top, on a dark chip to stay legible.
  std::size_t marks_drawn = 0;
  const PlotMarker* hovered_mark = nullptr;
  const float mouse_x = ImGui::GetIO().MousePos.x;
  for (const PlotMarker& m : f.markers) {
    if (m.step < f.x.first || m.step > f.x.second) continue;
    const float x = at(m.step);
    const ImU32 c = marker_colour(m.kind);
    dl->AddLine({x, p0.y}, {x, p1.y + strip_h}, c, 1.0f);
    const ImVec2 lw = ImGui::CalcTextSize(marker_letter(m.kind));
    const float lx = std::min(x + 2, x0 + plot_w - lw.x - 1);
    dl->AddRectFilled({lx - 1, p0.y + 1}, {lx + lw.x + 1, p0.y + 1 + lw.y}, IM_COL32(24, 26, 32, 220));
    dl->AddText({lx, p0.y + 1}, c, marker_letter(m.kind));
    ++marks_drawn;
    if (hovered && std::abs(mouse_x - x) <= kMarkHit) hovered_mark = &m;
  }

  if (cursor) {
    const float x = at(f.steps[*cursor]);
    dl->AddLine({x, p0.y}, {x, p1.y + strip_h}, IM_COL32(255, 200, 90, 220), 1.5f);
  }

  // Drag to zoom: the band follows the pointer; releasing it picks the steps under it.
  const ImGuiIO& io = ImGui::GetIO();
  const float press_x = io.MouseClickedPos[0].x;
  if (ImGui::IsItemActive() && std::abs(mouse_x - press_x) >= 1) {
    const float a = std::clamp(std::min(press_x, mouse_x), x0, x0 + plot_w), b = std::clamp(std::max(press_x, mouse_x), x0, x0 + plot_w);
    dl->AddRectFilled({a, p0.y}, {b, p1.y + strip_h}, IM_COL32(120, 170, 255, 50));
  }
  if (ImGui::IsItemDeactivated() && std::abs(mouse_x - press_x) >= 4) {
    const std::uint64_t lo = x_step(std::min(press_x, mouse_x), f.x, x0, plot_w), hi = x_step(std::max(press_x, mouse_x), f.x, x0, plot_w);
    if (hi > lo) result.zoom = StepSpan{lo, hi};
  }
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) result.reset_zoom = true;

  if (ImGui::BeginPopupContextItem()) {
    if (ImGui::MenuItem("log scale", nullptr, s.log)) result.toggle_log = true;
    ui::mark(std::string("plot/") + s.label + "/log scale");
    if (ImGui::MenuItem("reset zoom", nullptr, false, f.zoomed)) result.reset_zoom = true;
    ui::mark(std::string("plot/") + s.label + "/reset zoom");
    ImGui::EndPopup();
  }

  if (hovered && !f.steps.empty() && f.steps.size() >= s.a.size() && !s.a.empty()) {
    // The row under the pointer: the one whose step is nearest the pointer's.
    const std::span<const std::uint64_t> steps = f.steps.first(s.a.size());
    const std::uint64_t want = x_step(mouse_x, f.x, x0, plot_w);
    std::size_t row = static_cast<std::size_t>(std::lower_bound(steps.begin(), steps.end(), want) - steps.begin());
    if (row == steps.size() || (row > 0 && want - steps[row - 1] < steps[row] - want)) --row;
    const float x = at(steps[row]);
    dl->AddLine({x, p0.y}, {x, p1.y + strip_h}, IM_COL32(200, 205, 220, 140), 1.0f);
    PlotReadout r{s.label, steps[row], s.a[row], std::nullopt, {}};
    std::string text = "step " + std::to_string(steps[row]) + "\n";
    char line[160];
    if (twin) {
      r.b = s.b[row];
      std::snprintf(line, sizeof line, "A = %.6g\nB = %.6g\nA-B = %.6g", s.a[row], s.b[row], s.a[row] - s.b[row]);
    } else {
      std::snprintf(line, sizeof line, "%s = %.6g", s.label, s.a[row]);
    }
    text += line;
    if (hovered_mark) {
      r.marker = std::string(marker_letter(hovered_mark->kind)) + " " + marker_name(hovered_mark->kind) + " at step " +
                 std::to_string(hovered_mark->step) + (hovered_mark->what.empty() ? "" : ": " + hovered_mark->what);
      text += "\n" + r.marker;
    }
    plot_hover() = std::move(r);
    ImGui::SetTooltip("%s", text.c_str());
  }

  plots_shown()[s.label] = {scaled.range, scaled.skipped, f.x, twin, marks_drawn, result.trace_x0, result.trace_x1};
  if (!scaled.range.drawn) return result;
  double centre = scaled.range.lo + (scaled.range.hi - scaled.range.lo) / 2;
  if (scaled.range.log) centre = std::sqrt(scaled.range.lo * scaled.range.hi);
  range_labels(dl, scaled.range, p0, p1, centre);
  return result;
}

void draw_step_axis(float x0, float x1, StepSpan steps) {
  const float h = ImGui::GetFontSize() + 3;  // a tick of 3 px, the label under it
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy({std::max(1.0f, ImGui::GetContentRegionAvail().x), h});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (const StepTick& t : step_ticks(steps.first, steps.second, x1 - x0, ImGui::CalcTextSize("0").x)) {
    dl->AddLine({x0 + t.x, p.y}, {x0 + t.x, p.y + 3}, kGrey, 1.0f);
    dl->AddText({x0 + t.label_x, p.y + 3}, kGrey, t.text.c_str());
  }
}

}  // namespace obs
