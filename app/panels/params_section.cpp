// The parameter panel, generated from the system's ParamSet: one widget per parameter,
// grouped, with unit, range and help as a tooltip and a button back to the scene's value.
//
// Widgets edit the panel's copy in place, but every change is collected and applied after the
// loop: App::edit_params replaces that copy, and doing it mid-loop left the loop walking freed
// parameters (the crash on releasing the N slider).
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {
namespace {

void tooltip(const Param& p, const Param* file_value) {
  if (!ImGui::IsItemHovered()) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 24);
  ImGui::TextUnformatted(p.help_.c_str());
  ImGui::TextDisabled("%s%s%s   range %s", p.unit_.empty() ? "" : "unit ", p.unit_.c_str(), p.unit_.empty() ? "" : ",",
                      p.range_text().c_str());
  ImGui::TextDisabled("scene file: %s   default: %s", file_value ? file_value->value_text().c_str() : "?", p.default_text().c_str());
  if (p.restart_) ImGui::TextDisabled("changing it restarts the simulation");
  ImGui::TextDisabled("Ctrl+click to type a value");
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

// A slider whose pixels are each worth a sensible step. A plain slider over a range much wider
// than the value (K in [0, 50] at 1.5: 0.32 per pixel) becomes a drag whose speed follows the
// value's size, 0.5 % of it per pixel.
bool wide_range(const Param& p) {
  if (p.log_) return false;
  const double scale = std::max({std::abs(p.def), std::abs(p.value), (p.max - p.min) * 1e-3});
  return (p.max - p.min) > 10 * scale;
}

ImGuiSliderFlags slider_flags(const Param& p) {
  return ImGuiSliderFlags_AlwaysClamp | (p.log_ ? ImGuiSliderFlags_Logarithmic : ImGuiSliderFlags_None);
}

struct WidgetResult {
  bool changed = false;    // apply the edit
  bool continues = false;  // part of a drag already under way (one undo step)
};

WidgetResult widget(Param& p) {
  const char* label = p.name.c_str();
  WidgetResult r;
  switch (p.type) {
    case ParamType::Bool: {
      bool b = p.value != 0;
      r.changed = ImGui::Checkbox(label, &b);
      p.value = b ? 1 : 0;
      break;
    }
    case ParamType::Choice: {
      const int count = static_cast<int>(p.choices.size());
      const int index = std::clamp(static_cast<int>(p.value), 0, std::max(0, count - 1));
      const char* shown = count > 0 ? p.choices[static_cast<std::size_t>(index)].c_str() : "";
      if (ImGui::BeginCombo(label, shown)) {
        for (int i = 0; i < count; ++i) {
          if (ImGui::Selectable(p.choices[static_cast<std::size_t>(i)].c_str(), i == index) && i != index) {
            p.value = i;
            r.changed = true;
          }
          ui::mark("param/" + p.name + "/" + p.choices[static_cast<std::size_t>(i)]);
        }
        ImGui::EndCombo();
      }
      break;
    }
    case ParamType::Int: {
      std::int64_t v = static_cast<std::int64_t>(p.value), lo = static_cast<std::int64_t>(p.min), hi = static_cast<std::int64_t>(p.max);
      const bool moved = wide_range(p) ? ImGui::DragScalar(label, ImGuiDataType_S64, &v,
                                                             static_cast<float>(std::max(0.05, std::abs(p.value) * 0.005)), &lo, &hi, "%lld",
                                                             ImGuiSliderFlags_AlwaysClamp)
                                       : ImGui::SliderScalar(label, ImGuiDataType_S64, &v, &lo, &hi, "%lld", slider_flags(p));
      if (moved) p.value = static_cast<double>(std::clamp(v, lo, hi));
      r.changed = p.restart_ ? ImGui::IsItemDeactivatedAfterEdit() : moved;
      r.continues = !p.restart_ && moved && !ImGui::IsItemActivated();
      break;
    }
    case ParamType::Real: {
      double v = p.value;
      const bool moved = wide_range(p) ? ImGui::DragScalar(label, ImGuiDataType_Double, &v,
                                                             static_cast<float>(std::max({std::abs(p.value), std::abs(p.def), (p.max - p.min) * 1e-4}) * 0.005),
                                                             &p.min, &p.max, "%.4g", ImGuiSliderFlags_AlwaysClamp)
                                       : ImGui::SliderScalar(label, ImGuiDataType_Double, &v, &p.min, &p.max, "%.4g", slider_flags(p));
      if (moved && std::isfinite(v)) p.value = std::clamp(v, p.min, p.max);
      r.changed = p.restart_ ? ImGui::IsItemDeactivatedAfterEdit() : moved;
      r.continues = !p.restart_ && moved && !ImGui::IsItemActivated();
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
          r.changed = true;
        }
      }
      break;
    }
  }
  return r;
}

bool same_value(const Param& a, const Param& b) { return a.type == ParamType::Rational ? a.text == b.text : a.value == b.value; }

}  // namespace

void params_section(App& app) {
  ParamSet& ps = app.session.params;
  const ParamSet& file = app.session.file_params;
  // Keep declaration order within each group; groups in order of first appearance.
  std::vector<std::string> groups;
  for (const auto& p : ps.all())
    if (std::find(groups.begin(), groups.end(), p.group_) == groups.end()) groups.push_back(p.group_);

  // The value before a gesture began: a restart parameter's slider moves the panel's copy for
  // the whole drag and applies on release, and the log and undo must name the value it left.
  static std::string gesture_name;
  static ParamEdit gesture_start;
  std::vector<ParamEdit> edits, before;
  bool continues = false;
  // Room right of the widgets for the longest name and the R button, so no name is cut off
  // (projection_smoothing), unless that would leave a widget narrower than 7 em.
  const float em = ImGui::GetFontSize();
  float widest = 0;
  for (const auto& p : ps.all()) widest = std::max(widest, ImGui::CalcTextSize(p.name.c_str()).x);
  const float names = widest + em * 1.2f + ImGui::GetStyle().ItemInnerSpacing.x * 2 + em * 0.3f;
  ImGui::PushItemWidth(-std::clamp(names, em * 8.5f, std::max(em * 8.5f, ImGui::GetContentRegionAvail().x - em * 7.0f)));
  for (const auto& group : groups) {
    if (!group.empty()) ImGui::TextDisabled("%s", group.c_str());
    for (Param& p : ps.all_mutable()) {
      if (p.group_ != group) continue;
      const Param* from_file = file.find(p.name);
      ImGui::PushID(p.name.c_str());
      const ParamEdit pre{p.name, p.value, p.text};
      const WidgetResult r = widget(p);
      ui::mark("param/" + p.name);
      if (ImGui::IsItemActivated()) {
        gesture_name = p.name;
        gesture_start = pre;
      }
      tooltip(p, from_file);
      if (r.changed) {
        edits.push_back({p.name, p.value, p.text});
        before.push_back(gesture_name == p.name ? gesture_start : pre);
        continues = r.continues;
      }
      ImGui::SameLine(ImGui::GetContentRegionAvail().x + ImGui::GetCursorStartPos().x - ImGui::GetFontSize() * 1.2f);
      ImGui::BeginDisabled(!from_file || same_value(p, *from_file));
      if (ImGui::SmallButton("R") && from_file) {
        edits.push_back({p.name, from_file->value, from_file->text});
        before.push_back({p.name, p.value, p.text});
      }
      ui::mark("param/" + p.name + "/R");
      if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled) && from_file)
        ImGui::SetTooltip("back to the scene file's %s, %s", p.name.c_str(), from_file->value_text().c_str());
      ImGui::EndDisabled();
      ImGui::PopID();
    }
  }
  ImGui::PopItemWidth();
  if (ImGui::Button("Reset all to defaults")) {
    // ONE edit: posting them one at a time would pass through intermediate combinations an
    // engine may refuse (the pump's w_min > w_max).
    edits.clear();
    before.clear();
    for (const auto& p : ps.all())
      if (!p.is_default()) {
        edits.push_back({p.name, p.def, p.def_text});
        before.push_back({p.name, p.value, p.text});
      }
    continues = false;
  }
  ui::mark("params/reset all");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Every parameter to the engine's declared default (Revert in the Scene panel goes back to the file)");
  // The widgets have already moved the panel's copy: `before` says what it held.
  if (!edits.empty()) app.edit_params(edits, continues, before);
}

}  // namespace obs

