// The cube as a System: plasticity under its synapse budget, ternary weights, sizes refused
// before allocation, determinism, NaN/Inf containment, ablation and healing, learning a
// synthetic task, and every cube scene end to end through the scene path.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>

#include "core/input_error.hpp"
#include "core/state_archive.hpp"
#include "cube_test_util.hpp"

using cube_test::make;
using cube_test::metric;

namespace {

bool has_event(std::vector<obs::Event> events, obs::Event::Level level, const std::string& part) {
  for (const auto& e : events)
    if (e.level == level && e.text.find(part) != std::string::npos) return true;
  return false;
}

obs::Perturbation perturbation(obs::PerturbKind kind, double fraction) {
  obs::Perturbation p;
  p.kind = kind;
  p.fraction = fraction;
  return p;
}

}  // namespace

TEST_CASE("structural plasticity keeps the live synapses within the budget") {
  SUBCASE("growth stops at the budget") {
    // grow_ratio 0: every dead synapse the nudge reaches wants to grow; only the budget stops it.
    auto sys = make({{"n", 6}, {"batch", 16}, {"init_density", 0.3}, {"synapse_budget", 0.4}, {"plasticity", true},
                     {"plasticity_every", 1}, {"grow_ratio", 0.0}, {"prune_ratio", 0.0}, {"train_size", 128}, {"test_size", 0},
                     {"step_mode", "batch"}});
    const auto budget = static_cast<double>(sys->synapse_budget());
    const double start = metric(*sys, "synapses");
    REQUIRE(start < budget);
    for (int k = 0; k < 4; ++k) {
      sys->step();
      CHECK(metric(*sys, "synapses") <= budget);
      CHECK(static_cast<double>(sys->lattice().live_synapses()) == metric(*sys, "synapses"));
    }
    CHECK(metric(*sys, "synapses") == budget);
  }
  SUBCASE("silent synapses are pruned") {
    auto sys = make({{"n", 6}, {"batch", 16}, {"init_density", 0.3}, {"synapse_budget", 0.4}, {"plasticity", true},
                     {"plasticity_every", 1}, {"grow_ratio", 3.0}, {"prune_ratio", 0.2}, {"train_size", 128}, {"test_size", 0},
                     {"step_mode", "batch"}});
    const double start = metric(*sys, "synapses");
    for (int k = 0; k < 6; ++k) {
      sys->step();
      CHECK(metric(*sys, "synapses") <= static_cast<double>(sys->synapse_budget()));
    }
    CHECK(metric(*sys, "synapses") < start);
    const auto& c = sys->lattice();
    for (std::size_t p = 0; p < c.cells; ++p)
      for (int d = 0; d < obs::cube::kNeighbours; ++d)
        if (!(c.mask[p] >> d & 1u)) CHECK(c.w[p * obs::cube::kNeighbours + static_cast<std::size_t>(d)] == 0.0f);
  }
}

TEST_CASE("ternary weights stay in {-1, 0, +1} x scale, within the budget") {
  auto sys = make({{"n", 6}, {"batch", 16}, {"weights", "ternary"}, {"init_density", 0.5}, {"synapse_budget", 0.6},
                   {"lr", 2.0}, {"train_size", 128}, {"test_size", 0}, {"step_mode", "batch"}});
  for (int k = 0; k < 6; ++k) sys->step();
  const auto& c = sys->lattice();
  std::set<float> recurrent;
  for (std::size_t p = 0; p < c.cells; ++p)
    for (int d = 0; d < obs::cube::kNeighbours; ++d) {
      const float w = c.w[p * obs::cube::kNeighbours + static_cast<std::size_t>(d)];
      CHECK(((c.mask[p] >> d & 1u) != 0) == (w != 0.0f));
      if (c.relaxes[p] && c.relaxes[c.nbr(p, d)] && w != 0) recurrent.insert(std::fabs(w));
    }
  CHECK(recurrent.size() == 1);  // one magnitude: the scale
  CHECK(metric(*sys, "synapses") <= static_cast<double>(sys->synapse_budget()));
  CHECK(metric(*sys, "weight_sparsity") > 0.3);
  CHECK(sys->lipschitz() <= 0.95 * 1.002);
}

TEST_CASE("sizes beyond the memory budget are refused before allocation; bad values name the parameter") {
  try {
    make({{"n", 1024}, {"batch", 256}});
    FAIL("expected a refusal");
  } catch (const obs::InputError& e) {
    CHECK(std::string(e.what()).find("budget") != std::string::npos);
  }
  CHECK_THROWS_AS(make({{"n", 8}, {"input_depth", 7}}), obs::InputError);
  CHECK_THROWS_AS(make({{"n", 8}, {"batch", 4}, {"show", 9}}), obs::InputError);
  CHECK_THROWS_AS(make({{"n", 3}}), obs::InputError);
  try {
    make({{"init_density", 0.9}, {"synapse_budget", 0.5}});
    FAIL("expected a refusal");
  } catch (const obs::InputError& e) {
    CHECK(e.pointer() == "/params/init_density");
  }
}

TEST_CASE("determinism: same scene and seed, same bits; another seed, another state") {
  const nlohmann::json p = {{"n", 12}, {"batch", 16}, {"train_size", 64}, {"test_size", 16}, {"plasticity", true}, {"plasticity_every", 1}};
  auto a = make(p, 5), b = make(p, 5), c = make(p, 6);
  for (int k = 0; k < 150; ++k) {
    a->step();
    b->step();
    c->step();
  }
  CHECK(a->state_hash() == b->state_hash());
  CHECK(a->state_hash() != c->state_hash());
}

TEST_CASE("NaN and Inf injected into states are caught, reported, and never spread") {
  for (auto kind : {obs::PerturbKind::InjectNaN, obs::PerturbKind::InjectInf}) {
    auto sys = make({{"n", 8}, {"batch", 16}, {"train_size", 64}, {"test_size", 0}});
    for (int k = 0; k < 5; ++k) sys->step();
    sys->drain_events();
    sys->perturb(perturbation(kind, 0.05));
    sys->step();
    CHECK(has_event(sys->drain_events(), obs::Event::Level::Error, "non-finite"));
    CHECK(sys->quarantined() > 0);
    for (int k = 0; k < 20; ++k) sys->step();
    for (float v : sys->lattice().s) REQUIRE(std::isfinite(v));
    for (float v : sys->lattice().w) REQUIRE(std::isfinite(v));
    CHECK(std::isfinite(metric(*sys, "energy")));
  }
}

TEST_CASE("ablation: a random share or a sphere, and healing brings the neurons back") {
  auto sys = make({{"n", 10}, {"batch", 16}, {"train_size", 64}, {"test_size", 0}, {"ablate_shape", "sphere"}});
  const double alive0 = metric(*sys, "alive_fraction");
  sys->perturb(perturbation(obs::PerturbKind::Ablate, 0.1));
  const double alive1 = metric(*sys, "alive_fraction");
  CHECK(alive1 < alive0);
  // A sphere of volume 0.1 n^3 = 100 neurons, inside the cube and clear of the input plane: ~100 killed.
  const double killed = (alive0 - alive1) * 9 * 100;
  CHECK(killed == doctest::Approx(100).epsilon(0.2));
  for (int k = 0; k < 30; ++k) sys->step();
  for (float v : sys->lattice().s) REQUIRE(std::isfinite(v));
  sys->params().set_value("heal", 1);
  sys->apply_params();
  while (sys->stage() != obs::CubeSystem::Stage::Free || metric(*sys, "alive_fraction") < alive0) sys->step();
  CHECK(metric(*sys, "alive_fraction") == alive0);
  CHECK(sys->lipschitz() <= 0.95 * 1.002);
}

TEST_CASE("learns two moons well above chance on some seeds, and the rest stay at chance (measured: 4 of 8 learn)") {
  // An 8^3 cube on 512 moons does not learn from every start: on 4 of seeds 1-8 the test
  // accuracy stays at 0.5 for all 10 epochs (measured 2026-12-03, docs/systems/cube.md). One
  // seed's number says little, so the test runs all eight: those that learn must learn well.
  int learned = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    auto sys = make({{"n", 8}, {"batch", 16}, {"train_size", 512}, {"test_size", 256}, {"step_mode", "batch"}, {"beta", 0.1},
                     {"lr", 0.01}, {"tol", 1e-5}, {"overrelax", 1.7}}, seed);
    double best = 0;
    while (sys->epoch() < 10) {
      const int epoch = sys->epoch();
      sys->step();
      if (sys->epoch() != epoch) best = std::max(best, sys->test_accuracy());
    }
    MESSAGE("moons, 8^3 cube, seed " << seed << ": best test accuracy in 10 epochs " << best);
    CHECK(best >= 0.45);  // chance or better: a collapse below chance would be a bug
    learned += best > 0.7;
  }
  CHECK(learned >= 3);
}

TEST_CASE("every cube scene runs end to end through the scene path") {
  for (const char* name : {"cube_demo.json", "cube_lazy.json", "cube_fashion.json", "cube_stream.json"}) {
    CAPTURE(name);
    obs::Scene scene = obs::load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/" + name);
    CHECK(scene.system == "cube");
    CHECK(!scene.description.empty());
    const bool fashion = std::string(name) == "cube_fashion.json" || std::string(name) == "cube_stream.json";
    if (fashion && !std::filesystem::exists(std::string(obs::data::kFashionMnistDir) + "/train-images-idx3-ubyte.gz")) {
      CHECK_THROWS_WITH_AS(obs::instantiate(scene), doctest::Contains("dataset-fashion-mnist"), obs::InputError);
      continue;
    }
    // The full scenes train on thousands of examples; a smaller slice keeps this test short.
    std::vector<obs::ParamOverride> small = {{"train_size", "64"}, {"test_size", "32"}};
    if (std::string(name) == "cube_fashion.json") small.push_back({"n", "28"});
    auto sys = obs::instantiate(scene, small);
    REQUIRE(scene.warnings.empty());
    for (int k = 0; k < 40; ++k) sys->step();
    const auto values = cube_test::metrics_of(*sys);
    for (std::size_t k = 0; k < values.size(); ++k) {
      const std::string& metric_name = sys->metric_names()[k];
      CAPTURE(metric_name);
      // Only a metric declared "not measured yet" may be NaN (the probe_* while no neuron is
      // probed, the accuracies before the first epoch ends); the probe_* are, in these scenes.
      const bool probe = metric_name.rfind("probe_", 0) == 0;
      if (probe) CHECK(std::isnan(values[k]));
      else CHECK((std::isfinite(values[k]) || sys->metric_table().may_be_unmeasured(k)));
    }
    auto snap = std::dynamic_pointer_cast<const obs::cube::CubeSnapshot>(sys->snapshot());
    REQUIRE(snap);
    const auto N = static_cast<std::size_t>(snap->n) * snap->n * snap->n;
    CHECK(snap->activation.size() == N);
    CHECK(snap->velocity.size() == N);
    CHECK(snap->nudge.size() == N);
    CHECK(snap->alive.size() == N);
    CHECK(snap->synapse_mask.size() == N);
    // One output per class: read at a far-face neuron each, or by the face readout's units.
    CHECK(snap->output.size() == snap->class_names.size());
    CHECK(snap->output_neurons.size() == (snap->face_readout ? 0 : snap->class_names.size()));
    CHECK(snap->input.size() == static_cast<std::size_t>(snap->input_rows * snap->input_cols));
    CHECK(snap->work.size() == (snap->streaming ? N : 0));
    double act = 0;
    for (float v : snap->activation) act += v;
    CHECK(act > 0);  // not a blank cube
  }
}

TEST_CASE("the probe reports the picked neuron's channels every step, as the snapshot shows them") {
  auto none = make({{"n", 8}, {"batch", 16}, {"train_size", 64}, {"test_size", 0}});
  none->step();
  CHECK(std::isnan(metric(*none, "probe_activation")));

  auto sys = make({{"n", 8}, {"batch", 16}, {"train_size", 64}, {"test_size", 0}, {"probe_x", 3}, {"probe_y", 4}, {"probe_z", 5}, {"show", 2}});
  const int i = (5 * 8 + 4) * 8 + 3;  // the snapshot's index of neuron (3, 4, 5)
  bool saw_nudge = false;
  for (int k = 0; k < 120; ++k) {
    sys->step();
    const auto snap = std::dynamic_pointer_cast<const obs::cube::CubeSnapshot>(sys->snapshot());
    REQUIRE(snap);
    CHECK(metric(*sys, "probe_activation") == doctest::Approx(snap->activation[static_cast<std::size_t>(i)]).epsilon(1e-7));
    CHECK(metric(*sys, "probe_velocity") == doctest::Approx(snap->velocity[static_cast<std::size_t>(i)]).epsilon(1e-7));
    CHECK(metric(*sys, "probe_nudge") == doctest::Approx(snap->nudge[static_cast<std::size_t>(i)]).epsilon(1e-7));
    saw_nudge |= snap->nudge[static_cast<std::size_t>(i)] != 0.0f;
  }
  CHECK(saw_nudge);  // the run reached a nudged phase, so all three channels were compared live
  try {
    make({{"n", 8}, {"probe_y", 8}});
    FAIL("expected a refusal");
  } catch (const obs::InputError& e) {
    CHECK(e.pointer() == "/params/probe_y");
  }
}

TEST_CASE("frozen neurons hold their state while the rest of the cube relaxes around them") {
  auto sys = make({{"n", 10}, {"batch", 16}, {"train_size", 64}, {"test_size", 0}, {"tol", 1e-9}, {"free_steps", 1000}});
  for (int k = 0; k < 5; ++k) sys->step();  // states away from 0
  obs::Perturbation freeze = perturbation(obs::PerturbKind::Ablate, 0.2);
  freeze.mode = obs::AblateMode::Freeze;
  sys->perturb(freeze);
  const auto& c = sys->lattice();
  const std::vector<float> held(c.s.begin(), c.s.end());
  for (int k = 0; k < 10; ++k) sys->step();
  REQUIRE(sys->stage() == obs::CubeSystem::Stage::Free);  // still the same relaxation
  std::size_t frozen = 0, moved_others = 0;
  for (std::size_t p = 0; p < c.cells; ++p) {
    bool same = true;
    for (std::size_t b = 0; b < 16; ++b) same = same && c.s[p * 16 + b] == held[p * 16 + b];
    if (c.alive[p] == 2) {
      ++frozen;
      CHECK(same);
    } else if (c.relaxes[p] && !same) {
      ++moved_others;
    }
  }
  CHECK(frozen > 100);  // 20 % of the 900 relaxing neurons
  CHECK(moved_others > 100);
}

TEST_CASE("batch steps show the showcased example's fixed point, as a twin stepping one relaxation at a time sees it") {
  // A batch step ends on the next batch at rest (input clamped, everything else 0), which is
  // all a view drawn between batch steps used to see: an empty readout, no fixed point.
  for (const char* readout : {"neuron", "face"}) {
    CAPTURE(readout);
    const nlohmann::json p = {{"n", 6},   {"batch", 8},       {"train_size", 32},      {"test_size", 0},
                              {"show", 3}, {"tol", 1e-6},      {"free_steps", 400},     {"nudged_steps", 400},
                              {"beta_mode", "symmetric"},      {"readout", readout},    {"probe_x", 2},
                              {"probe_y", 3}, {"probe_z", 5}};
    nlohmann::json pb = p;
    pb["step_mode"] = "batch";
    auto batch = make(pb), relax = make(p);
    using Snap = obs::cube::CubeSnapshot;
    auto snap_of = [](const obs::CubeSystem& s) { return std::dynamic_pointer_cast<const Snap>(s.snapshot()); };
    CHECK_FALSE(snap_of(*batch)->settled);  // nothing has settled yet: the live states
    batch->step();
    const auto settled = snap_of(*batch);
    REQUIRE(settled->settled);

    // The twin, one relaxation step at a time through the same arithmetic, to the step that ends
    // its free phase: what it shows then is the free fixed point.
    int free_steps = 0;
    while (relax->stage() == obs::CubeSystem::Stage::Free) relax->step(), ++free_steps;
    const auto at_free = snap_of(*relax);
    CHECK(settled->relax_step == free_steps);
    CHECK(free_steps < 400);  // it settled to tol, not to the step limit
    CHECK(settled->activation == at_free->activation);
    CHECK(settled->output == at_free->output);
    CHECK(settled->predicted == at_free->predicted);
    CHECK(settled->label == at_free->label);
    CHECK(settled->input == at_free->input);
    CHECK(std::all_of(settled->velocity.begin(), settled->velocity.end(), [](float v) { return v == 0.0f; }));
    // The probe's trace follows what the view shows.
    const std::size_t probed = (5 * 6 + 3) * 6 + 2;
    CHECK(metric(*batch, "probe_activation") == doctest::Approx(settled->activation[probed]).epsilon(1e-7));
    CHECK(metric(*batch, "probe_velocity") == 0.0);
    CHECK(metric(*batch, "probe_nudge") == doctest::Approx(settled->nudge[probed]).epsilon(1e-7));

    // The nudge is the +beta phase's end. The twin's last view of that phase is one relaxation
    // step before its end, and that step moved no state by more than tol.
    REQUIRE(settled->phase == obs::cube::CubePhase::Nudged);
    std::shared_ptr<const Snap> last_plus;
    while (relax->stage() == obs::CubeSystem::Stage::NudgePlus) {
      last_plus = snap_of(*relax);
      relax->step();
    }
    REQUIRE(last_plus);
    float worst = 0, largest = 0;
    for (std::size_t i = 0; i < settled->nudge.size(); ++i) {
      worst = std::max(worst, std::abs(settled->nudge[i] - last_plus->nudge[i]));
      largest = std::max(largest, std::abs(settled->nudge[i]));
    }
    CHECK(worst <= 1e-6f);
    // A real nudge, not zeros compared with zeros (where the nudge acts on neurons: the face
    // readout's untrained couplings pass almost none of it back into the lattice).
    if (std::string(readout) == "neuron") CHECK(largest > 1e-3f);

    // A checkpoint read drops it: it showed the states from before the read.
    obs::StateWriter w;
    relax->write_state(w);
    obs::StateReader r(w.bytes());
    batch->read_state(r);
    CHECK_FALSE(snap_of(*batch)->settled);
  }
}

TEST_CASE("warm_start: a batch's free phase starts from the free fixed point the batch before reached") {
  const nlohmann::json params = {{"n", 8},          {"batch", 16},        {"dataset", "moons"}, {"train_size", 64},
                                 {"test_size", 32}, {"free_steps", 400},  {"nudged_steps", 100}, {"tol", 1e-5},
                                 {"warm_start", true}};
  auto warm = cube_test::make(params);
  auto cold_params = params;
  cold_params["warm_start"] = false;
  auto cold = cube_test::make(cold_params);
  using Stage = obs::CubeSystem::Stage;
  // The first batch's free phase: run to its end and keep the fixed point.
  while (warm->stage() == Stage::Free) warm->step();
  while (cold->stage() == Stage::Free) cold->step();
  const obs::cube::Cube fixed = warm->lattice();  // the free fixed point (the +beta phase has not stepped yet)
  // Through the nudges and the update to the next batch's first state.
  while (warm->stage() != Stage::Free) warm->step();
  while (cold->stage() != Stage::Free) cold->step();
  const obs::cube::Cube& w = warm->lattice();
  const obs::cube::Cube& c = cold->lattice();
  std::size_t relaxing = 0, equal = 0, cold_zero = 0;
  for (std::size_t p = 0; p < w.cells; ++p) {
    if (!w.relaxes[p]) continue;
    for (std::size_t e = 0; e < 16; ++e) {
      ++relaxing;
      equal += w.s[p * 16 + e] == fixed.s[p * 16 + e] ? 1 : 0;
      cold_zero += c.s[p * 16 + e] == 0.0f ? 1 : 0;
    }
  }
  CHECK(equal == relaxing);      // warm: exactly the previous free fixed point
  CHECK(cold_zero == relaxing);  // cold: at rest
  // Same data, same first batch: the slab is the new batch's input in both.
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) CHECK(w.s[w.idx(x, y, 0) * 16 + 3] == c.s[c.idx(x, y, 0) * 16 + 3]);
}
