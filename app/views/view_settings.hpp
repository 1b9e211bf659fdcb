#pragma once
// A view's settings declared once: each names its key in the scene's "view" object, the field it
// binds, what values it takes, and how it is shown (label, help, format). The settings panel's
// widgets, save and load all come from the declaration (Polyscope's persistent values and
// MuJoCo's `mjuiDef` tables are the models). Loading checks every key before it changes any, so
// a bad scene leaves the view as it was, and refuses a bad value with an InputError naming its
// JSON pointer ("/view/point_size") and what was expected.
//
// The table holds pointers into the view that declares it, so it cannot be copied.
#include <nlohmann/json.hpp>

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

namespace obs {

class ViewSettings {
 public:
  struct Choice {
    const char* name;   // in the scene
    const char* label;  // in the settings panel
  };
  enum class ChoiceWidget { Combo, Radio };
  // The commit of a checked load: assigns every value read. Run it once the view's own
  // (undeclared) keys have been checked too.
  using Commit = std::function<void()>;

  ViewSettings() = default;
  ViewSettings(const ViewSettings&) = delete;
  ViewSettings& operator=(const ViewSettings&) = delete;

  // A null label saves and loads the setting without a widget (the view shows it its own way).
  ViewSettings& flag(const char* key, bool& field, const char* label, const char* help = nullptr);
  // A finite number in [lo, hi]; `log` makes the slider logarithmic.
  ViewSettings& number(const char* key, float& field, float lo, float hi, const char* label, const char* format = "%.2f",
                       const char* help = nullptr, bool log = false);
  // A whole-number field read from any number in [lo, hi] (kept whole by truncation).
  ViewSettings& number(const char* key, int& field, int lo, int hi, const char* label, const char* help = nullptr, bool log = false);
  // A JSON integer in [lo, hi].
  ViewSettings& integer(const char* key, int& field, int lo, int hi, const char* label, const char* help = nullptr);
  template <class Enum>
  ViewSettings& choice(const char* key, Enum& field, std::initializer_list<Choice> choices, const char* label,
                       ChoiceWidget widget = ChoiceWidget::Combo, const char* help = nullptr) {
    return add_choice(key, [&field] { return static_cast<int>(field); }, [&field](int v) { field = static_cast<Enum>(v); }, choices,
                      label, widget, help);
  }
  // Draws the previous setting's widget on the same line as the one before it.
  ViewSettings& beside();

  // Widgets for every labelled setting in declaration order, or for one key; true when one changed.
  bool ui() const;
  bool ui(const char* key) const;

  void save(nlohmann::json& out) const;
  Commit read(const nlohmann::json& view, const std::string& at = "/view") const;
  void load(const nlohmann::json& view, const std::string& at = "/view") const { read(view, at)(); }

 private:
  enum class Kind { Flag, Number, Integer, Choice };
  struct Entry {
    const char* key;
    const char* label;
    const char* help;
    const char* format = nullptr;
    Kind kind{};  // every add_ sets it; the braces keep aggregate initialisation quiet
    double lo = 0, hi = 0;
    bool log = false, same_line = false;
    bool* flag = nullptr;
    float* real = nullptr;
    int* whole = nullptr;
    std::function<int()> get_choice{};
    std::function<void(int)> set_choice{};
    std::vector<Choice> choices{};
    ChoiceWidget widget = ChoiceWidget::Combo;
  };
  ViewSettings& add_choice(const char* key, std::function<int()> get, std::function<void(int)> set, std::initializer_list<Choice> choices,
                           const char* label, ChoiceWidget widget, const char* help);
  bool widget(const Entry& e) const;
  double read_one(const Entry& e, const nlohmann::json& view, const std::string& at) const;
  void assign(const Entry& e, double value) const;

  std::vector<Entry> entries_;
};

}  // namespace obs
