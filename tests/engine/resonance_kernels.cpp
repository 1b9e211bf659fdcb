// The vector kernel (the default, resonance_sweep_vector.cpp) against the scalar reference
// (resonance_sweep.cpp): the same scene and seed, stepped by each, must give the same oscillators,
// bonds and carriers. The carrier sums are added in the same order by both; only R and the
// unbound drive are summed in another order, so the trajectories may differ by float rounding and
// nothing more. Scenes cover every branch the vector kernel turns into a select or a template
// argument: bond dynamics with snaps, the mode-alignment sums, dither, int64 phases, the cubic and
// leaky amplitude models, the stream (pulses and retirement), frozen oscillators, NaN/Inf faults,
// rows wider than four bonds, and populations that are not a multiple of the pass or the block.
#include <cmath>
#include <numbers>

#include "resonance_test_util.hpp"

using namespace resonance_test;

namespace {

double angle_between(double a, double b) { return std::abs(std::remainder(a - b, 2 * std::numbers::pi)); }

// Every oscillator and carrier of the two dumps agrees within float rounding, and the structure
// (which oscillators live, which bonds exist, which carriers) is identical.
void check_same_state(const nlohmann::json& v, const nlohmann::json& s) {
  REQUIRE(v["oscillators"].size() == s["oscillators"].size());
  double worst_phase = 0, worst_amp = 0, worst_bond = 0;
  for (std::size_t i = 0; i < v["oscillators"].size(); ++i) {
    const auto& a = v["oscillators"][i];
    const auto& b = s["oscillators"][i];
    REQUIRE(a["slot"] == b["slot"]);
    REQUIRE(a["state"] == b["state"]);
    if (a["state"] == obs::ResonanceSystem::kQuarantined) continue;  // kept as it was caught
    worst_phase = std::max(worst_phase, angle_between(a["phase"].get<double>(), b["phase"].get<double>()));
    worst_amp = std::max(worst_amp, std::abs(a["A"].get<double>() - b["A"].get<double>()));
    if (a.contains("acc")) CHECK(a["acc"] == b["acc"]);
    REQUIRE(a["bonds"].size() == b["bonds"].size());
    for (std::size_t j = 0; j < a["bonds"].size(); ++j) {
      CHECK(a["bonds"][j][0] == b["bonds"][j][0]);  // the same carrier id
      worst_bond = std::max(worst_bond, std::abs(a["bonds"][j][1].get<double>() - b["bonds"][j][1].get<double>()));
    }
  }
  CHECK(worst_phase <= 1e-4);
  CHECK(worst_amp <= 1e-5);
  CHECK(worst_bond <= 1e-5);
  REQUIRE(v["carriers"].size() == s["carriers"].size());
  for (std::size_t k = 0; k < v["carriers"].size(); ++k) {
    const auto& a = v["carriers"][k];
    const auto& b = s["carriers"][k];
    CHECK(a["id"] == b["id"]);
    CHECK(a["bonds"] == b["bonds"]);
    CHECK(std::abs(a["re"].get<double>() - b["re"].get<double>()) <= 1e-6 * (1 + std::abs(b["re"].get<double>())));
    CHECK(std::abs(a["im"].get<double>() - b["im"].get<double>()) <= 1e-6 * (1 + std::abs(b["im"].get<double>())));
    for (const char* field : {"coherence", "D", "W", "centre", "variance", "intake"}) {
      CAPTURE(field);
      const double x = a[field].get<double>(), y = b[field].get<double>();
      CHECK(std::abs(x - y) <= 1e-5 * (1 + std::abs(y)));
    }
  }
  CHECK(v["lifetimes"] == s["lifetimes"]);  // births, mitoses, dissolutions at the same steps
}

// Every metric (mitosis_mean_D reads the mode-alignment sums, for one) agrees within rounding.
void check_same_metrics(const obs::System& v, const obs::System& s) {
  auto mv = metrics_of(v), ms = metrics_of(s);
  for (const auto& entry : ms) {
    const std::string& name = entry.first;  // not a structured binding: CAPTURE's lambda takes it
    const double value = entry.second;
    CAPTURE(name);
    if (std::isnan(value)) {
      CHECK(std::isnan(mv[name]));
      continue;
    }
    CHECK(std::abs(mv[name] - value) <= 1e-4 * (1 + std::abs(value)));
  }
}

// Runs the scene with each kernel, applying the same perturbations at the same steps; returns the
// vector kernel's metrics, so that a case can check it reached what it means to cover.
std::map<std::string, double> compare_kernels(const nlohmann::json& params, int steps, std::uint64_t seed = 5,
                     const std::vector<std::pair<int, obs::Perturbation>>& hits = {}) {
  nlohmann::json pv = params, ps = params;
  pv["kernel"] = "vector";
  ps["kernel"] = "scalar";
  auto v = make(pv, seed), s = make(ps, seed);
  for (int t = 0; t < steps; ++t) {
    for (const auto& [when, p] : hits)
      if (when == t) {
        v->perturb(p);
        s->perturb(p);
      }
    v->step();
    s->step();
  }
  check_same_state(dump_of(*v), dump_of(*s));
  check_same_metrics(*v, *s);
  return metrics_of(*v);
}

}  // namespace

TEST_CASE("kernels agree: bond dynamics with snaps, mode sums, dither, cubic amplitude; N not a multiple of the pass") {
  // 4096 + 904 oscillators: two blocks, the second ending in a partial pass.
  auto m = compare_kernels({{"init", "random"}, {"N", 5000}, {"M0", 6}, {"M_max", 12}, {"d_max", 4}, {"bonds_init", 3},
                                  {"lambda_P", 2.0}, {"dither", 0.05}, {"amplitude", "cubic"}},
                                 300);
  CHECK(m["snaps"] > 0);
}

TEST_CASE("kernels agree: wide rows (d_max = 7), few carrier slots, one partial block") {
  auto m = compare_kernels({{"init", "random"}, {"N", 777}, {"M0", 3}, {"M_max", 3}, {"d_max", 7}, {"bonds_init", 5}, {"lambda_P", 3.0}},
                           200, 11);
  CHECK(m["snaps"] > 0);
}

TEST_CASE("kernels agree: int64 phases and the leaky amplitude, with frozen oscillators") {
  obs::Perturbation freeze{obs::PerturbKind::Ablate, 0, 0.2, obs::AblateMode::Freeze};
  compare_kernels({{"init", "random"}, {"N", 3000}, {"M0", 4}, {"phase", "int64"}, {"amplitude", "leaky"}}, 200, 9,
                  {{50, freeze}});
}

TEST_CASE("kernels agree: NaN and Inf faults are quarantined in the same oscillators") {
  obs::Perturbation nan{obs::PerturbKind::InjectNaN, 0, 0.3};  // enough to hit the first lane of some passes
  obs::Perturbation inf{obs::PerturbKind::InjectInf, 0, 0.05};
  auto m = compare_kernels({{"init", "random"}, {"N", 2000}, {"M0", 4}}, 120, 3, {{20, nan}, {60, inf}});
  CHECK(m["quarantined_oscillators"] == 600 + 70);  // 30 % of 2000, then 5 % of the 1400 left
}

TEST_CASE("kernels agree: the two-groups scene, through its mitosis") {
  auto v = from_file("resonance_two_groups.json", {{"kernel", "vector"}});
  auto s = from_file("resonance_two_groups.json", {{"kernel", "scalar"}});
  run(*v, 600);
  run(*s, 600);
  check_same_state(dump_of(*v), dump_of(*s));
  check_same_metrics(*v, *s);
  CHECK(metrics_of(*v)["mitoses"] >= 1);
}

TEST_CASE("kernels agree: the stream scene (pulses, groups, retirement, genesis and mitosis)") {
  auto v = from_file("resonance_stream.json", {{"kernel", "vector"}});
  auto s = from_file("resonance_stream.json", {{"kernel", "scalar"}});
  run(*v, 2200);  // the first stream oscillators retire after ~1800 steps
  run(*s, 2200);
  check_same_state(dump_of(*v), dump_of(*s));
  check_same_metrics(*v, *s);
  CHECK(metrics_of(*v)["retired"] > 0);
}
