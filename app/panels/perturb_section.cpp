// Break the system on purpose: noise kicks, ablations and NaN/Inf injection, for whichever
// of these the running system supports. Each is applied between two steps.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

bool supports(const App& app, PerturbKind k) {
  const auto& v = app.session.perturbations;
  return std::find(v.begin(), v.end(), k) != v.end();
}

void send(App& app, Perturbation p) {
  app.post_to_target([p](System& s) { s.perturb(p); });  // to A, B or both when twinned
  char text[160];
  std::snprintf(text, sizeof text, "%s (amplitude %.4g, fraction %.4g%s)", std::string(perturb_kind_name(p.kind)).c_str(), p.amplitude, p.fraction,
                p.kind == PerturbKind::Ablate ? (p.mode == AblateMode::Freeze ? ", freeze" : ", remove") : "");
  app.log(Event::Level::Info, app.twin_log_prefix() + text);
  // Applied between two steps on the simulation thread: the step shown now is where it lands
  // while paused, and within a frame's steps of it while running.
  app.mark(app.session.runner->status().step, MarkerKind::Perturb, app.twin_log_prefix() + text);
}

// Typed values (Ctrl+click) are held to the slider's range too: a 1e20 kick is not a setting.
constexpr ImGuiSliderFlags kClamp = ImGuiSliderFlags_AlwaysClamp;

}  // namespace

void perturb_section(App& app) {
  static float noise = 0.5f, fraction = 0.1f, bad_fraction = 0.001f;
  static int mode = 0;
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 7);
  if (supports(app, PerturbKind::Noise)) {
    ImGui::SliderFloat("amplitude", &noise, 0.0f, 3.14159f, "%.3f", kClamp);
    ui::mark("perturb/amplitude");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("standard deviation of the kick, in the state's units (radians for phases)");
    if (ImGui::Button("Inject noise")) send(app, {PerturbKind::Noise, noise, 0, AblateMode::Remove});
    ui::mark("perturb/noise");
  }
  if (supports(app, PerturbKind::Ablate)) {
    ImGui::SliderFloat("fraction", &fraction, 0.0f, 1.0f, "%.3f", kClamp);
    ui::mark("perturb/fraction");
    ImGui::Combo("mode", &mode, "remove\0freeze\0");
    ui::mark("perturb/mode");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("remove: gone from the dynamics\nfreeze: stops moving but still pulls on the others");
    if (ImGui::Button("Ablate")) send(app, {PerturbKind::Ablate, 0, fraction, mode ? AblateMode::Freeze : AblateMode::Remove});
    ui::mark("perturb/ablate");
  }
  if (supports(app, PerturbKind::InjectNaN) || supports(app, PerturbKind::InjectInf)) {
    ImGui::SliderFloat("hit fraction", &bad_fraction, 0.0f, 0.1f, "%.4f", ImGuiSliderFlags_Logarithmic | kClamp);
    ui::mark("perturb/hit fraction");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("share of units that receive the bad value (at least one)");
    if (supports(app, PerturbKind::InjectNaN)) {
      if (ImGui::Button("Inject NaN")) send(app, {PerturbKind::InjectNaN, 0, bad_fraction, AblateMode::Remove});
      ui::mark("perturb/nan");
      ImGui::SameLine();
    }
    if (supports(app, PerturbKind::InjectInf)) {
      if (ImGui::Button("Inject Inf")) send(app, {PerturbKind::InjectInf, 0, bad_fraction, AblateMode::Remove});
      ui::mark("perturb/inf");
    }
  }
  ImGui::PopItemWidth();
}

}  // namespace obs
