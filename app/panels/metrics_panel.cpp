// Right column: every metric plotted live over a chosen window of steps (or a zoom the person
// dragged across a plot: every plot shows the same steps, named by one axis under them), CSV
// export of the whole retained history, and the event log (NaN quarantines, ablations, load errors).
// Twin runs' a_X/b_X metrics are one plot of X each (panels/twin_pairs.hpp).
//
// A system's probe (metrics named probe_*, aimed by parameters named probe_*, -1 = none; the
// neural cube probes the picked neuron) is pinned above the other plots under a header that
// says where it points, as Polyscope lists a structure's quantities under the structure: the
// trace a person just asked for by clicking is the first thing in the panel, not the 19th plot.
// With no probe the header holds one line instead of three empty plots. The plots start after
// the last step recorded before the probe moved, so a new neuron's trace never reads as the
// continuation of the old one's.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cinttypes>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"
#include "panels/plot_widget.hpp"
#include "panels/twin_pairs.hpp"

namespace obs {
namespace {

constexpr std::string_view kProbePrefix = "probe_";

bool is_probe(std::string_view name) { return name.substr(0, kProbePrefix.size()) == kProbePrefix; }

// Where the probe points, from the panel's copy of the parameters: "x 3, y 5, z 7", or empty
// when any coordinate is negative (none) or the system has no probe parameters.
std::string probe_target(const ParamSet& params, bool& has_params) {
  std::string text;
  has_params = false;
  bool none = false;
  for (const Param& p : params.all()) {
    if (!is_probe(p.name)) continue;
    has_params = true;
    none = none || p.value < 0;
    if (!text.empty()) text.append(", ");
    text.append(p.name.substr(kProbePrefix.size())).append(" ").append(p.value_text());
  }
  return none ? std::string() : text;
}

}  // namespace

float draw_metrics_panel(App& app, ImVec2 pos, ImVec2 size, float max_width) {
  const float em = ImGui::GetFontSize();
  // Full height, anchored to the right edge; the left edge drags to resize.
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::SetNextWindowSizeConstraints({12 * em, size.y}, {max_width, size.y});
  ImGui::Begin("Metrics", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoScrollbar);
  const float width = ImGui::GetWindowWidth();

  ImGui::SetNextItemWidth(-em * 4);
  ImGui::SliderInt("window", &app.metrics_window, 50, 65536, "%d steps", ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  ui::mark("metrics/window");

  // Copy the shown rows out under the lock, then draw without holding it: the window's last rows
  // live, or while zoomed every retained row in the zoom's steps (which then stay put as the run grows).
  std::vector<std::string> names;
  std::vector<double> resolutions;
  std::vector<std::vector<double>> columns;
  std::vector<std::uint64_t> steps;
  const std::optional<StepSpan> zoom = app.plot_zoom;
  app.session.runner->with_series([&](const SeriesStore& s) {
    names = s.names();
    resolutions.resize(names.size());
    for (std::size_t m = 0; m < names.size(); ++m) resolutions[m] = s.resolution(m);
    auto first_row_after = [&](std::uint64_t step) {  // rows are in step order: a binary search
      std::size_t lo = 0, hi = s.size();
      while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (s.step_at(mid) <= step) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    std::size_t start = s.size() - std::min<std::size_t>(s.size(), static_cast<std::size_t>(app.metrics_window)), end = s.size();
    if (zoom) {
      start = zoom->first > 0 ? first_row_after(zoom->first - 1) : 0;
      end = first_row_after(zoom->second);
    }
    const std::size_t n = end - start;
    columns.assign(names.size(), std::vector<double>(n));
    steps.resize(n);
    for (std::size_t i = 0; i < n; ++i) steps[i] = s.step_at(start + i);
    for (std::size_t m = 0; m < names.size(); ++m)
      for (std::size_t i = 0; i < n; ++i) columns[m][i] = s.value_at(start + i, m);
  });
  const std::vector<double> xs(steps.begin(), steps.end());
  const std::uint64_t first = steps.empty() ? 0 : steps.front(), last = steps.empty() ? 0 : steps.back();
  const StepSpan across = zoom ? *zoom : StepSpan{first, last};
  // After a rewind the view shows an earlier step than the last row: the plots mark it.
  const std::uint64_t shown = app.session.runner->status().step;
  std::optional<std::size_t> cursor;
  if (!steps.empty() && shown < last && shown >= first)
    cursor = static_cast<std::size_t>(std::lower_bound(steps.begin(), steps.end(), shown) - steps.begin());
  if (zoom) ImGui::TextColored({0.55f, 0.75f, 1.0f, 1}, "zoom: steps %" PRIu64 " .. %" PRIu64 " (double-click: live)", zoom->first, zoom->second);
  else ImGui::TextDisabled("steps %" PRIu64 " .. %" PRIu64, first, last);
  ui::mark("metrics/steps");
  const float plot_h = em * 3.2f;

  // The plots scroll in their own region, with the step axis under it; the CSV row and the log
  // keep the bottom at a height the person drags (the bar between them), so the log is never
  // squeezed to a sliver.
  const float bottom_min = 4 * em, avail = ImGui::GetContentRegionAvail().y;
  if (app.log_h <= 0) app.log_h = std::max(bottom_min, avail * 0.3f);
  app.log_h = std::clamp(app.log_h, bottom_min, std::max(bottom_min, avail - 6 * em));
  const float csv_row = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y * 2;
  const float axis_row = em + 3 + ImGui::GetStyle().ItemSpacing.y;
  const float splitter = em * 0.5f;
  ImGui::BeginChild("plots", {0, std::max(2 * em, avail - app.log_h - csv_row - splitter - axis_row)}, false);

  plot_hover().reset();
  plots_shown().clear();
  const PlotFrame frame{across, steps, xs, cursor, app.markers(), plot_h, zoom.has_value()};
  const std::vector<PlotEntry> entries = plot_entries(names);
  // What the person did to any plot applies to all of them (one zoom) or to that metric (log).
  std::optional<StepSpan> picked;
  bool reset_zoom = false;
  float axis_x0 = 0, axis_x1 = 0;
  auto plot = [&](const PlotEntry& e, const PlotFrame& f, std::size_t from) {
    PlotSeries series;
    series.label = e.label.c_str();
    series.a = std::span<const double>(columns[e.a]).subspan(from);
    if (e.b) series.b = std::span<const double>(columns[*e.b]).subspan(from);
    series.resolution = resolutions[e.a];
    series.log = app.log_plots.contains(e.label);
    const PlotResult r = plot_series(series, f);
    if (r.zoom) picked = r.zoom;
    reset_zoom = reset_zoom || r.reset_zoom;
    if (r.toggle_log && !app.log_plots.erase(e.label)) app.log_plots.insert(e.label);
    axis_x0 = r.trace_x0, axis_x1 = r.trace_x1;
  };
  std::size_t probes = 0;
  for (const auto& e : entries) probes += is_probe(e.label);
  if (probes > 0) {
    bool has_params = false;
    const std::string target = probe_target(app.session.params, has_params);
    if (target != app.probe_seen) {
      app.probe_seen = target;
      app.probe_since = last;
      app.probe_since_set = !steps.empty();
    }
    if (app.probe_since_set && last < app.probe_since) app.probe_since_set = false;  // a reset: a new history
    std::size_t from = 0;  // the first row recorded with the probe where it points now
    if (app.probe_since_set)
      while (from < steps.size() && steps[from] <= app.probe_since) ++from;

    const std::string header = (target.empty() ? std::string(has_params ? "Probe: none" : "Probe") : "Probe: " + target) + "###probe";
    if (ImGui::CollapsingHeader(header.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) {
      if (has_params && target.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("pick one in the view (or set the probe_* parameters) to plot it here every step");
        ImGui::PopStyleColor();
      } else if (from == steps.size()) {
        ImGui::TextDisabled("recorded from the next step on");
      } else {
        if (app.probe_since_set) ImGui::TextDisabled("every step since %" PRIu64, steps[from]);
        // The probe's rows start later; the steps across the plot are every plot's.
        PlotFrame since = frame;
        since.steps = frame.steps.subspan(from);
        since.xs = frame.xs.subspan(from);
        since.cursor = cursor && *cursor >= from ? std::optional<std::size_t>(*cursor - from) : std::nullopt;
        for (const auto& e : entries)
          if (is_probe(e.label)) plot(e, since, from);
      }
    }
    const std::string others = app.session.runner->status().kind + ": " + std::to_string(entries.size() - probes) + " metrics###others";
    if (ImGui::CollapsingHeader(others.c_str(), ImGuiTreeNodeFlags_DefaultOpen))
      for (const auto& e : entries)
        if (!is_probe(e.label)) plot(e, frame, 0);
  } else {
    for (const auto& e : entries) plot(e, frame, 0);
  }

  ImGui::EndChild();
  if (axis_x1 > axis_x0) draw_step_axis(axis_x0, axis_x1, across);
  else ImGui::Dummy({1, axis_row - ImGui::GetStyle().ItemSpacing.y});
  if (reset_zoom) app.plot_zoom.reset();
  else if (picked) app.plot_zoom = picked;

  ImGui::Separator();
  ImGui::SetNextItemWidth(-em * 7);
  ImGui::InputText("##csv", &app.metrics_csv_path);
  ui::mark("metrics/csv path");
  ImGui::SameLine();
  if (ImGui::Button("Export CSV")) app.export_metrics_csv(app.metrics_csv_path);
  ui::mark("metrics/export");

  // The splitter: drag it up for a taller log.
  ImGui::InvisibleButton("##log_splitter", {-1, splitter});
  ui::mark("metrics/splitter");
  if (ImGui::IsItemActive()) app.log_h -= ImGui::GetIO().MouseDelta.y;
  if (ImGui::IsItemHovered() || ImGui::IsItemActive()) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeNS);
  {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const float y = (a.y + b.y) * 0.5f;
    ImGui::GetWindowDrawList()->AddLine({a.x + em, y}, {b.x - em, y}, ImGui::GetColorU32(ImGuiCol_Separator), 2.0f);
  }
  ImGui::TextDisabled("Log");
  ImGui::BeginChild("log", {0, 0}, true);
  for (const auto& line : app.log_lines) {
    const ImVec4 color = line.level == Event::Level::Error     ? ImVec4(1.0f, 0.45f, 0.4f, 1)
                         : line.level == Event::Level::Warning ? ImVec4(1.0f, 0.8f, 0.35f, 1)
                                                               : ImVec4(0.75f, 0.78f, 0.85f, 1);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextWrapped("[%" PRIu64 "] %s", line.step, line.text.c_str());
    ImGui::PopStyleColor();
  }
  if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
  ui::mark("metrics/log");
  ImGui::End();
  return width;
}

}  // namespace obs
