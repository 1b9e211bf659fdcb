// The eqprop system through the scene path: it learns, keeps L < 1 after every update, is
// deterministic, contains NaN/Inf, refuses bad parameters by name and absurd sizes before
// allocating, ablates and heals, dumps weights and states, and every scene file runs.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/input_error.hpp"
#include "eqprop/lipschitz.hpp"
#include "eqprop_test_util.hpp"

using namespace eqprop_test;

namespace {

const nlohmann::json kMoons = {{"dataset", "moons"},  {"train_size", 1000},     {"test_size", 500},   {"hidden_units", 64},
                               {"output", "activation"},
                               {"batch", 20},         {"lr_first", 0.2},     {"lr_last", 0.1},  {"momentum", 0.9},
                               {"map_every", 0},      {"showcase_every", 10}};

std::string refusal(const nlohmann::json& params) {
  try {
    make(params);
  } catch (const obs::InputError& e) {
    return e.what();
  }
  return "";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

obs::Perturbation noise_kick(double amplitude) {
  obs::Perturbation p;
  p.kind = obs::PerturbKind::Noise;
  p.amplitude = amplitude;
  return p;
}

int steps_per_epoch(const obs::EqPropSystem& s) {
  nlohmann::json j;
  s.dump(j);
  return j["batches_per_epoch"].get<int>() + 4;
}

}  // namespace

TEST_CASE("eqprop: learns the two moons to >= 95 % test accuracy within seconds, L < 1 after every update") {
  for (const char* algorithm : {"eqprop", "backprop"}) {
    CAPTURE(algorithm);
    const auto start = std::chrono::steady_clock::now();
    auto s = make(with(kMoons, {{"algorithm", algorithm}}), 3);
    double worst_l = 0;
    const int per_epoch = steps_per_epoch(*s);
    while (s->epoch() < 15 && !(s->epoch() >= 1 && s->test_accuracy() >= 0.97)) {
      s->step();
      if (std::string(algorithm) == "eqprop") worst_l = std::max(worst_l, obs::eqprop::exact_coupling_norm(s->net()));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MESSAGE(std::string(algorithm) << ": test accuracy " << s->test_accuracy() << " after " << s->epoch() << " epochs ("
                      << per_epoch << " steps each), " << seconds << " s; worst exact L " << worst_l);
    CHECK(s->test_accuracy() >= 0.95);
    CHECK(seconds < 10);
    if (std::string(algorithm) == "eqprop") {
      CHECK(worst_l < 1.0);
      CHECK(worst_l <= 0.95 * 1.01);
      CHECK(metric(*s, "lipschitz") <= 0.95 + 1e-9);
    }
  }
}

TEST_CASE("eqprop: backprop_bound holds backprop's weights under the Lipschitz target; without it they pass it") {
  for (const bool bound : {true, false}) {
    CAPTURE(bound);
    auto s = make(with(kMoons, {{"algorithm", "backprop"}, {"backprop_bound", bound}, {"lipschitz_target", 0.7}}), 3);
    double worst_l = 0;
    while (s->epoch() < 3) {
      s->step();
      worst_l = std::max(worst_l, obs::eqprop::exact_coupling_norm(s->net()));
    }
    MESSAGE("backprop_bound " << bound << ": worst exact L " << worst_l << ", test accuracy " << s->test_accuracy());
    if (bound) {
      CHECK(worst_l <= 0.7 * 1.01);
      CHECK(metric(*s, "lipschitz") <= 0.7 + 1e-9);
    } else {
      CHECK(worst_l > 1.0);
    }
    CHECK(s->test_accuracy() >= 0.85);  // both still learn the moons
  }
}

TEST_CASE("eqprop: deterministic for scene + seed, different for another seed") {
  auto run = [](std::uint64_t seed, const char* mode) {
    auto s = make(with(kMoons, {{"beta_mode", mode}, {"train_size", 200}, {"test_size", 100}}), seed);
    for (int i = 0; i < 25; ++i) s->step();  // across an epoch end and its evaluation
    return s->state_hash();
  };
  for (const char* mode : {"symmetric", "random_sign"}) {
    CAPTURE(mode);
    CHECK(run(5, mode) == run(5, mode));
    CHECK(run(5, mode) != run(6, mode));
  }
}

TEST_CASE("eqprop: NaN and Inf injected into the state are caught, the batch discarded, weights untouched") {
  for (const char* algorithm : {"eqprop", "backprop"}) {
    for (auto kind : {obs::PerturbKind::InjectNaN, obs::PerturbKind::InjectInf}) {
      CAPTURE(algorithm);
      auto s = make(with(kMoons, {{"algorithm", algorithm}}), 2);
      for (int i = 0; i < 5; ++i) s->step();
      s->drain_events();
      const auto before = s->net().W;
      obs::Perturbation p;
      p.kind = kind;
      p.fraction = 0.2;
      s->perturb(p);
      s->step();
      bool error = false;
      for (const auto& e : s->drain_events()) error |= e.level == obs::Event::Level::Error;
      CHECK(error);
      CHECK(metric(*s, "discarded_batches") == 1);
      for (std::size_t l = 0; l < before.size(); ++l) CHECK((s->net().W[l] - before[l]).cwiseAbs().maxCoeff() == 0.0f);
      // Training carries on with finite weights and metrics.
      for (int i = 0; i < 5; ++i) s->step();
      for (const auto& W : s->net().W) CHECK(W.allFinite());
      CHECK(std::isfinite(metric(*s, "loss")));
      CHECK(std::isfinite(metric(*s, "lipschitz")));
      bool changed = false;
      for (std::size_t l = 0; l < before.size(); ++l) changed |= (s->net().W[l] - before[l]).cwiseAbs().maxCoeff() > 0;
      CHECK(changed);
    }
  }
}

TEST_CASE("eqprop: ablated units stay at 0 and out of the updates until healed") {
  auto s = make(with(kMoons, {{"hidden_layers", 2}, {"hidden_units", 16}}), 4);
  for (int i = 0; i < 3; ++i) s->step();
  obs::Perturbation p;
  p.kind = obs::PerturbKind::Ablate;
  p.fraction = 0.25;
  s->perturb(p);
  std::size_t dead = 0;
  for (int l = 0; l < 2; ++l) dead += static_cast<std::size_t>((s->net().mask[l].array() == 0).count());
  CHECK(dead == 8);  // a quarter of 32 hidden units
  CHECK((s->net().mask[2].array() == 0).count() == 0);  // the output layer is never ablated
  const auto before = s->net().W;
  for (int i = 0; i < 5; ++i) s->step();
  // A dead unit's weights receive no update; the Lipschitz projection may only rescale them
  // (W_1, W_2 are in the coupling), so the new vector is parallel to the old one.
  auto parallel = [](const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
    const double c = a.dot(b) / (a.norm() * b.norm());
    return c > 1 - 1e-6;
  };
  for (int l = 0; l < 2; ++l)
    for (int i = 0; i < 16; ++i)
      if (s->net().mask[l][i] == 0) {
        CHECK(parallel(s->net().W[l].row(i).transpose(), before[l].row(i).transpose()));
        CHECK(parallel(s->net().W[l + 1].col(i), before[l + 1].col(i)));
        if (l == 0) CHECK((s->net().W[0].row(i) - before[0].row(i)).cwiseAbs().maxCoeff() == 0.0f);  // W_0 is never rescaled
      }
  nlohmann::json j;
  s->dump(j);
  const auto showcase = j["showcase"]["trajectory"].back()["s"];
  for (int l = 0; l < 2; ++l)
    for (int i = 0; i < 16; ++i)
      if (s->net().mask[l][i] == 0) CHECK(showcase[l][i].get<double>() == 0.0);
  s->params().set_value("heal", 1);
  s->apply_params();
  for (int l = 0; l < 2; ++l) CHECK((s->net().mask[l].array() == 0).count() == 0);
}

TEST_CASE("eqprop: bad parameters are refused naming the parameter") {
  CHECK(refusal(with(kMoons, {{"beta", 1.5}})).find("/params/beta") != std::string::npos);
  CHECK(refusal(with(kMoons, {{"activation", "relu"}})).find("/params/activation") != std::string::npos);
  CHECK(refusal(with(kMoons, {{"algorithm", "autograd"}})).find("/params/algorithm") != std::string::npos);
  CHECK(refusal(with(kMoons, {{"batch", 5000}})).find("/params/batch") != std::string::npos);
  CHECK(refusal(with(kMoons, {{"showcase", 900}})).find("/params/showcase") != std::string::npos);
  CHECK(refusal(with(kMoons, {{"train_size", 0}})).find("/params/train_size") != std::string::npos);
  CHECK(refusal(with(kMoons, {{"lipschitz_target", 1.0}})).find("/params/lipschitz_target") != std::string::npos);
}

TEST_CASE("eqprop: absurd sizes are refused before anything is allocated") {
  const auto start = std::chrono::steady_clock::now();
  const std::string why = refusal(with(kMoons, {{"hidden_units", 1000000}, {"hidden_layers", 200}}));
  CHECK(why.find("/params") != std::string::npos);
  CHECK(why.find("GiB") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("eqprop: the snapshot and the dump carry weights, states and the recorded relaxation") {
  auto s = make(with(kMoons, {{"showcase_every", 1}, {"map_every", 1}}), 1);
  s->step();
  const auto snap = std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(s->snapshot());
  REQUIRE(snap);
  CHECK(snap->algorithm == "eqprop");
  CHECK(snap->layer_sizes == std::vector<int>{2, 64, 2});
  CHECK(snap->trajectory.size() > static_cast<std::size_t>(snap->free_steps));
  CHECK(snap->trajectory.front().phase == obs::eqprop::RelaxPhase::Free);
  CHECK(snap->trajectory.back().phase == obs::eqprop::RelaxPhase::NudgedPlus);
  CHECK(snap->trajectory.front().s.size() == 2);
  CHECK(snap->output_free.size() == 2);
  CHECK(snap->map_res == 64);
  CHECK(snap->decision_map.size() == 64 * 64);
  CHECK(snap->points.size() == 2 * snap->point_labels.size());
  CHECK(snap->spectral_norms.size() == 2);
  nlohmann::json j;
  s->dump(j);
  CHECK(j["system"] == "eqprop");
  CHECK(j["weights"].size() == 2);
  CHECK(j["weights"][0]["rows"] == 64);
  CHECK(j["weights"][0]["data_row_major"].size() == 128);
  CHECK(j["biases"][1].size() == 2);
  CHECK(j["batch_free_state"][0]["cols"] == 20);
  CHECK(j["showcase"]["trajectory"].size() == snap->trajectory.size());
}

TEST_CASE("eqprop: a noise kick on the showcase relaxes away (contraction)") {
  auto s = make(with(kMoons, {{"showcase_every", 1}}), 1);
  for (int i = 0; i < 3; ++i) s->step();
  const auto calm = std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(s->snapshot());
  s->perturb(noise_kick(0.5));
  s->params().set_value("lr_first", 1e-6);  // keep the weights (nearly) still for the comparison
  s->params().set_value("lr_last", 1e-6);
  s->apply_params();
  s->step();
  const auto kicked = std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(s->snapshot());
  // The first recorded sweep starts from the kicked state, so it moves far more than from rest...
  CHECK(kicked->settled);
  // ...and it ends at the same free fixed point as the calm relaxation.
  for (std::size_t k = 0; k < calm->output_free.size(); ++k)
    CHECK(kicked->output_free[k] == doctest::Approx(calm->output_free[k]).epsilon(0.05));
}

TEST_CASE("eqprop: kick_at lands the noise and the ablation mid-relaxation, after that many free sweeps") {
  // Two hidden layers: a kick on layer 2 is read by layer 1's next update (one hidden layer would
  // be rewritten from its neighbours before anything read it).
  constexpr int kAt = 8;
  auto s = make(with(kMoons, {{"hidden_layers", 2}, {"free_steps", 40}, {"kick_at", kAt}, {"lr_first", 1e-6}, {"lr_last", 1e-6}}), 1);
  for (int i = 0; i < 3; ++i) s->step();
  const auto calm = std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(s->snapshot());
  s->perturb(noise_kick(0.5));
  s->step();
  const auto kicked = std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(s->snapshot());
  REQUIRE(kicked->free_steps > kAt + 1);  // the free phase ran past the kick, though it had settled before
  const auto& t = kicked->trajectory;
  const double before = t[kAt - 1].largest_change_from(t[kAt - 2]), hit = t[kAt].largest_change_from(t[kAt - 1]);
  MESSAGE("largest change: sweep " << kAt - 1 << " " << before << ", sweep " << kAt << " (the kick) " << hit);
  CHECK(hit > 0.01);
  CHECK(hit > 100 * before);  // settled, then hit
  CHECK(kicked->settled);     // and relaxed back to the same fixed point
  for (std::size_t k = 0; k < calm->output_free.size(); ++k)
    CHECK(kicked->output_free[k] == doctest::Approx(calm->output_free[k]).epsilon(0.05));

  // Ablation: the killed units take part in the first kAt sweeps and are 0 from then on.
  obs::Perturbation p;
  p.kind = obs::PerturbKind::Ablate;
  p.fraction = 0.5;
  s->perturb(p);
  s->step();
  const auto cut = std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(s->snapshot());
  const auto& mask = s->net().mask[0];
  bool active_before = false, all_dead_after = true;
  for (Eigen::Index i = 0; i < mask.size(); ++i) {
    if (mask[i] != 0) continue;
    active_before |= cut->trajectory[kAt - 1].s[0][static_cast<std::size_t>(i)] != 0.0f;
    for (std::size_t f = kAt; f < cut->trajectory.size(); ++f) all_dead_after &= cut->trajectory[f].s[0][static_cast<std::size_t>(i)] == 0.0f;
  }
  CHECK(active_before);
  CHECK(all_dead_after);
  CHECK(s->net().mask[0].sum() < static_cast<float>(mask.size()));  // the ablation holds after the showcase
}

TEST_CASE("eqprop: every eqprop scene runs end to end through parse_scene and instantiate") {
  for (const char* name : {"eqprop_moons.json", "eqprop_gradcheck.json", "eqprop_fashion.json"}) {
    const std::string scene_name = name;
    CAPTURE(scene_name);
    obs::Scene scene = obs::parse_scene(read_text(std::string(OBS_SOURCE_DIR) + "/scenes/" + name), name);
    CHECK(scene.system == "eqprop");
    CHECK_FALSE(scene.description.empty());
    std::vector<obs::ParamOverride> small;
    if (scene_name == "eqprop_fashion.json") small = {{"train_size", "500"}, {"test_size", "100"}};
    std::unique_ptr<obs::System> system;
    try {
      system = obs::instantiate(scene, small);
    } catch (const obs::InputError& e) {
      // Only a missing dataset package may stop the Fashion-MNIST scene, and it must say so.
      const std::string why = e.what();
      CHECK(scene_name == "eqprop_fashion.json");
      CHECK(why.find("dataset-fashion-mnist") != std::string::npos);
      continue;
    }
    CHECK(scene.warnings.empty());
    for (int i = 0; i < 12; ++i) system->step();
    const auto m = metrics_of(*system);
    for (std::size_t i = 0; i < m.size(); ++i) {
      CAPTURE(system->metric_names()[i]);
      const std::string& n = system->metric_names()[i];
      // NaN until measured (the oracle's after the first test pass); the dreams' and robustness'
      // NaN where a scene asks for none, the feedback's where the net is symmetric, the homeostat's
      // where it is off.
      if (n == "test_accuracy" || n == "epoch_seconds" || n.rfind("align_cos", 0) == 0 || n.find("auroc") != std::string::npos ||
          n == "settle_right" || n == "settle_wrong")
        continue;
      if ((n.rfind("acc_", 0) == 0 || n.rfind("heal_", 0) == 0) && !scene.params.value("robustness", false)) {
        CHECK(std::isnan(m[i]));
        continue;
      }
      if (n == "weight_zeros" && scene.params.value("weights", std::string("float")) == "float") {
        CHECK(std::isnan(m[i]));
        continue;
      }
      if (n == "feedback_cos" && scene.params.value("feedback", std::string("symmetric")) == "symmetric") {
        CHECK(std::isnan(m[i]));
        continue;
      }
      if (n.rfind("homeo_", 0) == 0 && !scene.params.value("homeostasis", false)) {
        CHECK(std::isnan(m[i]));
        continue;
      }
      if (n.rfind("dream_", 0) == 0 && scene.params.value("dreams", 0) == 0) {
        CHECK(std::isnan(m[i]));
        continue;
      }
      CHECK(std::isfinite(m[i]));
    }
    CHECK(system->metric_names().size() >= 10);
    if (scene_name == "eqprop_gradcheck.json") {
      for (std::size_t i = 0; i < m.size(); ++i) {
        if (system->metric_names()[i].rfind("align_cos", 0) != 0) continue;
        CAPTURE(system->metric_names()[i]);
        MESSAGE("gradcheck scene: " << system->metric_names()[i] << " = " << m[i]);
        CHECK(m[i] >= 0.99);
      }
    }
    // The scene round-trips: capture it and instantiate again to the same state.
    obs::Scene again = obs::capture_scene(*system);
    auto twin = obs::instantiate(again);
    for (int i = 0; i < 12; ++i) twin->step();
    CHECK(twin->state_hash() == system->state_hash());
  }
}
