#include "core/system.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/input_error.hpp"

namespace obs {

std::string_view perturb_kind_name(PerturbKind k) {
  switch (k) {
    case PerturbKind::Noise: return "noise";
    case PerturbKind::Ablate: return "ablate";
    case PerturbKind::InjectNaN: return "nan";
    case PerturbKind::InjectInf: return "inf";
  }
  return "?";
}

std::size_t units_hit(double fraction, std::size_t n) {
  if (n == 0) return 0;
  const auto k = static_cast<std::size_t>(std::llround(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(n)));
  return std::clamp<std::size_t>(k, 1, n);
}

std::uint64_t memory_budget_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 4ULL << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
}

System& System::operator=(const System& other) {
  params_ = other.params_;
  step_ = other.step_;
  seed_ = other.seed_;
  events_ = other.events_;
  return *this;
}

void System::check_memory_budget() const {
  const std::uint64_t need = bytes_needed();
  const std::uint64_t budget = memory_budget_bytes();
  if (need > budget) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "these parameters need %.2f GiB of state, more than the %.2f GiB budget (half of RAM)",
                  static_cast<double>(need) / (1 << 30), static_cast<double>(budget) / (1 << 30));
    throw InputError("/params", buf);
  }
}

void System::check_reset() const {
  check_params();
  check_memory_budget();
}

void System::reset(std::uint64_t seed) {
  check_reset();
  bindings_.apply(params_, /*with_restart=*/true);
  seed_ = seed;
  step_ = 0;
  restart();
}

void System::apply_params() {
  bindings_.apply(params_, /*with_restart=*/false);
  params_changed();
}

Param& System::param(bool& field, std::string name, bool def) {
  Param& p = params_.add_bool(std::move(name), def);
  bindings_.bind(params_.all().size() - 1, field);
  return p;
}

Param& System::param(std::string& field, std::string name, std::string def, std::vector<std::string> choices) {
  Param& p = params_.add_choice(std::move(name), std::move(def), std::move(choices));
  bindings_.bind(params_.all().size() - 1, field);
  return p;
}

Param& System::rational_param(std::string& field, std::string name, std::string def, double min, double max) {
  Param& p = params_.add_rational(std::move(name), std::move(def), min, max);
  bindings_.bind(params_.all().size() - 1, field);
  return p;
}

void System::dump_header(nlohmann::json& out) const {
  out["system"] = std::string(kind());
  out["step"] = step_;
  out["seed"] = seed_;
  out["params"] = params_.to_json();
}

}  // namespace obs
