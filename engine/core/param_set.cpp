#include "core/param_set.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "core/input_error.hpp"

namespace obs {
namespace {

// As a person reads it: ten significant digits.
std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// The shortest text that reads back as the same double (2 pi is 6.283185307179586).
std::string exact_number_text(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) {
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  return std::string(buf, end);
}

std::string json_text(const nlohmann::json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

}  // namespace

std::string Param::range_text() const {
  switch (type) {
    case ParamType::Bool: return "true or false";
    case ParamType::Choice: {
      std::string s = "one of:";
      for (const auto& c : choices) s += " \"" + c + "\"";
      return s;
    }
    default: return "[" + number_text(min) + ", " + number_text(max) + "]";
  }
}

std::string Param::value_text(Digits digits) const {
  switch (type) {
    case ParamType::Bool: return value != 0 ? "true" : "false";
    case ParamType::Choice: return choices.at(static_cast<std::size_t>(value));
    case ParamType::Rational: return text;
    default: return digits == Digits::Exact ? exact_number_text(value) : number_text(value);
  }
}

std::string Param::default_text(Digits digits) const {
  Param d = *this;
  d.value = def;
  d.text = def_text;
  return d.value_text(digits);
}

Param& ParamSet::add(Param p) {
  if (find(p.name)) throw std::logic_error("parameter declared twice: " + p.name);
  params_.push_back(std::move(p));
  return params_.back();
}

Param& ParamSet::add_real(std::string name, double def, double min, double max) {
  Param p;
  p.name = std::move(name);
  p.type = ParamType::Real;
  p.value = p.def = def;
  p.min = min;
  p.max = max;
  return add(std::move(p));
}

Param& ParamSet::add_int(std::string name, std::int64_t def, std::int64_t min, std::int64_t max) {
  Param& p = add_real(std::move(name), static_cast<double>(def), static_cast<double>(min),
                      static_cast<double>(max));
  p.type = ParamType::Int;
  return p;
}

Param& ParamSet::add_bool(std::string name, bool def) {
  Param& p = add_real(std::move(name), def ? 1 : 0, 0, 1);
  p.type = ParamType::Bool;
  return p;
}

Param& ParamSet::add_choice(std::string name, std::string def, std::vector<std::string> choices) {
  const auto it = std::find(choices.begin(), choices.end(), def);
  if (it == choices.end()) throw std::logic_error("default not among choices: " + name);
  const double index = static_cast<double>(it - choices.begin());
  Param& p = add_real(std::move(name), index, 0, static_cast<double>(choices.size() - 1));
  p.type = ParamType::Choice;
  p.choices = std::move(choices);
  return p;
}

Param& ParamSet::add_rational(std::string name, std::string def, double min, double max) {
  double approx = 0;
  std::string why;
  if (!check_rational_text(def, &why, &approx)) throw std::logic_error("bad default for " + name + ": " + why);
  Param& p = add_real(std::move(name), approx, min, max);
  p.type = ParamType::Rational;
  p.text = p.def_text = def;
  return p;
}

void ParamSet::add_former_name(std::string former, std::string current) {
  if (find(former) || !find(current)) throw std::logic_error("bad rename " + former + " -> " + current);
  former_names_.emplace_back(std::move(former), std::move(current));
}

const std::string* ParamSet::current_name(const std::string& former) const {
  for (const auto& [old, now] : former_names_)
    if (old == former) return &now;
  return nullptr;
}

const Param* ParamSet::find(const std::string& name) const {
  for (const auto& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

const Param& ParamSet::at(const std::string& name) const {
  if (const Param* p = find(name)) return *p;
  throw std::out_of_range("no parameter named " + name);
}

Param& ParamSet::at_mut(const std::string& name) { return const_cast<Param&>(at(name)); }

const std::string& ParamSet::choice(const std::string& name) const {
  const Param& p = at(name);
  return p.choices.at(static_cast<std::size_t>(p.value));
}

void ParamSet::set_json(const std::string& name, const nlohmann::json& v, const std::string& pointer) {
  Param& p = at_mut(name);
  auto fail = [&](const std::string& expected) {
    throw InputError(pointer, "expected " + expected + ", got " + json_text(v));
  };
  switch (p.type) {
    case ParamType::Bool:
      if (!v.is_boolean()) fail("true or false");
      p.value = v.get<bool>() ? 1 : 0;
      return;
    case ParamType::Choice: {
      if (!v.is_string()) fail(p.range_text());
      const auto s = v.get<std::string>();
      const auto it = std::find(p.choices.begin(), p.choices.end(), s);
      if (it == p.choices.end()) fail(p.range_text());
      p.value = static_cast<double>(it - p.choices.begin());
      return;
    }
    case ParamType::Rational: {
      std::string text;
      if (v.is_string()) text = v.get<std::string>();
      else if (v.is_number_integer()) text = v.dump();
      else fail("an exact fraction string such as \"3/4\"");
      std::string why;
      double approx = 0;
      if (!check_rational_text(text, &why, &approx)) fail("an exact fraction such as \"3/4\" (" + why + ")");
      // Exact engines pay for every digit in every product; more than 40 digits a side is
      // past anything a person types, and is refused before it costs anything.
      const std::size_t slash = std::min(text.find('/'), text.size());
      const std::size_t sign = (text[0] == '-' || text[0] == '+') ? 1 : 0;
      if (slash - sign > 40 || text.size() - std::min(slash + 1, text.size()) > 40)
        fail("an exact fraction with at most 40 digits in its numerator and in its denominator");
      if (approx < p.min || approx > p.max) fail("a fraction in " + p.range_text());
      p.text = text;
      p.value = approx;
      return;
    }
    case ParamType::Int:
    case ParamType::Real: {
      if (!v.is_number()) fail(std::string(p.type == ParamType::Int ? "an integer" : "a number") + " in " + p.range_text());
      const double x = v.get<double>();
      if (!std::isfinite(x)) fail("a finite number");
      if (p.type == ParamType::Int && x != std::floor(x)) fail("an integer in " + p.range_text());
      // The range check comes before any engine sees the value: this is what refuses
      // N = 10^12 before an allocation is attempted.
      if (x < p.min || x > p.max) fail((p.type == ParamType::Int ? "an integer in " : "a number in ") + p.range_text());
      p.value = x;
      return;
    }
  }
}

void ParamSet::set_text(const std::string& name, const std::string& text, const std::string& pointer) {
  const Param& p = at(name);
  nlohmann::json v;
  if (p.type == ParamType::Choice || p.type == ParamType::Rational) {
    v = text;
  } else {
    // Numbers and booleans are parsed as JSON so "1e4", "true" and "nan" behave as in a scene.
    v = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) v = text;  // keep the raw text so the error shows it
  }
  set_json(name, v, pointer);
}

void ParamSet::set_value(const std::string& name, double v) {
  Param& p = at_mut(name);
  if (!std::isfinite(v)) return;
  if (p.type == ParamType::Int || p.type == ParamType::Choice || p.type == ParamType::Bool) v = std::round(v);
  p.value = std::clamp(v, p.min, p.max);
}

void ParamSet::set_rational_text(const std::string& name, const std::string& text) {
  set_json(name, nlohmann::json(text), "/params/" + name);
}

void ParamSet::reset_to_default(const std::string& name) {
  Param& p = at_mut(name);
  p.value = p.def;
  p.text = p.def_text;
}

nlohmann::json ParamSet::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& p : params_) {
    switch (p.type) {
      case ParamType::Bool: j[p.name] = p.value != 0; break;
      case ParamType::Choice: j[p.name] = p.choices.at(static_cast<std::size_t>(p.value)); break;
      case ParamType::Rational: j[p.name] = p.text; break;
      case ParamType::Int: j[p.name] = static_cast<std::int64_t>(p.value); break;
      case ParamType::Real: j[p.name] = p.value; break;
    }
  }
  return j;
}

bool check_rational_text(const std::string& text, std::string* why, double* approx) {
  auto bad = [&](const char* w) {
    if (why) *why = w;
    return false;
  };
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  const std::size_t num_begin = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == num_begin) return bad("numerator must be digits");
  const std::size_t num_end = i;
  std::size_t den_begin = i, den_end = i;
  if (i < text.size()) {
    if (text[i] != '/') return bad("only digits, one optional sign and one '/' are allowed");
    den_begin = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    den_end = i;
    if (den_end == den_begin) return bad("denominator must be digits");
    if (i != text.size()) return bad("only digits, one optional sign and one '/' are allowed");
    if (text.find_first_not_of('0', den_begin) >= den_end) return bad("denominator is zero");
  }
  if (approx) {
    // Each digit run as mantissa x 10^exponent (its leading 17 digits), so a fraction of
    // 400-digit integers still gets a finite approximation for the range check.
    auto decimal = [&](std::size_t b, std::size_t e, double& mantissa) {
      b = std::min(text.find_first_not_of('0', b), e);
      const std::size_t keep = std::min<std::size_t>(e - b, 17);
      mantissa = keep ? std::strtod(text.substr(b, keep).c_str(), nullptr) : 0.0;
      return static_cast<double>(e - b - keep);
    };
    double num = 0, den = 1;
    const double num_exp = decimal(num_begin, num_end, num);
    const double den_exp = den_end > den_begin ? decimal(den_begin, den_end, den) : 0.0;
    *approx = (text[0] == '-' ? -1.0 : 1.0) * num / den * std::pow(10.0, num_exp - den_exp);
  }
  return true;
}

}  // namespace obs
