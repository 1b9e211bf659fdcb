// Break the system on purpose: noise kicks, ablations and NaN/Inf injection, for whichever
// of these the running system supports. Each is applied between two steps.
#include <imgui.h>

#include <algorithm>

#include "app.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

bool supports(const App& app, PerturbKind k) {
  const auto& v = app.session.perturbations;
  return std::find(v.begin(), v.end(), k) != v.end();
}

void send(App& app, Perturbation p) {
  app.session.runner->post([p](System& s) { s.perturb(p); });
}

}  // namespace

void perturb_section(App& app) {
  static float noise = 0.5f, fraction = 0.1f, bad_fraction = 0.001f;
  static int mode = 0;
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 7);
  if (supports(app, PerturbKind::Noise)) {
    ImGui::SliderFloat("amplitude", &noise, 0.0f, 3.14159f, "%.3f");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("standard deviation of the kick, in the state's units (radians for phases)");
    if (ImGui::Button("Inject noise")) send(app, {PerturbKind::Noise, noise, 0, AblateMode::Remove});
  }
  if (supports(app, PerturbKind::Ablate)) {
    ImGui::SliderFloat("fraction", &fraction, 0.0f, 1.0f, "%.3f");
    ImGui::Combo("mode", &mode, "remove\0freeze\0");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("remove: gone from the dynamics\nfreeze: stops moving but still pulls on the others");
    if (ImGui::Button("Ablate")) send(app, {PerturbKind::Ablate, 0, fraction, mode ? AblateMode::Freeze : AblateMode::Remove});
  }
  if (supports(app, PerturbKind::InjectNaN) || supports(app, PerturbKind::InjectInf)) {
    ImGui::SliderFloat("hit fraction", &bad_fraction, 0.0f, 0.1f, "%.4f", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("share of units that receive the bad value (at least one)");
    if (supports(app, PerturbKind::InjectNaN) && ImGui::Button("Inject NaN")) send(app, {PerturbKind::InjectNaN, 0, bad_fraction, AblateMode::Remove});
    ImGui::SameLine();
    if (supports(app, PerturbKind::InjectInf) && ImGui::Button("Inject Inf")) send(app, {PerturbKind::InjectInf, 0, bad_fraction, AblateMode::Remove});
  }
  ImGui::PopItemWidth();
}

}  // namespace obs
