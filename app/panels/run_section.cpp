#include <imgui.h>

#include <algorithm>
#include <cinttypes>
#include <thread>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

void restart_with_seed(App& app, std::uint64_t seed) {
  app.session.runner->post([seed](System& s) { s.reset(seed); });
  app.log(Event::Level::Info, "restarted with seed " + std::to_string(seed));
}

}  // namespace

void run_section(App& app) {
  SimRunner& runner = *app.session.runner;
  const SimRunner::Status st = runner.status();
  ImGui::Text("%s   step %" PRIu64, st.kind.c_str(), st.step);
  ImGui::Text("%.0f steps/s   %.0f fps", st.steps_per_second, app.fps);
  if (app.recording_left > 0) {
    ImGui::SameLine();
    ImGui::TextColored({1.0f, 0.3f, 0.3f, 1}, "REC");
  }

  if (ImGui::Button(st.playing ? "Pause###play" : "Play###play", {ImGui::GetFontSize() * 5, 0})) app.toggle_play();
  ui::mark("run/play");
  ImGui::SameLine();
  if (ImGui::Button("Step")) app.step_once();
  ui::mark("run/step");
  ImGui::SameLine();
  if (ImGui::Button("Reset")) app.reset_simulation();
  ui::mark("run/reset");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Restart from the scene's initial state with the current seed (Backspace)");

  // Speed: steps per second, or as fast as the machine goes.
  bool unlimited = runner.speed() <= 0;
  if (ImGui::Checkbox("max speed", &unlimited)) runner.set_speed(unlimited ? 0 : app.paced_speed);
  ui::mark("run/max speed");
  if (!unlimited) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderFloat("##speed", &app.paced_speed, 1.0f, 100000.0f, "%.0f steps/s", ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
      runner.set_speed(app.paced_speed);
    ui::mark("run/speed");
  }

  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  if (ImGui::SliderInt("sim threads", &app.sim_threads, 1, std::max(1, static_cast<int>(std::thread::hardware_concurrency())), "%d",
                       ImGuiSliderFlags_AlwaysClamp))
    runner.set_worker_threads(app.sim_threads);
  ui::mark("run/sim threads");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Threads the engine uses inside a step. The window needs a core too:\non a 2-core machine, 1 keeps the view smooth.");

  std::uint64_t seed = st.seed;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::InputScalar("seed", ImGuiDataType_U64, &seed, nullptr, nullptr, "%" PRIu64, ImGuiInputTextFlags_EnterReturnsTrue))
    restart_with_seed(app, seed);
  ui::mark("run/seed");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Enter: restart with this seed (same scene + seed = same run, bit for bit)");
  ImGui::SameLine();
  if (ImGui::Button("new seed")) restart_with_seed(app, seed + 1);
  ui::mark("run/new seed");
}

}  // namespace obs
