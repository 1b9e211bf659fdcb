#include "views/view_settings.hpp"

#include <imgui.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "core/input_error.hpp"
#include "input/ui_marks.hpp"

namespace obs {
namespace {

[[noreturn]] void refuse(const std::string& at, const char* key, const std::string& expected, const nlohmann::json& got) {
  throw InputError(std::string(at).append("/").append(key), std::string(expected).append(", got ").append(got.dump()));
}

}  // namespace

ViewSettings& ViewSettings::flag(const char* key, bool& field, const char* label, const char* help) {
  Entry e{key, label, help};
  e.kind = Kind::Flag;
  e.flag = &field;
  entries_.push_back(std::move(e));
  return *this;
}

ViewSettings& ViewSettings::number(const char* key, float& field, float lo, float hi, const char* label, const char* format,
                                   const char* help, bool log) {
  Entry e{key, label, help, format};
  e.kind = Kind::Number;
  e.lo = lo, e.hi = hi, e.log = log;
  e.real = &field;
  entries_.push_back(std::move(e));
  return *this;
}

ViewSettings& ViewSettings::number(const char* key, int& field, int lo, int hi, const char* label, const char* help, bool log) {
  Entry e{key, label, help, "%d"};
  e.kind = Kind::Number;
  e.lo = lo, e.hi = hi, e.log = log;
  e.whole = &field;
  entries_.push_back(std::move(e));
  return *this;
}

ViewSettings& ViewSettings::integer(const char* key, int& field, int lo, int hi, const char* label, const char* help) {
  Entry e{key, label, help, "%d"};
  e.kind = Kind::Integer;
  e.lo = lo, e.hi = hi;
  e.whole = &field;
  entries_.push_back(std::move(e));
  return *this;
}

ViewSettings& ViewSettings::add_choice(const char* key, std::function<int()> get, std::function<void(int)> set,
                                       std::initializer_list<Choice> choices, const char* label, ChoiceWidget widget, const char* help) {
  Entry e{key, label, help};
  e.kind = Kind::Choice;
  e.get_choice = std::move(get);
  e.set_choice = std::move(set);
  e.choices = choices;
  e.widget = widget;
  entries_.push_back(std::move(e));
  return *this;
}

ViewSettings& ViewSettings::beside() {
  if (!entries_.empty()) entries_.back().same_line = true;
  return *this;
}

bool ViewSettings::widget(const Entry& e) const {
  if (!e.label) return false;
  if (e.same_line) ImGui::SameLine();
  bool changed = false;
  switch (e.kind) {
    case Kind::Flag:
      changed = ImGui::Checkbox(e.label, e.flag);
      ui::mark(std::string("view/") + e.key);
      break;
    case Kind::Number:
    case Kind::Integer: {
      const ImGuiSliderFlags flags = e.log ? ImGuiSliderFlags_Logarithmic : ImGuiSliderFlags_None;
      if (e.real) changed = ImGui::SliderFloat(e.label, e.real, static_cast<float>(e.lo), static_cast<float>(e.hi), e.format, flags);
      else changed = ImGui::SliderInt(e.label, e.whole, static_cast<int>(e.lo), static_cast<int>(e.hi), e.format, flags);
      ui::mark(std::string("view/") + e.key);
      break;
    }
    case Kind::Choice: {
      int v = e.get_choice();
      const std::string mark = std::string("view/") + e.key + "/";
      if (e.widget == ChoiceWidget::Radio) {
        ImGui::TextUnformatted(e.label);
        ImGui::PushID(e.key);
        for (std::size_t k = 0; k < e.choices.size(); ++k) {
          if (k) ImGui::SameLine();
          changed |= ImGui::RadioButton(e.choices[k].label, &v, static_cast<int>(k));
          ui::mark(mark + e.choices[k].name);
        }
        ImGui::PopID();
      } else {
        const bool open = ImGui::BeginCombo(e.label, e.choices[static_cast<std::size_t>(v)].label);
        ui::mark(mark.substr(0, mark.size() - 1));
        if (e.help && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", e.help);
        if (open) {
          for (std::size_t k = 0; k < e.choices.size(); ++k) {
            if (ImGui::Selectable(e.choices[k].label, static_cast<int>(k) == v) && static_cast<int>(k) != v) v = static_cast<int>(k), changed = true;
            ui::mark(mark + e.choices[k].name);
          }
          ImGui::EndCombo();
        }
      }
      if (changed) e.set_choice(v);
      return changed;  // a combo's help is shown above, while the combo was the last item
    }
  }
  if (e.help && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", e.help);
  return changed;
}

bool ViewSettings::ui() const {
  bool changed = false;
  for (const Entry& e : entries_) changed |= widget(e);
  return changed;
}

bool ViewSettings::ui(const char* key) const {
  for (const Entry& e : entries_)
    if (std::string_view(e.key) == key) return widget(e);
  return false;
}

void ViewSettings::save(nlohmann::json& out) const {
  for (const Entry& e : entries_) {
    switch (e.kind) {
      case Kind::Flag: out[e.key] = *e.flag; break;
      case Kind::Number:
      case Kind::Integer:
        if (e.real) out[e.key] = *e.real;
        else out[e.key] = *e.whole;
        break;
      case Kind::Choice: out[e.key] = e.choices[static_cast<std::size_t>(e.get_choice())].name; break;
    }
  }
}

double ViewSettings::read_one(const Entry& e, const nlohmann::json& view, const std::string& at) const {
  const nlohmann::json& x = view.at(e.key);
  switch (e.kind) {
    case Kind::Flag:
      if (!x.is_boolean()) refuse(at, e.key, "expected true or false", x);
      return x.get<bool>() ? 1 : 0;
    case Kind::Number: {
      double v = x.is_number() ? x.get<double>() : NAN;
      // A float field's bounds are floats: 0.2f is 0.2000000030, above the 0.2 a person writes
      // for the declared minimum. The value is compared as the float it will be stored as.
      if (e.real && std::abs(v) <= std::numeric_limits<float>::max()) v = static_cast<float>(v);
      // Written so that NaN fails too.
      if (!(v >= e.lo && v <= e.hi)) {
        char range[80];
        std::snprintf(range, sizeof range, "expected a number in [%g, %g]", e.lo, e.hi);
        refuse(at, e.key, range, x);
      }
      return v;
    }
    case Kind::Integer: {
      const auto lo = static_cast<long long>(e.lo), hi = static_cast<long long>(e.hi);
      // An unsigned value beyond int64 is refused rather than wrapped.
      if (!x.is_number_integer() || (x.is_number_unsigned() && x.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) ||
          x.get<long long>() < lo || x.get<long long>() > hi)
        refuse(at, e.key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", x);
      return static_cast<double>(x.get<long long>());
    }
    case Kind::Choice: {
      std::string expected;
      for (std::size_t k = 0; k < e.choices.size(); ++k) {
        if (x.is_string() && x.get<std::string>() == e.choices[k].name) return static_cast<double>(k);
        expected.append(k ? ", \"" : "\"").append(e.choices[k].name).append("\"");
      }
      refuse(at, e.key, "expected one of " + expected, x);
    }
  }
  return 0;
}

void ViewSettings::assign(const Entry& e, double value) const {
  switch (e.kind) {
    case Kind::Flag: *e.flag = value != 0; break;
    case Kind::Number:
    case Kind::Integer:
      if (e.real) *e.real = static_cast<float>(value);
      else *e.whole = static_cast<int>(value);
      break;
    case Kind::Choice: e.set_choice(static_cast<int>(value)); break;
  }
}

ViewSettings::Commit ViewSettings::read(const nlohmann::json& view, const std::string& at) const {
  if (!view.is_null() && !view.is_object()) throw InputError(at, "expected an object, got " + view.dump());
  std::vector<std::pair<const Entry*, double>> values;
  if (view.is_object())
    for (const Entry& e : entries_)
      if (view.contains(e.key)) values.emplace_back(&e, read_one(e, view, at));
  return [this, values = std::move(values)] {
    for (const auto& [e, v] : values) assign(*e, v);
  };
}

}  // namespace obs
