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
  // Slow systems (eqprop with 200 layers takes seconds per step) read as a fraction, not "0",
  // and a step that has run for over half a second shows its time instead of the rate. On the
  // same line: a line that came and went would move every widget below it under the mouse.
  if (st.step_running_seconds > 0.5 && st.last_step_seconds > 0)
    ImGui::Text("this step %.1f s, last %.1f s   %.0f fps", st.step_running_seconds, st.last_step_seconds, app.fps);
  else if (st.step_running_seconds > 0.5)  // the first step of a run: no last one yet
    ImGui::Text("this step %.1f s   %.0f fps", st.step_running_seconds, app.fps);
  else
    ImGui::Text(st.steps_per_second >= 10 || st.steps_per_second == 0 ? "%.0f steps/s   %.0f fps" : "%.2f steps/s   %.0f fps",
                st.steps_per_second, app.fps);
  if (app.recording_left > 0) {
    ImGui::SameLine();
    // The time recorded so far, as the video will play it.
    const int seconds = app.recording_index / std::max(1, app.record_format == App::RecordFormat::PngFrames ? 30 : app.record_fps);
    ImGui::TextColored({1.0f, 0.3f, 0.3f, 1}, "REC %02d:%02d", seconds / 60, seconds % 60);
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
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Threads the engine may use inside a step. The window needs a core too: on a 2-core\n"
                      "machine, 1 keeps the view smooth. Above 1, each parallel loop times itself and\n"
                      "drops back to one thread while the other core is busy.");

  std::uint64_t seed = st.seed;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::InputScalar("seed", ImGuiDataType_U64, &seed, nullptr, nullptr, "%" PRIu64, ImGuiInputTextFlags_EnterReturnsTrue))
    restart_with_seed(app, seed);
  ui::mark("run/seed");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Enter: restart with this seed (same scene + seed = same run, bit for bit)");
  ImGui::SameLine();
  if (ImGui::Button("new seed")) restart_with_seed(app, seed + 1);
  ui::mark("run/new seed");

  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::SliderInt("rewind memory", &app.rewind_budget_mb, 16, 8192, "%d MB", ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
    runner.set_rewind_budget(static_cast<std::uint64_t>(app.rewind_budget_mb) << 20);
  ui::mark("run/rewind memory");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Memory for the timeline's checkpoints (now %zu, %.1f MB). More keeps the far past\n"
                      "denser; less thins it sooner (recent steps stay dense).", st.rewind_checkpoints,
                      static_cast<double>(st.rewind_bytes) / (1 << 20));
}

}  // namespace obs
