#pragma once
// ParamSet: the one declaration of every tunable of a System. It alone drives the
// ImGui panel, the scene JSON, `--set name=value` and validation, so adding a
// parameter is one line in the engine:
//   params_.add_real("K", 1.5, 0, 50).unit("1/s").help("coupling strength").group("Coupling");
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace obs {

enum class ParamType { Real, Int, Bool, Choice, Rational };

struct Param {
  std::string name;
  ParamType type = ParamType::Real;
  double value = 0, def = 0, min = 0, max = 0;  // Choice: index; Bool: 0/1
  std::vector<std::string> choices;             // Choice only
  std::string text, def_text;                   // Rational only: exact "p/q"
  std::string unit_, help_, group_;
  bool restart_ = false;  // changing it rebuilds the state (reset with the same seed)
  bool log_ = false;      // a log-scale slider suits it

  // Fluent setters so a declaration stays one line.
  Param& unit(std::string u) { unit_ = std::move(u); return *this; }
  Param& help(std::string h) { help_ = std::move(h); return *this; }
  Param& group(std::string g) { group_ = std::move(g); return *this; }
  Param& restart(bool r = true) { restart_ = r; return *this; }
  Param& log_scale(bool l = true) { log_ = l; return *this; }
  // A choice's spelling in an older scene version, still read (with a warning) as `now`.
  Param& formerly(std::string old_choice, std::string now) { former_choices.emplace_back(std::move(old_choice), std::move(now)); return *this; }
  std::vector<std::pair<std::string, std::string>> former_choices;  // (old spelling, current)

  bool is_default() const { return type == ParamType::Rational ? text == def_text : value == def; }
  std::string range_text() const;  // "[0, 50]" or "one of: a, b"
  // The value as a person would write it (ten significant digits), or Exact: the shortest text
  // that reads back as the same value (what --set needs to reproduce it).
  enum class Digits { Readable, Exact };
  std::string value_text(Digits digits = Digits::Readable) const;
  std::string default_text(Digits digits = Digits::Readable) const;  // the default, likewise
};

class ParamSet {
 public:
  Param& add_real(std::string name, double def, double min, double max);
  Param& add_int(std::string name, std::int64_t def, std::int64_t min, std::int64_t max);
  Param& add_bool(std::string name, bool def);
  Param& add_choice(std::string name, std::string def, std::vector<std::string> choices);
  // An exact rational written as a string "p/q" (or "p"); min/max bound its value.
  Param& add_rational(std::string name, std::string def, double min, double max);

  // A parameter's name in an older scene version, still read (with a warning) as `current`.
  void add_former_name(std::string former, std::string current);
  const std::string* current_name(const std::string& former) const;  // null if never renamed

  const std::vector<Param>& all() const { return params_; }
  // For a UI mirror that edits values in place; declarations must not change through it.
  std::vector<Param>& all_mutable() { return params_; }
  const Param* find(const std::string& name) const;
  const Param& at(const std::string& name) const;  // throws std::out_of_range

  double real(const std::string& name) const { return at(name).value; }
  std::int64_t integer(const std::string& name) const { return static_cast<std::int64_t>(at(name).value); }
  bool flag(const std::string& name) const { return at(name).value != 0; }
  const std::string& choice(const std::string& name) const;
  const std::string& rational(const std::string& name) const { return at(name).text; }

  // Validating setters. They throw InputError naming `pointer` and what was expected;
  // on error nothing changes.
  void set_json(const std::string& name, const nlohmann::json& v, const std::string& pointer);
  void set_text(const std::string& name, const std::string& text, const std::string& pointer);
  // From a UI widget: the value is already of the right type; it is clamped to range.
  void set_value(const std::string& name, double v);
  void set_rational_text(const std::string& name, const std::string& text);  // validated
  void reset_to_default(const std::string& name);

  nlohmann::json to_json() const;

 private:
  Param& add(Param p);
  Param& at_mut(const std::string& name);
  std::vector<Param> params_;
  std::vector<std::pair<std::string, std::string>> former_names_;  // (former, current)
};

// Exact-rational syntax check shared by the ParamSet and engines that parse fractions:
// "[+-]digits[/digits]" with a non-zero denominator. Returns an explanation on failure.
bool check_rational_text(const std::string& text, std::string* why, double* approx);

}  // namespace obs
