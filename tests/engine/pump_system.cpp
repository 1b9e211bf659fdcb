// obs::PumpSystem through the System interface: parameters, determinism, the exact ->
// double switch, walkers, perturbations, snapshot, dump.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>
#include <string>

#include "core/input_error.hpp"
#include "pump/pump_system.hpp"
#include "pump/stationary_solver.hpp"

using obs::PumpSystem;
using obs::pump::Exact;
using obs::pump::kVoxels;

namespace {

std::unique_ptr<PumpSystem> make_pump(std::uint64_t seed, int exact_steps = 16, int walkers = 512) {
  auto s = std::make_unique<PumpSystem>();
  s->params().set_json("exact_steps", exact_steps, "/params/exact_steps");
  s->params().set_json("walkers", walkers, "/params/walkers");
  s->reset(seed);
  return s;
}

bool has_event(std::vector<obs::Event>& events, obs::Event::Level level, const std::string& part) {
  for (const auto& e : events)
    if (e.level == level && e.text.find(part) != std::string::npos) return true;
  return false;
}

double total(const std::array<double, 64>& p) {
  double s = 0;
  for (double v : p) s += v;
  return s;
}

}  // namespace

TEST_CASE("pump: parameters are declared once and bad fractions name their pointer") {
  PumpSystem s;
  CHECK(s.kind() == "pump");
  for (const char* name : {"lambda", "A0", "spread", "w_min", "w_max"}) {
    const auto* p = s.params().find(name);
    REQUIRE(p);
    CHECK(p->type == obs::ParamType::Rational);
    CHECK_FALSE(p->help_.empty());
    CHECK_FALSE(p->group_.empty());
  }
  CHECK(s.params().rational("spread") == "3/4");
  for (const char* bad : {"1/0", "abc", "0.5", "1/2/3"}) {
    try {
      s.params().set_json("lambda", bad, "/params/lambda");
      FAIL("accepted " << bad);
    } catch (const obs::InputError& e) {
      CHECK(std::string(e.what()).find("/params/lambda") != std::string::npos);
    }
  }
  CHECK_THROWS_AS(s.params().set_json("spread", 0.75, "/params/spread"), obs::InputError);  // a double is not exact
  CHECK_THROWS_AS(s.params().set_json("chiral_depth", 4, "/params/chiral_depth"), obs::InputError);
  // Relations between parameters are checked at reset, naming the parameter.
  s.params().set_json("w_min", "3/4", "/params/w_min");
  s.params().set_json("w_max", "1/2", "/params/w_max");
  try {
    s.reset(1);
    FAIL("accepted w_min > w_max");
  } catch (const obs::InputError& e) {
    CHECK(e.pointer() == "/params/w_min");
  }
  s.params().set_json("w_min", "0", "/params/w_min");
  s.params().set_json("w_max", "1/2", "/params/w_max");
  CHECK_THROWS_AS(s.reset(1), obs::InputError);
  CHECK(s.bytes_needed() < (64ULL << 20));
}

TEST_CASE("pump: same seed, same state hash after N steps; another seed differs") {
  auto a = make_pump(3, 4), b = make_pump(3, 4), c = make_pump(4, 4);
  std::uint64_t previous = a->state_hash();
  for (int n = 0; n < 12; ++n) {  // across the exact -> double switch at step 4
    a->step();
    b->step();
    c->step();
    CHECK(a->state_hash() != previous);
    previous = a->state_hash();
  }
  CHECK(a->state_hash() == b->state_hash());
  CHECK(a->state_hash() != c->state_hash());
  CHECK(a->walkers() == b->walkers());
}

TEST_CASE("pump: p(t+1) = p(t) K is exact up to the horizon, then doubles") {
  auto s = make_pump(2, 5);
  const auto K = obs::pump::dense_kernel(s->model().kernel);
  std::vector<Exact> p(kVoxels);
  p[0] = Exact(1);  // start = corner
  std::vector<double> m(s->metric_names().size());
  for (int t = 1; t <= 8; ++t) {
    s->step();
    s->metrics(m.data());
    if (t <= 5) {
      // Independent product with the dense matrix.
      std::vector<Exact> next(kVoxels);
      for (std::size_t i = 0; i < kVoxels; ++i)
        for (std::size_t j = 0; j < kVoxels; ++j) next[j] += p[i] * K[i][j];
      p = next;
      CHECK(s->exact_mode());
      CHECK(s->exact_distribution() == p);
      Exact sum(0);
      for (const auto& v : p) sum += v;
      CHECK(sum == Exact(1));
      CHECK(m[4] == 1.0);  // exact_mode
      CHECK(m[7] == 1.0);  // parity_p holds on the exact state
    } else {
      CHECK_FALSE(s->exact_mode());
      CHECK(s->exact_distribution().empty());
      CHECK(m[4] == 0.0);
      CHECK(total(s->distribution()) == doctest::Approx(1.0));
    }
  }
  auto events = s->drain_events();
  CHECK(has_event(events, obs::Event::Level::Info, "exact horizon"));
  auto snap = std::static_pointer_cast<const obs::PumpSnapshot>(s->snapshot());
  CHECK_FALSE(snap->exact_mode);
  CHECK(snap->exact_steps == 5);
}

TEST_CASE("pump: p(t) relaxes to pi and the walkers carry the current with the winding") {
  auto s = make_pump(1, 8, 20000);
  std::vector<double> m(s->metric_names().size());
  s->metrics(m.data());
  const double tv0 = m[3];
  for (int t = 0; t < 400; ++t) s->step();
  s->metrics(m.data());
  CHECK(m[3] < tv0);
  CHECK(m[3] < 0.05);
  const double j_plus = m[1], flux = m[5];
  MESSAGE("stationary J+ = " << j_plus << ", walker flux = " << flux << ", tv = " << m[3]);
  CHECK(j_plus > 0);
  CHECK(flux > 0);
  CHECK(flux == doctest::Approx(j_plus).epsilon(0.35));  // a sampled estimate of J+
  for (double v : m) CHECK(std::isfinite(v));
}

TEST_CASE("pump: NaN and Inf in p(t) are caught, reported and never spread") {
  SUBCASE("exact mode: restored from the exact state") {
    auto s = make_pump(1, 16);
    s->step();
    const auto before = s->exact_distribution();
    s->perturb({obs::PerturbKind::InjectNaN, 0.1, 0.2});
    s->drain_events();
    s->step();
    auto events = s->drain_events();
    CHECK(has_event(events, obs::Event::Level::Warning, "restored from the exact state"));
    for (double v : s->distribution()) CHECK(std::isfinite(v));
    CHECK(total(s->distribution()) == doctest::Approx(1.0));
    CHECK(s->exact_mode());
  }
  SUBCASE("double mode: zeroed and renormalised") {
    auto s = make_pump(1, 0);
    CHECK_FALSE(s->exact_mode());
    for (int t = 0; t < 3; ++t) s->step();
    s->perturb({obs::PerturbKind::InjectInf, 0.1, 0.05});
    s->step();
    auto events = s->drain_events();
    CHECK(has_event(events, obs::Event::Level::Warning, "NaN/Inf"));
    for (int t = 0; t < 3; ++t) s->step();
    for (double v : s->distribution()) CHECK(std::isfinite(v));
    CHECK(total(s->distribution()) == doctest::Approx(1.0));
    std::vector<double> m(s->metric_names().size());
    s->metrics(m.data());
    for (double v : m) CHECK(std::isfinite(v));
    CHECK(m[9] >= 1);  // quarantined count
  }
  SUBCASE("every voxel poisoned in double mode: restart from pi") {
    auto s = make_pump(1, 0);
    s->perturb({obs::PerturbKind::InjectNaN, 0.1, 1.0});
    for (int k = 0; k < 64; ++k) s->perturb({obs::PerturbKind::InjectNaN, 0.1, 1.0});
    s->step();
    for (double v : s->distribution()) CHECK(std::isfinite(v));
    CHECK(total(s->distribution()) == doctest::Approx(1.0));
  }
}

TEST_CASE("pump: noise and ablation keep p(t) a distribution, exactly while exact") {
  auto s = make_pump(5, 16, 1000);
  s->step();
  s->perturb({obs::PerturbKind::Noise, 0.3, 0.1});
  Exact sum(0);
  for (const auto& v : s->exact_distribution()) {
    CHECK(v.sign() >= 0);
    sum += v;
  }
  CHECK(sum == Exact(1));
  s->perturb({obs::PerturbKind::Ablate, 0.1, 0.25, obs::AblateMode::Remove});
  CHECK(s->walkers_alive() == 750);
  sum = Exact(0);
  for (const auto& v : s->exact_distribution()) sum += v;
  CHECK(sum == Exact(1));
  s->perturb({obs::PerturbKind::Ablate, 0.1, 0.5, obs::AblateMode::Freeze});
  CHECK(s->walkers_moving() < s->walkers_alive());
  const auto frozen = std::vector<std::uint8_t>(s->walkers().begin() + static_cast<std::ptrdiff_t>(s->walkers_moving()),
                                                s->walkers().begin() + static_cast<std::ptrdiff_t>(s->walkers_alive()));
  s->step();
  CHECK(std::equal(frozen.begin(), frozen.end(), s->walkers().begin() + static_cast<std::ptrdiff_t>(s->walkers_moving())));
  CHECK_THROWS_AS(s->perturb({obs::PerturbKind::Noise, NAN, 0.1}), obs::InputError);
}

TEST_CASE("pump: the snapshot shares the kernel report and carries the per-step state") {
  auto s = make_pump(1, 16, 300);
  s->step();
  auto a = std::static_pointer_cast<const obs::PumpSnapshot>(s->snapshot());
  s->step();
  auto b = std::static_pointer_cast<const obs::PumpSnapshot>(s->snapshot());
  REQUIRE(a->info);
  CHECK(a->info == b->info);  // computed once per kernel, shared
  CHECK(b->step == 2);
  const auto& info = *a->info;
  CHECK(info.badges.rows_sum_to_one);
  CHECK(info.badges.pi_K_equals_pi);
  CHECK(info.badges.J0_positive);
  CHECK(info.badges.parity_holds);
  CHECK(info.edges.size() == 144);
  CHECK(info.J0 > 0);
  CHECK(Exact::parse(info.J0_exact).has_value());
  CHECK(a->walkers.size() == 300);
  CHECK(a->walkers_prev.size() == 300);
  int core = 0;
  for (const auto& r : info.rows) {
    core += r.core;
    CHECK(Exact::parse(r.pi).has_value());
    CHECK(Exact::parse(r.tau).has_value());
    Exact k_sum(0);
    for (int c = 0; c < r.count; ++c) k_sum += *Exact::parse(r.K[static_cast<std::size_t>(c)]);
    CHECK(k_sum == Exact(1));
  }
  CHECK(core == 8);
  CHECK(info.octet_voxel[0] == obs::pump::voxel_index(1, 1, 1));
  CHECK(total(a->p) == doctest::Approx(1.0));
}

TEST_CASE("pump: dump writes K, pi, J and the logits as exact fractions") {
  auto s = make_pump(1, 4, 16);
  s->step();
  nlohmann::json j;
  s->dump(j);
  CHECK(j["system"] == "pump");
  CHECK(j["step"] == 1);
  CHECK(j["params"]["spread"] == "3/4");
  Exact pi_sum(0);
  for (const auto& v : j["pi"]) pi_sum += *Exact::parse(v.get<std::string>());
  CHECK(pi_sum == Exact(1));
  const auto& rows = j["kernel"]["rows"];
  REQUIRE(rows.size() == 64);
  for (const auto& row : rows) {
    Exact k_sum(0);
    for (const auto& c : row["candidates"]) {
      k_sum += *Exact::parse(c["K"].get<std::string>());
      CHECK(Exact::parse(c["logit"].get<std::string>()).has_value());
    }
    CHECK(k_sum == Exact(1));
  }
  CHECK(j["J"].size() == 144);
  CHECK(Exact::parse(j["J"][0]["J"].get<std::string>()).has_value());
  CHECK(Exact::parse(j["J0"].get<std::string>())->sign() > 0);
  CHECK(j["exact_mode"] == true);
  CHECK(j["p"].size() == 64);
  CHECK(j["badges"]["pi_K_equals_pi"] == true);
}
