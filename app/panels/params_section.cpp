// The parameter panel, generated from the system's ParamSet: one widget per parameter,
// grouped, with unit, range and help as a tooltip and a reset-to-default button.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "app.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

// Posts a parameter change through the App's one edit path (views use it too).
void apply(App& app, const Param& p) {
  const ParamEdit edit{p.name, p.value, p.text};
  app.edit_params({&edit, 1});
}

void tooltip(const Param& p) {
  if (!ImGui::IsItemHovered()) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 24);
  ImGui::TextUnformatted(p.help_.c_str());
  ImGui::TextDisabled("%s%s%s   range %s", p.unit_.empty() ? "" : "unit ", p.unit_.c_str(), p.unit_.empty() ? "" : ",",
                      p.range_text().c_str());
  if (p.restart_) ImGui::TextDisabled("changing it restarts the simulation");
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

// Returns true when the edit is finished and should be applied. Restart parameters apply on
// release so dragging a slider does not rebuild the state every frame.
bool widget(Param& p) {
  const char* label = p.name.c_str();
  bool changed = false;
  switch (p.type) {
    case ParamType::Bool: {
      bool b = p.value != 0;
      changed = ImGui::Checkbox(label, &b);
      p.value = b ? 1 : 0;
      break;
    }
    case ParamType::Choice: {
      int index = static_cast<int>(p.value);
      if (ImGui::BeginCombo(label, p.choices[static_cast<std::size_t>(index)].c_str())) {
        for (int i = 0; i < static_cast<int>(p.choices.size()); ++i)
          if (ImGui::Selectable(p.choices[static_cast<std::size_t>(i)].c_str(), i == index)) {
            p.value = i;
            changed = true;
          }
        ImGui::EndCombo();
      }
      break;
    }
    case ParamType::Int: {
      std::int64_t v = static_cast<std::int64_t>(p.value), lo = static_cast<std::int64_t>(p.min), hi = static_cast<std::int64_t>(p.max);
      const bool moved = ImGui::SliderScalar(label, ImGuiDataType_S64, &v, &lo, &hi, "%lld",
                                             ImGuiSliderFlags_AlwaysClamp | (p.log_ ? ImGuiSliderFlags_Logarithmic : ImGuiSliderFlags_None));
      if (moved) p.value = static_cast<double>(v);
      changed = p.restart_ ? ImGui::IsItemDeactivatedAfterEdit() : moved;
      break;
    }
    case ParamType::Real: {
      double v = p.value;
      const bool moved = ImGui::SliderScalar(label, ImGuiDataType_Double, &v, &p.min, &p.max, "%.4g",
                                             ImGuiSliderFlags_AlwaysClamp | (p.log_ ? ImGuiSliderFlags_Logarithmic : ImGuiSliderFlags_None));
      if (moved) p.value = v;
      changed = p.restart_ ? ImGui::IsItemDeactivatedAfterEdit() : moved;
      break;
    }
    case ParamType::Rational: {
      std::string text = p.text;
      if (ImGui::InputText(label, &text, ImGuiInputTextFlags_EnterReturnsTrue)) {
        std::string why;
        double approx = 0;
        if (check_rational_text(text, &why, &approx) && approx >= p.min && approx <= p.max) {
          p.text = text;
          p.value = approx;
          changed = true;
        }
      }
      break;
    }
  }
  tooltip(p);
  return changed;
}

}  // namespace

void params_section(App& app) {
  ParamSet& ps = app.session.params;
  // Keep declaration order within each group; groups in order of first appearance.
  std::vector<std::string> groups;
  for (const auto& p : ps.all())
    if (std::find(groups.begin(), groups.end(), p.group_) == groups.end()) groups.push_back(p.group_);

  ImGui::PushItemWidth(-ImGui::GetFontSize() * 8.5f);
  for (const auto& group : groups) {
    if (!group.empty()) ImGui::TextDisabled("%s", group.c_str());
    for (Param& p : ps.all_mutable()) {
      if (p.group_ != group) continue;
      ImGui::PushID(p.name.c_str());
      if (widget(p)) apply(app, p);
      ImGui::SameLine(ImGui::GetContentRegionAvail().x + ImGui::GetCursorStartPos().x - ImGui::GetFontSize() * 1.2f);
      ImGui::BeginDisabled(p.is_default());
      if (ImGui::SmallButton("R")) {
        ps.reset_to_default(p.name);
        apply(app, p);
      }
      if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("reset %s to its default, %s", p.name.c_str(), p.default_text().c_str());
      ImGui::EndDisabled();
      ImGui::PopID();
    }
  }
  ImGui::PopItemWidth();
  if (ImGui::Button("Reset all to defaults")) {
    // ONE edit: posting them one at a time would pass through intermediate combinations an
    // engine may refuse (the pump's w_min > w_max).
    std::vector<ParamEdit> edits;
    for (const auto& p : ps.all())
      if (!p.is_default()) edits.push_back({p.name, p.def, p.def_text});
    app.edit_params(edits);
  }
}

}  // namespace obs
