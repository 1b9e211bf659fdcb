// Twins (A/B): a pair steps each side exactly as it would step alone (A untouched equals a solo
// run, hash for hash), an edit aimed at one side reaches only that side, the pair's metrics are
// each side's under a_ and b_, and a pair clones, rewinds and unforks through the runner with the
// metric history and the timeline intact. The reference is always a solo run of the same scene.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "contract_support.hpp"
#include "core/scene.hpp"
#include "core/sim_runner.hpp"
#include "core/state_archive.hpp"
#include "core/twin_pair.hpp"

namespace {

using namespace std::chrono_literals;
using obs::TwinPair;
using Side = obs::TwinPair::Side;

bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds limit = 10000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

std::vector<std::uint64_t> solo_hashes(const std::string& kind, int steps) {
  return obs::contract::hashes_of_run(*obs::contract::build(kind, obs::contract::small_params().at(kind)), steps);
}

}  // namespace

TEST_CASE("twin pair: A untouched steps to the solo run's hashes; B forked and untouched too; B kicked alone differs") {
  for (const auto& [kind, params] : obs::contract::small_params()) {
    CAPTURE(kind);
    const auto solo = solo_hashes(kind, 30);
    auto run = obs::contract::build(kind, params);
    for (int i = 0; i < 10; ++i) run->step();
    auto pair = TwinPair::fork(std::move(run));
    CHECK(pair->steps() == 10);
    CHECK(pair->a().state_hash() == solo[10]);
    CHECK(pair->b().state_hash() == solo[10]);
    for (int i = 11; i <= 20; ++i) {
      pair->step();
      CHECK(pair->steps() == static_cast<std::uint64_t>(i));
      CHECK(pair->a().state_hash() == solo[i]);
      CHECK(pair->b().state_hash() == solo[i]);
    }
    // A perturbation aimed at B: A goes on as if nothing happened, B leaves it.
    obs::Perturbation p;
    p.kind = pair->supported_perturbations().front();
    p.amplitude = 0.5;
    p.fraction = 0.3;
    pair->edit(Side::B, [&](obs::System& s) { s.perturb(p); });
    CHECK(pair->a().state_hash() == solo[20]);
    for (int i = 21; i <= 30; ++i) {
      pair->step();
      CHECK(pair->a().state_hash() == solo[i]);
    }
    CHECK(pair->b().state_hash() != solo[30]);
  }
}

TEST_CASE("twin pair: metrics are each side's under a_ and b_; the pair's parameters are A's; an edit reaches only its side") {
  auto pair = TwinPair::fork(obs::contract::build("kuramoto", obs::contract::small_params().at("kuramoto")));
  const auto& names = pair->metric_names();
  const auto& side_names = pair->a().metric_names();
  REQUIRE(names.size() == 2 * side_names.size());
  for (std::size_t i = 0; i < side_names.size(); ++i) {
    CHECK(names[i] == "a_" + side_names[i]);
    CHECK(names[side_names.size() + i] == "b_" + side_names[i]);
  }
  pair->edit(Side::B, [](obs::System& s) {
    s.params().set_value("K", 0.25);
    s.apply_params();
  });
  CHECK(pair->b().params().at("K").value == 0.25);
  CHECK(pair->a().params().at("K").value != 0.25);
  CHECK(pair->params().at("K").value == pair->a().params().at("K").value);
  for (int i = 0; i < 40; ++i) pair->step();
  std::vector<double> row(names.size()), a(side_names.size()), b(side_names.size());
  pair->metrics(row.data());
  pair->a().metrics(a.data());
  pair->b().metrics(b.data());
  for (std::size_t i = 0; i < side_names.size(); ++i) {
    CAPTURE(side_names[i]);
    CHECK(row[i] == a[i]);
    CHECK(row[side_names.size() + i] == b[i]);
  }
  const auto r = std::find(side_names.begin(), side_names.end(), "r") - side_names.begin();
  CHECK(a[static_cast<std::size_t>(r)] != b[static_cast<std::size_t>(r)]);  // K 0.25 does not synchronise as K does

  // A restart aimed at B (another N) rebuilds B alone; the metric list follows B's.
  pair->edit(Side::B, [](obs::System& s) {
    s.params().set_value("N", 64);
    s.reset(s.seed());
  });
  CHECK(pair->b().steps() == 0);
  CHECK(pair->a().steps() == pair->steps());
  CHECK(pair->metric_names().size() == 2 * side_names.size());
  // A state file holds one system: the pair refuses, with a reason.
  obs::StateWriter w;
  CHECK_THROWS_AS(pair->write_state(w), obs::CheckpointError);
}

TEST_CASE("twin pair: a clone steps to the same hashes as the pair, and unforking hands back each side") {
  for (const char* kind : {"eqprop", "sparse", "cube"}) {
    CAPTURE(kind);
    auto pair = TwinPair::fork(obs::contract::build(kind, obs::contract::small_params().at(kind)));
    pair->edit(Side::B, [](obs::System& s) { s.perturb(obs::Perturbation{}); });
    for (int i = 0; i < 5; ++i) pair->step();
    auto copy = pair->clone();
    for (int i = 0; i < 7; ++i) {
      pair->step();
      copy->step();
      CHECK(copy->state_hash() == pair->state_hash());
    }
    const std::uint64_t b = pair->b().state_hash();
    auto kept = std::move(*pair).take(Side::B);
    CHECK(kept->state_hash() == b);
  }
}

TEST_CASE("twin pair through the runner: the past is shared, rewind restores pairs, keeping a side restores plain names") {
  obs::Scene scene = obs::parse_scene(R"({"system": "kuramoto", "seed": 3, "params": {"N": 300, "K": 2}})");
  const auto hash = obs::contract::hashes_of_run(*obs::instantiate(scene), 200);
  obs::SimRunner runner(obs::instantiate(scene));
  auto side_hash = [&](Side side) {
    std::uint64_t h = 0;
    runner.inspect([&](const obs::System& s) { h = obs::side_of(s, side).state_hash(); });
    return h;
  };
  runner.step_once(100);
  REQUIRE(wait_for([&] { return runner.status().step == 100; }));
  runner.fork();
  runner.sync();
  CHECK(runner.status().twinned);
  CHECK(runner.params_record().twinned);
  std::size_t per_side = 0;
  runner.with_series([&](const obs::SeriesStore& s) {
    per_side = s.names().size() / 2;
    REQUIRE(s.names().front().rfind("a_", 0) == 0);
    REQUIRE(s.names()[per_side].rfind("b_", 0) == 0);
    CHECK(s.size() == 101);  // the run's past, under both names
    for (std::size_t i = 0; i < s.size(); i += 17)
      for (std::size_t m = 0; m < per_side; ++m) CHECK(s.value_at(i, m) == s.value_at(i, per_side + m));
  });
  // B gets another coupling; A runs on as the solo run.
  runner.post([](obs::System& s) {
    obs::for_each_side(s, Side::B, [](obs::System& b) {
      b.params().set_value("K", 0.1);
      b.apply_params();
    });
  });
  runner.step_once(50);
  REQUIRE(wait_for([&] { return runner.status().step == 150; }));
  CHECK(side_hash(Side::A) == hash[150]);
  const std::uint64_t b150 = side_hash(Side::B);
  CHECK(b150 != hash[150]);
  CHECK(runner.params_record().b_params.at("K").value == 0.1);
  CHECK(runner.params_record().params.at("K").value == 2);

  // Rewind: before the fork both sides are the run; after it, each its own.
  runner.scrub_to(60);
  REQUIRE(wait_for([&] { return runner.status().step == 60; }));
  CHECK(side_hash(Side::A) == hash[60]);
  CHECK(side_hash(Side::B) == hash[60]);
  runner.scrub_to(150);
  REQUIRE(wait_for([&] { return runner.status().step == 150; }));
  CHECK(side_hash(Side::A) == hash[150]);
  CHECK(side_hash(Side::B) == b150);

  // Keep B: the system is B alone, its columns take the plain names with B's values.
  double b_r_last = NAN;
  runner.with_series([&](const obs::SeriesStore& s) { b_r_last = s.value_at(s.size() - 1, per_side); });
  runner.keep_side(Side::B);
  runner.sync();
  CHECK_FALSE(runner.status().twinned);
  CHECK(side_hash(Side::A) == b150);
  runner.with_series([&](const obs::SeriesStore& s) {
    CHECK(s.names().size() == per_side);
    CHECK(s.names().front().rfind("a_", 0) != 0);
    CHECK(s.value_at(s.size() - 1, 0) == b_r_last);
  });
  runner.scrub_to(150);
  runner.step_once(1);
  REQUIRE(wait_for([&] { return runner.status().step == 151; }));
}

TEST_CASE("runner: a restart that changes a system's metric list (eqprop's depth) re-lays the history instead of overrunning the row") {
  const auto& p = obs::contract::small_params().at("eqprop");
  obs::SimRunner runner(obs::contract::build("eqprop", p));
  runner.step_once(3);
  REQUIRE(wait_for([&] { return runner.status().step == 3; }));
  std::size_t before = 0;
  runner.with_series([&](const obs::SeriesStore& s) { before = s.names().size(); });
  runner.post([](obs::System& s) {
    s.params().set_value("hidden_layers", 3);
    s.reset(s.seed());
  });
  runner.sync();
  CHECK(runner.status().step == 0);
  runner.step_once(3);
  REQUIRE(wait_for([&] { return runner.status().step == 3; }));
  runner.with_series([&](const obs::SeriesStore& s) {
    // Per weight matrix (two more) an alignment metric and the homeostat's gain and velocity; per
    // hidden layer (two more) its slope.
    CHECK(s.names().size() == before + 2 * 3 + 2);
    for (const char* name : {"align_cos_W2", "align_cos_W3", "homeo_gain_W3", "homeo_velocity_W3", "homeo_slope_h3"})
      CHECK(std::find(s.names().begin(), s.names().end(), name) != s.names().end());
  });
}
