// The clone clause of the system contract, over the registry: clone() copies the whole running
// state (the same hash, metrics and parameters), the copy and the original step on alike and
// never touch each other, and the copy outlives its original (run under ASan in the sanitizer
// stage, a pointer left into the original is caught there).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "contract_support.hpp"
#include "core/registry.hpp"

namespace {

using obs::contract::build;
using obs::contract::metrics_of;
using obs::contract::small_params;

// The same metric values, but for wall-clock times (unit "s": an epoch's seconds).
bool same_values(const obs::System& x, const obs::System& y) {
  const auto a = metrics_of(x), b = metrics_of(y);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (x.metric_table().unit(i) != "s" && !(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) {
      MESSAGE("metric " << i << ": " << a[i] << " vs " << b[i]);
      return false;
    }
  return true;
}

// Steps n times and returns the hash after each.
std::vector<std::uint64_t> hashes(obs::System& s, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) {
    s.step();
    out.push_back(s.state_hash());
  }
  return out;
}

void check_clone(const std::string& kind, const nlohmann::json& params) {
  auto original = build(kind, params);
  for (int i = 0; i < 13; ++i) original->step();
  const std::uint64_t at_13 = original->state_hash();

  std::unique_ptr<obs::System> copy = original->clone();
  REQUIRE(copy);
  CHECK(copy->kind() == original->kind());
  CHECK(copy->steps() == 13);
  CHECK(copy->seed() == original->seed());
  CHECK(copy->state_hash() == at_13);
  CHECK(copy->params().to_json() == original->params().to_json());
  CHECK(copy->metric_names() == original->metric_names());
  CHECK(same_values(*copy, *original));
  CHECK(copy->clone_bytes() <= copy->bytes_needed());

  // The original steps on; the copy is untouched, then follows the same path.
  const auto ahead = hashes(*original, 9);
  CHECK(copy->state_hash() == at_13);
  CHECK(hashes(*copy, 9) == ahead);
  CHECK(same_values(*copy, *original));

  // A perturbation of the copy stays in the copy (its random draws and its state are its own).
  const std::uint64_t original_now = original->state_hash();
  obs::Perturbation noise;
  noise.kind = obs::PerturbKind::Noise;
  noise.amplitude = 0.5;
  copy->perturb(noise);
  CHECK(original->state_hash() == original_now);

  // The parameter bindings of the copy write the copy: an edit applied there leaves the
  // original on the path of an untouched copy.
  auto twin = original->clone(), control = original->clone();
  for (const obs::Param& p : twin->params().all()) {
    if (p.restart_ || p.type != obs::ParamType::Real || !(p.max > p.min)) continue;
    CAPTURE(p.name);
    twin->params().set_value(p.name, p.value == p.min ? p.max : p.min);
    twin->apply_params();
    break;
  }
  CHECK(original->params().to_json() == control->params().to_json());
  CHECK(hashes(*original, 4) == hashes(*control, 4));

  // The copy outlives its original and keeps going where a fresh run of the same length goes.
  auto survivor = original->clone();
  original.reset();
  const auto tail = hashes(*survivor, 11);
  auto fresh = build(kind, params);
  for (int i = 0; i < 26; ++i) fresh->step();
  CHECK(hashes(*fresh, 11) == tail);
}

}  // namespace

TEST_CASE("contract: clone() is a deep, independent copy of the running state") {
  for (const auto& entry : obs::system_registry()) {
    SUBCASE(entry.kind.c_str()) { check_clone(entry.kind, small_params().at(entry.kind)); }
  }
}

TEST_CASE("contract: clone() copies the optional parts of the state") {
  for (const auto& v : obs::contract::optional_part_variants()) {
    SUBCASE(v.label.c_str()) { check_clone(v.kind, v.params); }
  }
}
