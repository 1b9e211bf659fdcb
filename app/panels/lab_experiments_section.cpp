// The TorEqProp lab's experiments, one switch each, for a running eqprop scene. A switch sets
// the parameter the experiment is made of (through App::edit_params, as the Parameters panel
// does: the same undo, log and restart), and its tooltip says what the experiment measures.
// Finer settings (evolving feedback, the oracle's noise inputs, how many dreams) stay in the
// Parameters panel; a switch shows on at any value but its "off" (evolving feedback is feedback
// alignment too, 5 dreams is dreaming), and switched on it sets its own "on" value.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

struct Experiment {
  const char* label;
  const char* param;
  const char* on;   // the value that switches it on: a choice's name, "true", or a number
  const char* off;  // and off
  const char* what;
};

constexpr Experiment kExperiments[] = {
    {"backprop baseline", "algorithm", "backprop", "eqprop",
     "the same layers trained by backprop instead of EqProp (restarts the run)"},
    {"feedback alignment", "feedback", "random", "symmetric",
     "layers read the one above through fixed random weights B instead of W^T (restarts); feedback_cos.\n"
     "It learns best with lr_first about 3x the symmetric net's; 'evolving' (Kolen-Pollack) is in Parameters"},
    {"homeostasis", "homeostasis", "true", "false",
     "each layer brakes or boosts its own step toward homeo_velocity and shrinks a layer too saturated to move;\n"
     "homeo_gain_W*, homeo_velocity_W*, homeo_slope_h*"},
    {"single-phase learning", "nudge_schedule", "oscillating", "phases",
     "one relaxation under an oscillating nudge, the update its first Fourier coefficient: no phase switch"},
    {"ternary weights", "weights", "ternary", "float", "every weight in {-1, 0, +1} x a scale per layer (restarts); weight_zeros"},
    {"robustness and healing", "robustness", "true", "false",
     "after each test pass: noise and ablation mid-inference, and healing by learning with 15 % dead;\n"
     "acc_noise_*, acc_ablate_*, heal_*"},
    {"oracle: out of distribution", "ood", "inverted", "none",
     "after each test pass, settling time and margin as detectors of inverted test images; ood_settle_auroc, ood_margin_auroc"},
    {"dreaming", "dreams", "10", "0",
     "after each test pass ten dreams per class, drawn in the view; dream_accuracy is the share answered as their class"},
};

// `text` as the parameter's value: a choice's index, 1/0 for true/false, or the number; NaN
// when the parameter has no such value.
double value_of(const Param& p, const std::string& text) {
  if (p.type == ParamType::Choice) {
    const auto it = std::find(p.choices.begin(), p.choices.end(), text);
    return it == p.choices.end() ? std::nan("") : static_cast<double>(it - p.choices.begin());
  }
  if (text == "true") return 1;
  if (text == "false") return 0;
  return std::stod(text);
}

}  // namespace

void lab_experiments_section(App& app) {
  ImGui::TextWrapped("Switch an experiment of the TorEqProp lab on or off; the pointer on one says what it measures.");
  for (const Experiment& e : kExperiments) {
    const Param* p = app.session.params.find(e.param);
    if (!p) continue;  // not this engine's parameter
    const double on = value_of(*p, e.on), off = value_of(*p, e.off);
    if (std::isnan(on) || std::isnan(off)) continue;
    bool checked = p->value != off;
    if (ImGui::Checkbox(e.label, &checked)) {
      const ParamEdit before{p->name, p->value, p->text};
      const ParamEdit edit{p->name, checked ? on : off, p->text};
      app.edit_params({&edit, 1}, false, {&before, 1});
    }
    ui::mark(std::string("lab/experiment/") + e.param);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n(%s = %s when on, %s when off)", e.what, e.param, e.on, e.off);
  }
  // Where a perturbation lands: the showcase's free sweep after which Inject noise and Ablate
  // (Perturb) hit, mid-relaxation, so the view shows the Blue channel route around the damage.
  if (const Param* kick = app.session.params.find("kick_at")) {
    int k = static_cast<int>(kick->value);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("perturb at sweep");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    if (ImGui::InputInt("##kick_at", &k, 0, 0, ImGuiInputTextFlags_EnterReturnsTrue)) {
      k = std::clamp(k, static_cast<int>(kick->min), static_cast<int>(kick->max));
      const ParamEdit before{kick->name, kick->value, kick->text};
      const ParamEdit edit{kick->name, static_cast<double>(k), kick->text};
      app.edit_params({&edit, 1}, false, {&before, 1});
    }
    ui::mark("lab/kick_at");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("kick_at: Inject noise and Ablate (Perturb) land after this many free sweeps of the next showcase\n"
                        "(0: before it starts)");
  }
}

}  // namespace obs
