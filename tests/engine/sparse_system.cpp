// The sparse system end to end, built through the scene path the app uses: it learns, SET and
// RigL move connections without changing their count, a static network never moves, the
// metrics agree with the structure, and faults (NaN/Inf weights, ablation) are handled.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "scene_test_support.hpp"
#include "sparse/sparse_system.hpp"

namespace {

nlohmann::json patterns(const char* method) {
  return {{"dataset", "patterns"}, {"train_size", 3000}, {"test_size", 300}, {"hidden_1", 64}, {"hidden_2", 32},
          {"density", 0.2}, {"batch", 20}, {"lr", 0.3}, {"method", method}, {"rewire_every", 10}};
}

std::unique_ptr<obs::SparseSystem> make(const nlohmann::json& params, std::uint64_t seed = 1) {
  return scene_test::make_system<obs::SparseSystem>("sparse", params, seed);
}

// The weights as text: connections and values, layer by layer.
std::string structure(const obs::SparseSystem& s) {
  std::string out;
  for (const auto& W : s.chain().layers())
    for (std::size_t k = 0; k < W.col.size(); ++k) out += std::to_string(W.col[k]) + ",";
  return out;
}

}  // namespace

TEST_CASE("sparse: each method learns the 8x8 patterns far above chance at 20 % density") {
  // Six classes: chance is 1/6. 150 batches of 20 per epoch; 5 epochs. (A static 20 % network
  // measured 0.99 after 5 epochs at this learning rate, a dense one 1.0.)
  for (const std::string method : {"static", "set", "rigl", "evidence"}) {
    CAPTURE(method);
    auto s = make(patterns(method.c_str()));
    const std::size_t count = s->chain().connections();
    while (s->epoch() < 5) s->step();
    MESSAGE(method << ": test accuracy " << s->test_accuracy() << " after 5 epochs");
    CHECK(s->test_accuracy() > 0.9);
    CHECK(s->chain().connections() == count);  // rewiring moves connections, never adds any (the planner swaps at its budget)
    CHECK(scene_test::metric(*s, "dead_units") == 0);
  }
}

TEST_CASE("sparse: SET and RigL rewire on schedule, a static network never does; the metrics follow the structure") {
  for (const std::string method : {"static", "set", "rigl"}) {
    CAPTURE(method);
    const bool moves = method != "static";
    auto s = make(patterns(method.c_str()));
    const std::string start = structure(*s);
    for (int i = 0; i < 9; ++i) s->step();
    CHECK(structure(*s) == start);  // nothing before the 10th step
    s->step();
    CHECK((structure(*s) != start) == moves);
    double expected_moved = 0;  // 30 % of each layer, rounded per layer
    for (const auto& W : s->chain().layers()) expected_moved += std::round(0.3 * static_cast<double>(W.connections()));
    CHECK(scene_test::metric(*s, "rewired") == (moves ? expected_moved : 0.0));
    const auto snap = std::dynamic_pointer_cast<const obs::sparse::SparseSnapshot>(s->snapshot());
    REQUIRE(snap);
    CHECK(snap->rewires.size() == (moves ? 3u : 0u));  // one event per layer
    for (const auto& e : snap->rewires) {
      CHECK(e.step == 10);
      CHECK(e.pruned == e.grown);
    }
    // density = connections / dense weights of 64-64-32-6.
    const double dense = 64.0 * 64 + 64.0 * 32 + 32.0 * 6;
    CHECK(scene_test::metric(*s, "density") == doctest::Approx(static_cast<double>(s->chain().connections()) / dense));
    CHECK(snap->density == doctest::Approx(scene_test::metric(*s, "density")));
    // The pictures count every connection once.
    std::size_t pictured = 0;
    for (const auto& p : snap->layers) {
      double hot = 0;
      for (std::size_t i = 0; i < p.hot_share.size(); ++i) hot += p.hot_share[i] * p.block_rows * p.block_cols;
      CHECK(hot == doctest::Approx(static_cast<double>(p.connections)));  // 64 x 64 and smaller: one entry per cell
      pictured += p.connections;
    }
    CHECK(pictured == s->chain().connections());
  }
}

TEST_CASE("sparse: RigL's update fraction decays along a cosine to 0 at rewire_end") {
  nlohmann::json p = patterns("rigl");
  p["rewire_end"] = 100;
  auto s = make(p);
  CHECK(scene_test::metric(*s, "update_fraction") == doctest::Approx(0.3));
  for (int i = 0; i < 50; ++i) s->step();
  CHECK(scene_test::metric(*s, "update_fraction") == doctest::Approx(0.15));
  for (int i = 0; i < 60; ++i) s->step();
  CHECK(scene_test::metric(*s, "update_fraction") == 0.0);
  const std::string frozen = structure(*s);
  for (int i = 0; i < 30; ++i) s->step();
  CHECK(scene_test::metric(*s, "rewired") == 0.0);
  CHECK(structure(*s) == frozen);
}

TEST_CASE("sparse: NaN and Inf weights are removed before they reach a batch, and reported") {
  for (const auto kind : {obs::PerturbKind::InjectNaN, obs::PerturbKind::InjectInf}) {
    auto s = make(patterns("set"));
    for (int i = 0; i < 5; ++i) s->step();
    const std::size_t before = s->chain().connections();
    obs::Perturbation p;
    p.kind = kind;
    p.fraction = 0.01;
    s->perturb(p);
    s->drain_events();
    s->step();
    bool reported = false;
    for (const auto& e : s->drain_events()) reported |= e.level == obs::Event::Level::Error;
    CHECK(reported);
    const auto hit = static_cast<double>(obs::units_hit(0.01, before));
    CHECK(s->chain().connections() == before - static_cast<std::size_t>(hit));
    CHECK(scene_test::metric(*s, "faults") == hit);
    for (int i = 0; i < 20; ++i) s->step();
    for (double v : scene_test::metrics_of(*s)) CHECK(!std::isinf(v));
    CHECK(std::isfinite(scene_test::metric(*s, "loss")));
  }
}

TEST_CASE("sparse: ablation removes a share of the connections; a unit left with none is counted dead") {
  nlohmann::json p = patterns("static");
  p["density"] = 0.02;  // uniform: every unit reads one input
  p["density_rule"] = "uniform";
  auto s = make(p);
  const std::size_t before = s->chain().connections();
  CHECK(before == 64 + 32 + 6);  // round(0.02 x 64) = 1 and round(0.02 x 32) = 0 -> 1: one input per unit
  CHECK(scene_test::metric(*s, "dead_units") == 0);
  obs::Perturbation a;
  a.kind = obs::PerturbKind::Ablate;
  a.fraction = 0.25;
  s->perturb(a);
  const std::size_t hit = obs::units_hit(0.25, before);
  CHECK(s->chain().connections() == before - hit);
  CHECK(scene_test::metric(*s, "dead_units") == static_cast<double>(hit));  // each removed connection was its unit's only one
}

TEST_CASE("sparse: Adam learns too, and its moments stay aligned with the connections through rewiring") {
  for (const std::string method : {"set", "rigl"}) {
    CAPTURE(method);
    nlohmann::json p = patterns(method.c_str());
    p["optimizer"] = "adam";
    p["lr"] = 0.003;
    auto s = make(p);
    while (s->epoch() < 3) s->step();
    MESSAGE(method << " + adam: test accuracy " << s->test_accuracy() << " after 3 epochs");
    CHECK(s->test_accuracy() > 0.8);  // measured 0.92 (SET) and 0.93 (RigL); chance is 1/6
    for (const auto& W : s->chain().layers()) {
      CHECK(W.moment1.size() == W.value.size());
      CHECK(W.moment2.size() == W.value.size());
    }
  }
}

TEST_CASE("sparse: the evidence planner cycles on schedule, within each layer's budget, and says so in its metrics") {
  nlohmann::json p = patterns("evidence");
  p["region_width"] = 8;
  auto s = make(p);
  CHECK(std::isnan(scene_test::metric(*s, "gamma")));  // no planner before its first cycle
  std::vector<std::size_t> budget;
  for (const auto& W : s->chain().layers()) budget.push_back(W.connections());
  const std::string start = structure(*s);
  for (int i = 0; i < 10; ++i) s->step();
  // The first cycle only marks Cooling (every layer is at its budget): nothing moves yet.
  CHECK(structure(*s) == start);
  CHECK(scene_test::metric(*s, "budget_use") == 1.0);
  CHECK(scene_test::metric(*s, "gamma") == doctest::Approx(1 / std::sqrt(0.05)));
  for (int i = 0; i < 290; ++i) s->step();
  CHECK(scene_test::metric(*s, "commits") > 0);
  CHECK(structure(*s) != start);
  for (std::size_t l = 0; l < budget.size(); ++l) CHECK(s->chain().layers()[l].connections() <= budget[l]);
  const auto snap = std::dynamic_pointer_cast<const obs::sparse::SparseSnapshot>(s->snapshot());
  REQUIRE(snap);
  CHECK(snap->method == "evidence");
  CHECK(snap->rewires.size() == 30u * 3u);  // one event per layer per cycle
  CHECK(!snap->probes.empty());
  for (const auto& pr : snap->probes) {
    CHECK(pr.col1 - pr.col0 <= 8);
    CHECK(pr.tokens > 0);
  }
  for (const auto& layer : snap->layers) {
    CHECK(layer.budget > 0);
    CHECK(layer.gamma >= 1.0);
    CHECK(layer.cooling > 0);
  }
  // Two runs of the same scene and seed are the same run.
  auto again = make(p);
  for (int i = 0; i < 300; ++i) again->step();
  CHECK(again->state_hash() == s->state_hash());
}

TEST_CASE("sparse: after an ablation the evidence planner regrows into the freed budget") {
  auto s = make(patterns("evidence"));
  const std::size_t before = s->chain().connections();
  for (int i = 0; i < 10; ++i) s->step();  // the planner's budgets are set at its first cycle
  obs::Perturbation a;
  a.kind = obs::PerturbKind::Ablate;
  a.fraction = 0.05;
  s->perturb(a);
  const std::size_t ablated = s->chain().connections();
  CHECK(ablated < before);
  CHECK(scene_test::metric(*s, "budget_use") < 1.0);
  for (int i = 0; i < 100; ++i) s->step();
  CHECK(s->chain().connections() > ablated);
  CHECK(s->chain().connections() <= before);
}

namespace {

// Runs s for `steps` steps and keeps the chain's state after every training step.
std::map<std::uint64_t, obs::sparse::ChainState> run_and_keep(obs::SparseSystem& s, int steps) {
  std::map<std::uint64_t, obs::sparse::ChainState> kept;
  for (int i = 0; i < steps; ++i) {
    s.step();
    kept[s.steps()] = obs::sparse::state_of(s.chain());
  }
  return kept;
}

}  // namespace

TEST_CASE("sparse: the delta-state log rebuilds every logged state bit for bit, through rewiring, splits and merges") {
  for (const std::string method : {"set", "evidence"}) {
    CAPTURE(method);
    nlohmann::json p = patterns(method.c_str());
    p["delta_log"] = 40;
    p["rewire_every"] = 3;
    if (method == "evidence") {
      p["budget_scale"] = 2;
      p["split_every"] = 2;  // shape changes: logged whole
    }
    auto s = make(p);
    // 150 training steps, the test pass (steps 151 to 154, not logged: they change nothing),
    // then training again: the ring's last 40 are all training steps.
    const auto kept = run_and_keep(*s, 200);
    const obs::sparse::DeltaLog* log = s->delta_log();
    REQUIRE(log);
    CHECK(log->size() == 40u);
    CHECK(log->newest_step() == 200u);
    int checked = 0;
    for (std::uint64_t t = log->oldest_step(); t <= log->newest_step(); ++t) {
      const auto it = kept.find(t);
      REQUIRE(it != kept.end());
      CHECK(log->reconstruct(t) == it->second);
      ++checked;
    }
    CHECK(checked == 40);
    CHECK_THROWS_AS(log->reconstruct(log->oldest_step() - 1), std::out_of_range);
    CHECK(scene_test::metric(*s, "delta_log_bytes") == static_cast<double>(log->bytes()));
  }
}

TEST_CASE("sparse: with delta_eps the log keeps fewer changes and every rebuilt weight is within eps") {
  nlohmann::json p = patterns("static");
  p["delta_log"] = 30;
  auto exact = make(p);
  p["delta_eps"] = 1e-3;
  auto coarse = make(p);
  const auto kept = run_and_keep(*coarse, 60);
  run_and_keep(*exact, 60);
  CHECK(coarse->delta_log()->bytes() < exact->delta_log()->bytes());
  for (std::uint64_t t = coarse->delta_log()->oldest_step(); t <= coarse->delta_log()->newest_step(); ++t) {
    const obs::sparse::ChainState rebuilt = coarse->delta_log()->reconstruct(t), truth = kept.at(t);
    REQUIRE(rebuilt.size() == truth.size());
    for (std::size_t l = 0; l < truth.size(); ++l) {
      REQUIRE(rebuilt[l].keys == truth[l].keys);  // a static network: the same connections
      for (std::size_t k = 0; k < truth[l].values.size(); ++k) CHECK(std::abs(rebuilt[l].values[k] - truth[l].values[k]) <= 1e-3f);
      for (std::size_t k = 0; k < truth[l].bias.size(); ++k) CHECK(std::abs(rebuilt[l].bias[k] - truth[l].bias[k]) <= 1e-3f);
    }
  }
}

TEST_CASE("sparse: the dense kernel, chosen by parameter, trains the same network to float rounding; auto chooses per layer") {
  nlohmann::json p = patterns("static");  // rewiring ranks near-ties, which rounding may order either way
  auto csr = make(p);
  p["kernel"] = "dense";
  auto dense = make(p);
  CHECK(scene_test::metric(*csr, "dense_layers") == 0);
  CHECK(scene_test::metric(*dense, "dense_layers") == 3);
  for (int i = 0; i < 60; ++i) {
    csr->step();
    dense->step();
  }
  // Weights within rounding's reach after 60 steps.
  for (std::size_t l = 0; l < 3; ++l) {
    const auto &a = csr->chain().layers()[l], &b = dense->chain().layers()[l];
    REQUIRE(a.col == b.col);
    for (std::size_t k = 0; k < a.value.size(); ++k) CHECK(b.value[k] == doctest::Approx(a.value[k]).epsilon(1e-3).scale(1e-3));
  }
  p["kernel"] = "auto";
  auto chosen = make(p);
  const double n = scene_test::metric(*chosen, "dense_layers");
  CHECK(n >= 0);
  CHECK(n <= 3);
  for (int i = 0; i < 20; ++i) chosen->step();
  CHECK(std::isfinite(scene_test::metric(*chosen, "loss")));
}
