#include <imgui.h>

#include <algorithm>
#include <cinttypes>
#include <thread>

#include "app.hpp"
#include "panels/panels.hpp"

namespace obs {

void run_section(App& app) {
  SimRunner& runner = *app.session.runner;
  const SimRunner::Status st = runner.status();
  ImGui::Text("%s   step %" PRIu64, st.kind.c_str(), st.step);
  ImGui::Text("%.0f steps/s   %.0f fps", st.steps_per_second, app.fps);

  if (ImGui::Button(st.playing ? "Pause" : "Play", {ImGui::GetFontSize() * 5, 0})) app.toggle_play();
  ImGui::SameLine();
  if (ImGui::Button("Step")) app.step_once();
  ImGui::SameLine();
  if (ImGui::Button("Reset")) app.reset_simulation();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Restart from the scene's initial state with the current seed (Backspace)");

  // Speed: steps per second, or as fast as the machine goes.
  bool unlimited = runner.speed() <= 0;
  if (ImGui::Checkbox("max speed", &unlimited)) runner.set_speed(unlimited ? 0 : app.paced_speed);
  if (!unlimited) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderFloat("##speed", &app.paced_speed, 1.0f, 100000.0f, "%.0f steps/s", ImGuiSliderFlags_Logarithmic))
      runner.set_speed(app.paced_speed);
  }

  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  if (ImGui::SliderInt("sim threads", &app.sim_threads, 1, std::max(1, static_cast<int>(std::thread::hardware_concurrency()))))
    runner.set_worker_threads(app.sim_threads);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Threads the engine uses inside a step. The window needs a core too:\non a 2-core machine, 1 keeps the view smooth.");

  std::uint64_t seed = st.seed;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::InputScalar("seed", ImGuiDataType_U64, &seed, nullptr, nullptr, "%" PRIu64, ImGuiInputTextFlags_EnterReturnsTrue))
    runner.post([seed](System& s) { s.reset(seed); });
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Enter: restart with this seed (same scene + seed = same run, bit for bit)");
  ImGui::SameLine();
  if (ImGui::Button("new seed")) runner.post([seed](System& s) { s.reset(seed + 1); });
}

}  // namespace obs
