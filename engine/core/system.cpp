#include "core/system.hpp"

#include <unistd.h>

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

std::uint64_t memory_budget_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 4ULL << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
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

void System::dump_header(nlohmann::json& out) const {
  out["system"] = std::string(kind());
  out["step"] = step_;
  out["seed"] = seed_;
  out["params"] = params_.to_json();
}

}  // namespace obs
