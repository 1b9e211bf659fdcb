// The fault contract, over the registry: every registered system survives every perturbation it
// offers, at the largest setting the app's perturb panel allows (app/panels/perturb_section.cpp:
// noise amplitude up to pi, ablation fraction up to 1, NaN/Inf hit fraction up to 0.1) and at an
// amplitude of 1e300 (a value typed into the slider is not clamped), and the extreme legal values
// of its Real parameters. Surviving means: 100 steps later every metric that had a value at reset
// is still finite, or the system said so through a Warning or Error event. A refusal (InputError)
// is also an answer. Metrics that are NaN at reset mean "not measured yet" (no probe, no mitosis)
// and are not held to finiteness.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <numbers>
#include <sstream>
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

// What a run did to the metrics, and whether it was heard.
struct Outcome {
  std::vector<std::string> broken;  // finite at reset, non-finite at the end
  bool reported = false;            // a Warning or Error event since the fault
  std::string events;               // their text, for the failure message
};

void collect(obs::System& s, Outcome& o) {
  for (const auto& e : s.drain_events())
    if (e.level != obs::Event::Level::Info) {
      o.reported = true;
      if (o.events.size() < 400) o.events += "[" + e.text + "] ";
    }
}

Outcome run_and_judge(obs::System& s, const std::vector<double>& at_reset, int steps) {
  Outcome o;
  collect(s, o);
  for (int k = 0; k < steps; ++k) {
    s.step();
    collect(s, o);
  }
  const auto m = metrics_of(s);
  for (std::size_t i = 0; i < m.size(); ++i)
    if (std::isfinite(at_reset[i]) && !std::isfinite(m[i])) o.broken.push_back(s.metric_names()[i]);
  return o;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Cases that left a metric non-finite but said so: allowed, and worth seeing in the log.
std::vector<std::string> g_reported_breaks;

void check_heard(const std::string& what, const Outcome& o) {
  if (!o.broken.empty() && o.reported) g_reported_breaks.push_back(what + " (" + joined(o.broken) + ")");
  CAPTURE(what);
  CAPTURE(o.events);
  INFO("non-finite metrics: " << joined(o.broken));
  CHECK((o.broken.empty() || o.reported));
}

struct Case {
  std::string name;
  obs::Perturbation p;
};

std::vector<Case> cases_for(const obs::System& s) {
  constexpr double kPanelNoise = std::numbers::pi, kPanelFraction = 1.0, kPanelHit = 0.1;
  std::vector<Case> out;
  for (obs::PerturbKind kind : s.supported_perturbations()) {
    switch (kind) {
      case obs::PerturbKind::Noise:
        out.push_back({"noise pi", {kind, kPanelNoise, 0.1, obs::AblateMode::Remove}});
        out.push_back({"noise 1e20", {kind, 1e20, 0.1, obs::AblateMode::Remove}});
        out.push_back({"noise 1e300", {kind, 1e300, 0.1, obs::AblateMode::Remove}});
        break;
      case obs::PerturbKind::Ablate:
        out.push_back({"ablate remove 1", {kind, 0, kPanelFraction, obs::AblateMode::Remove}});
        out.push_back({"ablate freeze 1", {kind, 0, kPanelFraction, obs::AblateMode::Freeze}});
        out.push_back({"ablate freeze 0.5 then noise 1e20", {kind, 0, 0.5, obs::AblateMode::Freeze}});
        break;
      case obs::PerturbKind::InjectNaN:
      case obs::PerturbKind::InjectInf:
        out.push_back({std::string(obs::perturb_kind_name(kind)) + " 0.1", {kind, 0, kPanelHit, obs::AblateMode::Remove}});
        break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("contract: every system survives every perturbation at the panel's extremes, or says so") {
  for (const auto& entry : obs::system_registry()) {
    CAPTURE(entry.kind);
    const auto small = small_params().find(entry.kind);
    REQUIRE_MESSAGE(small != small_params().end(), "give " << entry.kind << " a small scene in contract_support.hpp");
    auto probe = build(entry.kind, small->second);
    for (const Case& c : cases_for(*probe)) {
      auto s = build(entry.kind, small->second);
      const auto at_reset = metrics_of(*s);
      for (int k = 0; k < 5; ++k) s->step();
      s->drain_events();
      Outcome o;
      try {
        s->perturb(c.p);
        if (c.name.find("then noise") != std::string::npos) s->perturb({obs::PerturbKind::Noise, 1e20, 0.1, obs::AblateMode::Remove});
        o = run_and_judge(*s, at_reset, 100);
      } catch (const obs::InputError&) {
        continue;  // refused, with a reason the app shows: not silent
      }
      check_heard(entry.kind + ": " + c.name, o);
    }
  }
}

namespace {

// Runs kind with one parameter at a value; a refusal at build time is an answer.
void check_param_value(const std::string& kind, const obs::Param& p, double value, int steps,
                       const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json params = small_params().at(kind);
  params.update(extra);
  params[p.name] = value;
  std::unique_ptr<obs::System> s;
  try {
    s = build(kind, params);
  } catch (const obs::InputError&) {
    return;
  }
  const auto at_reset = metrics_of(*s);
  s->drain_events();
  std::ostringstream what;
  what << kind << ": " << p.name << " = " << value << " " << extra.dump();
  check_heard(what.str(), run_and_judge(*s, at_reset, steps));
}

}  // namespace

TEST_CASE("contract: the named risky parameters at their declared extremes keep metrics finite or say so") {
  struct Named {
    std::string kind, name;
    nlohmann::json extra;  // the setting that makes the parameter risky
  };
  // cube lr: the face readout's linear units are where a large rate overflowed.
  const std::vector<Named> named = {{"resonance", "phase_noise", nlohmann::json::object()},
                                    {"resonance", "dither", nlohmann::json::object()},
                                    {"cube", "lr", nlohmann::json::object()},
                                    {"cube", "lr", {{"readout", "face"}}},
                                    {"eqprop", "lr_first", nlohmann::json::object()},
                                    {"eqprop", "lr_last", nlohmann::json::object()}};
  for (const auto& n : named) {
    const auto s = build(n.kind, small_params().at(n.kind));
    const obs::Param& p = s->params().at(n.name);
    check_param_value(n.kind, p, p.max, 100, n.extra);
    check_param_value(n.kind, p, p.min, 100, n.extra);
  }
}

TEST_CASE("contract: every Real parameter at its minimum and maximum keeps metrics finite or says so") {
  for (const auto& entry : obs::system_registry()) {
    const auto small = small_params().find(entry.kind);
    REQUIRE(small != small_params().end());
    const auto s = build(entry.kind, small->second);
    for (const obs::Param& p : s->params().all()) {
      if (p.type != obs::ParamType::Real) continue;
      check_param_value(entry.kind, p, p.max, 30);
      check_param_value(entry.kind, p, p.min, 30);
    }
  }
  for (const auto& b : g_reported_breaks) MESSAGE("non-finite but reported: " << b);
}
