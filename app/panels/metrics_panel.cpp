// Right column: every metric plotted live over a chosen window of steps, CSV export of the
// whole retained history, and the event log (NaN quarantines, ablations, load errors).
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cinttypes>
#include <vector>

#include "app.hpp"
#include "panels/panels.hpp"
#include "panels/plot_widget.hpp"

namespace obs {

void draw_metrics_panel(App& app, ImVec2 pos, ImVec2 size) {
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::Begin("Metrics", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);

  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 4);
  ImGui::SliderInt("window", &app.metrics_window, 50, 65536, "%d steps", ImGuiSliderFlags_Logarithmic);

  // Copy the window out under the lock, then draw without holding it.
  std::vector<std::string> names;
  std::vector<std::vector<double>> columns;
  std::uint64_t first = 0, last = 0;
  app.session.runner->with_series([&](const SeriesStore& s) {
    names = s.names();
    const std::size_t n = std::min<std::size_t>(s.size(), static_cast<std::size_t>(app.metrics_window));
    const std::size_t start = s.size() - n;
    columns.assign(names.size(), std::vector<double>(n));
    for (std::size_t m = 0; m < names.size(); ++m)
      for (std::size_t i = 0; i < n; ++i) columns[m][i] = s.value_at(start + i, m);
    if (n) {
      first = s.step_at(start);
      last = s.step_at(s.size() - 1);
    }
  });
  ImGui::TextDisabled("steps %" PRIu64 " .. %" PRIu64, first, last);
  const float plot_h = ImGui::GetFontSize() * 4.2f;
  for (std::size_t m = 0; m < names.size(); ++m) plot_series(names[m].c_str(), columns[m], plot_h);

  ImGui::Separator();
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 7);
  ImGui::InputText("##csv", &app.metrics_csv_path);
  ImGui::SameLine();
  if (ImGui::Button("Export CSV")) app.export_metrics_csv(app.metrics_csv_path);

  ImGui::Separator();
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
  ImGui::End();
}

}  // namespace obs
