// The lab's four charts (lab/dashboard_data.hpp) in a window: 2 x 2 cells, each with its title
// and y label on one line, the plot, the x ticks and label, and a legend under them. The pointer
// near a point shows its series, x, the seeds' mean, min and max. The same axes and colours as
// the SVG export (lab/chart_axis.hpp).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "lab/chart_axis.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

ImU32 series_color(std::size_t k) {
  const std::uint32_t c = lab::kSeriesColors[k % std::size(lab::kSeriesColors)];
  return IM_COL32((c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff, 255);
}

void draw_chart(const lab::Chart& c, ImVec2 min, ImVec2 max) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lh = ImGui::GetTextLineHeight(), pad = 0.4f * lh;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const std::string head = c.title + "  (" + c.y_label + ")";
  dl->AddText({min.x + pad, min.y}, text, head.c_str());
  // The legend takes what it needs under the x label, up to half the cell; the rest say "+N more".
  const float room = max.y - min.y - 4 * lh - 3 * pad;
  const std::size_t fits = static_cast<std::size_t>(std::max(0.0f, room * 0.5f / lh));
  const std::size_t shown = std::min(c.series.size(), fits), legend = shown + (shown < c.series.size() ? 1 : 0);
  const float plot_bottom = max.y - pad - static_cast<float>(legend) * lh - 2 * lh - pad;

  const auto [ax, ay] = lab::axes_of(c);
  float label_w = 0;
  for (double t : ay.ticks()) label_w = std::max(label_w, ImGui::CalcTextSize(ay.tick_text(t).c_str()).x);
  const ImVec2 p0{min.x + pad + label_w + pad, min.y + lh + pad}, p1{max.x - pad, plot_bottom};
  if (p1.x - p0.x < 40 || p1.y - p0.y < 30) {
    dl->AddText({min.x + pad, min.y + lh}, dim, "(make the window larger)");
    return;
  }
  dl->AddRect(p0, p1, dim);
  if (ui::marks_enabled()) ui::mark_rect("lab/chart/" + c.title, p0, p1);
  if (c.empty()) {
    const ImVec2 sz = ImGui::CalcTextSize(c.note.c_str(), nullptr, false, p1.x - p0.x - 2 * pad);
    dl->AddText(nullptr, 0, {p0.x + pad, 0.5f * (p0.y + p1.y) - 0.5f * sz.y}, dim, c.note.c_str(), nullptr, p1.x - p0.x - 2 * pad);
    return;
  }
  const auto X = [&](double v) { return p0.x + static_cast<float>(ax.frac(v)) * (p1.x - p0.x); };
  const auto Y = [&](double v) { return p1.y - static_cast<float>(ay.frac(v)) * (p1.y - p0.y); };
  for (double t : ay.ticks()) {
    const std::string s = ay.tick_text(t);
    dl->AddLine({p0.x, Y(t)}, {p1.x, Y(t)}, IM_COL32(128, 128, 128, 50));
    dl->AddText({p0.x - pad - ImGui::CalcTextSize(s.c_str()).x, Y(t) - 0.5f * lh}, text, s.c_str());
  }
  float last_right = -1e9f;  // x tick labels never overlap: one that would is left out
  for (double t : ax.ticks()) {
    const std::string s = ax.tick_text(t);
    const float w = ImGui::CalcTextSize(s.c_str()).x, left = std::clamp(X(t) - 0.5f * w, min.x, max.x - w);
    dl->AddLine({X(t), p1.y}, {X(t), p1.y + 0.3f * lh}, dim);
    if (left <= last_right + pad) continue;
    dl->AddText({left, p1.y + 0.3f * lh}, text, s.c_str());
    last_right = left + w;
  }
  const float xw = ImGui::CalcTextSize(c.x_label.c_str()).x;
  dl->AddText({0.5f * (p0.x + p1.x - xw), p1.y + 1.3f * lh}, text, c.x_label.c_str());

  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const lab::ChartSeries* hover_s = nullptr;
  const lab::ChartPoint* hover_p = nullptr;
  float best = 8 * 8;
  dl->PushClipRect(p0, p1, true);
  for (std::size_t k = 0; k < c.series.size(); ++k) {
    const auto& s = c.series[k];
    const ImU32 col = series_color(k);
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const auto& p = s.points[i];
      const ImVec2 at{X(p.x), Y(p.y)};
      if (i > 0) dl->AddLine({X(s.points[i - 1].x), Y(s.points[i - 1].y)}, at, col, 2.0f);
      if (p.y_hi > p.y_lo) dl->AddLine({at.x, Y(p.y_lo)}, {at.x, Y(p.y_hi)}, col);
      dl->AddCircleFilled(at, 3.0f, col);
      const float d2 = (at.x - mouse.x) * (at.x - mouse.x) + (at.y - mouse.y) * (at.y - mouse.y);
      if (d2 < best) {
        best = d2;
        hover_s = &s;
        hover_p = &p;
      }
    }
  }
  dl->PopClipRect();
  float ly = p1.y + 2.3f * lh + pad;
  for (std::size_t k = 0; k < shown; ++k, ly += lh) {
    dl->AddLine({p0.x, ly + 0.5f * lh}, {p0.x + 1.5f * lh, ly + 0.5f * lh}, series_color(k), 2.0f);
    dl->PushClipRect({p0.x, ly}, {max.x, ly + lh}, true);
    dl->AddText({p0.x + 2 * lh, ly}, text, c.series[k].name.c_str());
    dl->PopClipRect();
  }
  if (shown < c.series.size()) {
    char more[80];
    std::snprintf(more, sizeof more, "+%zu more series (the SVG export lists all)", c.series.size() - shown);
    dl->AddText({p0.x, ly}, dim, more);
  }
  if (!hover_p || !ImGui::IsWindowHovered()) return;
  if (ui::marks_enabled()) {  // what the tooltip shows, for a test: chart, series and x
    char x[32];
    std::snprintf(x, sizeof x, "%g", hover_p->x);
    ui::mark_rect("lab/tooltip/" + c.title + "/" + hover_s->name + "/" + x, mouse, mouse);
  }
  ImGui::SetTooltip("%s\n%s = %g\n%s: %.4g (seeds' min %.4g, max %.4g; %d runs)", hover_s->name.c_str(), c.x_label.c_str(),
                      hover_p->x, c.y_label.c_str(), hover_p->y, hover_p->y_lo, hover_p->y_hi, hover_p->runs);
}

}  // namespace

void draw_dashboard_window(App& app) {
  if (!app.dashboard) return;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize({std::min(display.x * 0.7f, 60 * ImGui::GetFontSize()), std::min(display.y * 0.8f, 42 * ImGui::GetFontSize())},
                           ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowPos({display.x * 0.5f, display.y * 0.5f}, ImGuiCond_FirstUseEver, {0.5f, 0.5f});
  ImGui::SetNextWindowBgAlpha(1.0f);  // opaque: the view under it must not show through the charts
  if (!ImGui::Begin("Lab dashboard", &app.show_dashboard)) {
    ImGui::End();
    return;
  }
  ImGui::TextDisabled("%d runs from %s; points: the seeds' mean, bars: their min and max", app.dashboard->runs,
                      app.dashboard->source.c_str());
  const ImVec2 origin = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
  const float w = std::floor(avail.x * 0.5f), h = std::floor(avail.y * 0.5f);
  const auto& charts = app.dashboard->charts;
  for (std::size_t k = 0; k < charts.size() && k < 4; ++k) {
    const ImVec2 min{origin.x + static_cast<float>(k % 2) * w, origin.y + static_cast<float>(k / 2) * h};
    draw_chart(charts[k], min, {min.x + w - 4, min.y + h - 4});
  }
  ImGui::Dummy(avail);
  ImGui::End();
}

}  // namespace obs
