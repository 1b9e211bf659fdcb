// The system contract, over the registry: every registered system gets each check below from its
// one registry line (one subcase per kind). The perturbation clause (every supported
// perturbation, at the panel's extremes, followed by steps) is contract_faults.cpp; the golden
// hashes across thread counts are thread_invariance.cpp.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "contract_support.hpp"
#include "core/input_error.hpp"
#include "core/registry.hpp"
#include "core/scene.hpp"

namespace {

using obs::contract::build;
using obs::contract::metrics_of;
using obs::contract::small_params;

std::uint64_t hash_after(const std::string& kind, std::uint64_t seed, int steps) {
  auto s = build(kind, small_params().at(kind), seed);
  for (int i = 0; i < steps; ++i) s->step();
  return s->state_hash();
}

// The peak resident set since the last reset_peak(), in bytes (Linux: VmHWM, reset through
// /proc/self/clear_refs). 0 when the kernel does not offer it.
void reset_peak() {
  std::ofstream("/proc/self/clear_refs") << "5";
}
std::uint64_t peak_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      std::uint64_t kb = 0;
      status >> kb;
      return kb * 1024;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

}  // namespace

TEST_CASE("contract: every registered system meets the system contract") {
  for (const auto& entry : obs::system_registry()) {
    const std::string& kind = entry.kind;
    SUBCASE(kind.c_str()) {
      REQUIRE_MESSAGE(small_params().count(kind), "give " << kind << " a small scene in contract_support.hpp");
      const nlohmann::json& small = small_params().at(kind);

      // Deterministic for scene + seed, and the seed matters.
      CHECK(hash_after(kind, 3, 20) == hash_after(kind, 3, 20));
      CHECK(hash_after(kind, 3, 20) != hash_after(kind, 4, 20));

      auto s = build(kind, small);
      CHECK(s->kind() == kind);
      CHECK(s->steps() == 0);
      for (int i = 0; i < 20; ++i) s->step();
      CHECK(s->steps() == 20);

      // The snapshot is of the state it came from.
      const auto snap = s->snapshot();
      REQUIRE(snap);
      CHECK(snap->step == s->steps());

      // Metrics: one value per name, no name twice, every value finite (NaN only where the
      // metric is declared "not measured yet").
      const auto& names = s->metric_names();
      const auto values = metrics_of(*s);
      REQUIRE(values.size() == names.size());
      REQUIRE(s->metric_table().size() == names.size());
      for (std::size_t i = 0; i < names.size(); ++i) {
        CAPTURE(names[i]);
        CHECK(s->metric_table().find(names[i]) == i);
        if (std::isnan(values[i])) CHECK(s->metric_table().may_be_unmeasured(i));
        else CHECK(std::isfinite(values[i]));
      }

      // dump() carries the header that makes it reproducible.
      nlohmann::json dump;
      s->dump(dump);
      CHECK(dump["system"] == kind);
      CHECK(dump["step"] == s->steps());
      CHECK(dump["seed"] == s->seed());
      CHECK(dump["params"] == s->params().to_json());

      // The captured scene rebuilds the same system: the same parameters and, run as far, the same state.
      obs::Scene captured = obs::parse_scene(obs::scene_to_text(obs::capture_scene(*s)), "captured.json");
      auto again = obs::instantiate(captured);
      CHECK(captured.warnings.empty());
      CHECK(again->params().to_json() == s->params().to_json());
      for (int i = 0; i < 20; ++i) again->step();
      CHECK(again->state_hash() == s->state_hash());

      // Every parameter's default, as exact text, goes through --set and comes back as the default.
      auto defaults = obs::make_system(kind);
      for (const obs::Param& p : defaults->params().all()) {
        CAPTURE(p.name);
        obs::Scene scene = obs::contract::small_scene(kind, small);
        std::unique_ptr<obs::System> set;
        try {
          set = obs::instantiate(scene, {{p.name, p.default_text(obs::Param::Digits::Exact)}});
        } catch (const obs::InputError&) {
          // Refused together with the small scene's other values (eqprop's default batch of 50
          // is more than its 40 training examples): among the other defaults it must load.
          obs::Scene defaults_only = obs::contract::small_scene(kind, nlohmann::json::object());
          set = obs::instantiate(defaults_only, {{p.name, p.default_text(obs::Param::Digits::Exact)}});
        }
        const obs::Param& got = set->params().at(p.name);
        CHECK(got.value_text(obs::Param::Digits::Exact) == p.default_text(obs::Param::Digits::Exact));
        CHECK(got.is_default());
      }

      // An absurd size is refused, naming the parameter, before anything is allocated: every
      // integer that shapes the state, at a thousand times its maximum.
      for (const obs::Param& p : defaults->params().all()) {
        if (p.type != obs::ParamType::Int || !p.restart_) continue;
        CAPTURE(p.name);
        obs::Scene scene = obs::contract::small_scene(kind, small);
        const std::string absurd = std::to_string(static_cast<std::int64_t>(p.max) * 1000 + 1000);
        reset_peak();
        const std::uint64_t before = peak_bytes();
        try {
          obs::instantiate(scene, {{p.name, absurd}});
          FAIL("no refusal of " << p.name << " = " << absurd);
        } catch (const obs::InputError& e) {
          CHECK(std::string(e.what()).find("/params/" + p.name) != std::string::npos);
        }
        CHECK(peak_bytes() < before + (64u << 20));
      }
      // And all of them at their maximum together: either the state fits the run's limit as
      // bytes_needed() says, or the scene is refused before reset() allocates.
      {
        obs::Scene scene = obs::contract::small_scene(kind, small);
        std::vector<obs::ParamOverride> at_max;
        for (const obs::Param& p : defaults->params().all())
          if (p.type == obs::ParamType::Int && p.restart_) at_max.push_back({p.name, std::to_string(static_cast<std::int64_t>(p.max))});
        constexpr std::uint64_t kLimit = 256u << 20;
        reset_peak();
        const std::uint64_t before = peak_bytes();
        try {
          auto big = obs::instantiate(scene, at_max, kLimit);
          CHECK(big->bytes_needed() <= kLimit);
        } catch (const obs::InputError&) {
          CHECK(peak_bytes() < before + (64u << 20));
        }
      }
    }
  }
}
