// SimRunner: the simulation thread. Edits are applied between steps, step_once(n) runs
// exactly n steps, snapshots follow the state, replace() swaps the system, and events
// (including a NaN quarantine in a real system) reach the UI side.
// Also the System base: the memory-budget refusal and the dump header.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>

#include "contract_support.hpp"
#include "core/input_error.hpp"
#include "core/state_archive.hpp"
#include "core/scene.hpp"
#include "core/series.hpp"
#include "core/sim_runner.hpp"
#include "core/system.hpp"

namespace {

using namespace std::chrono_literals;

// The running system's state hash, read on the simulation thread.
std::uint64_t state_hash_of(obs::SimRunner& runner) {
  std::uint64_t h = 0;
  runner.inspect([&](const obs::System& s) { h = s.state_hash(); });
  return h;
}

struct CounterSnapshot : obs::Snapshot {
  double value = 0;
};

// A tiny System whose state is one number: value += inc per step.
class CounterSystem final : public obs::System {
 public:
  explicit CounterSystem(std::string kind = "counter", std::uint64_t bytes = 64) : kind_(std::move(kind)), bytes_(bytes) {
    param(inc_, "inc", 1, -100, 100);
    param(fail_, "fail", false);
    param(snapshot_fails_, "snapshot_fails", false);  // as if copying the state ran out of memory
    metrics_.add("value", "", [this] { return value_; });
    metrics_.add("twice", "", [this] { return 2 * value_; });
    reset(1);
  }
  std::string_view kind() const override { return kind_; }
  std::uint64_t bytes_needed() const override { return bytes_; }
  std::unique_ptr<obs::System> clone() const override { return clone_of(*this); }
  void step() override {
    in_step_ = true;
    step_thread_ = std::this_thread::get_id();
    if (fail_) {
      in_step_ = false;
      throw std::runtime_error("counter exploded");
    }
    value_ += inc_;
    if (!std::isfinite(value_)) emit(obs::Event::Level::Warning, "value is not finite");
    ++step_;
    in_step_ = false;
  }
  std::shared_ptr<const obs::Snapshot> snapshot() const override {
    if (snapshot_fails_) throw std::bad_alloc();
    auto s = std::make_shared<CounterSnapshot>();
    s->step = step_;
    s->value = value_;
    return s;
  }
  std::vector<obs::PerturbKind> supported_perturbations() const override { return {obs::PerturbKind::InjectNaN}; }
  void perturb(const obs::Perturbation&) override { value_ = NAN; }
  void dump(nlohmann::json& out) const override {
    dump_header(out);
    out["value"] = value_;
  }
  std::uint64_t state_hash() const override { return static_cast<std::uint64_t>(value_); }
  void write_state(obs::StateWriter& out) const override { out(value_); }
  void read_state(obs::StateReader& in) override { in(value_); }

  double value() const { return value_; }
  bool in_step() const { return in_step_; }
  std::thread::id step_thread() const { return step_thread_; }

 private:
  void restart() override { value_ = 0; }

  std::string kind_;
  std::uint64_t bytes_;
  double value_ = 0, inc_ = 1;
  bool fail_ = false, snapshot_fails_ = false, in_step_ = false;
  std::thread::id step_thread_;
};

// Polls `pred` until true or the deadline; the runner works asynchronously.
bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

double counter_value(obs::SimRunner& runner) {
  double v = -1;
  runner.inspect([&](const obs::System& s) { v = dynamic_cast<const CounterSystem&>(s).value(); });
  return v;
}

}  // namespace

TEST_CASE("core: System refuses a state beyond the memory budget before allocating") {
  CHECK(obs::memory_budget_bytes() > 0);
  CHECK_THROWS_AS(CounterSystem("huge", 1ULL << 62), obs::InputError);
  try {
    CounterSystem huge("huge", 1ULL << 62);
  } catch (const obs::InputError& e) {
    CHECK(e.pointer() == "/params");
    CHECK(std::string(e.what()).find("GiB") != std::string::npos);
  }
  CHECK_NOTHROW(CounterSystem("fits", obs::memory_budget_bytes()));
}

TEST_CASE("core: System dump has system, step, seed and params") {
  CounterSystem c;
  c.reset(42);
  c.step();
  c.step();
  nlohmann::json j;
  c.dump(j);
  CHECK(j["system"] == "counter");
  CHECK(j["step"] == 2);
  CHECK(j["seed"] == 42);
  CHECK(j["params"] == c.params().to_json());
  CHECK(j["value"] == 2.0);
}

TEST_CASE("core: SimRunner step_once advances exactly n steps and records each in the series") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  CHECK(runner.status().kind == "counter");
  CHECK(runner.status().step == 0);
  runner.step_once(7);
  REQUIRE(wait_for([&] { return runner.status().step >= 7; }));
  std::this_thread::sleep_for(50ms);  // nothing more may happen on its own
  CHECK(runner.status().step == 7);
  CHECK(counter_value(runner) == 7.0);
  CHECK_FALSE(runner.status().playing);

  runner.step_once();
  runner.step_once(2);
  REQUIRE(wait_for([&] { return runner.status().step >= 10; }));
  std::this_thread::sleep_for(30ms);
  CHECK(runner.status().step == 10);

  // One row for the initial state plus one per step, with both metrics.
  runner.with_series([](const obs::SeriesStore& s) {
    REQUIRE(s.size() == 11);
    CHECK(s.names() == std::vector<std::string>{"value", "twice"});
    for (std::size_t i = 0; i < s.size(); ++i) {
      CHECK(s.step_at(i) == i);
      CHECK(s.value_at(i, 0) == double(i));
      CHECK(s.value_at(i, 1) == 2.0 * double(i));
    }
  });
}

TEST_CASE("core: SimRunner applies posted edits between steps, on the simulation thread") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  runner.post([](obs::System& s) {
    s.params().set_value("inc", 5);
    s.apply_params();
  });
  runner.sync();
  CHECK(counter_value(runner) == 0.0);  // an edit is not a step
  runner.step_once(3);
  REQUIRE(wait_for([&] { return runner.status().step >= 3; }));
  CHECK(counter_value(runner) == 15.0);

  // While it plays flat out, every edit lands between two steps, never inside one.
  std::atomic<int> inside{0}, wrong_thread{0}, applied{0};
  runner.set_playing(true);
  CHECK(runner.status().playing);
  for (int i = 0; i < 200; ++i) {
    runner.post([&](obs::System& s) {
      auto& c = dynamic_cast<CounterSystem&>(s);
      if (c.in_step()) ++inside;
      if (c.steps() > 3 && c.step_thread() != std::this_thread::get_id()) ++wrong_thread;
      c.params().set_value("inc", 1);
      c.apply_params();
      ++applied;
    });
  }
  runner.sync();
  CHECK(applied == 200);
  CHECK(inside == 0);
  CHECK(wrong_thread == 0);
  REQUIRE(wait_for([&] { return runner.status().step > 50; }));
  runner.set_playing(false);
  CHECK_FALSE(runner.status().playing);
  runner.sync();
  const std::uint64_t stopped = runner.status().step;
  std::this_thread::sleep_for(30ms);
  CHECK(runner.status().step <= stopped + 1);  // at most the step that was already under way
}

TEST_CASE("core: SimRunner snapshot follows the state") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  auto first = runner.snapshot();
  REQUIRE(first);
  CHECK(first->step == 0);
  runner.post([](obs::System& s) {
    s.params().set_value("inc", 2.5);
    s.apply_params();
  });
  runner.step_once(4);
  std::shared_ptr<const obs::Snapshot> snap;
  REQUIRE(wait_for([&] {
    snap = runner.snapshot();
    return snap->step == 4;
  }));
  const auto* c = dynamic_cast<const CounterSnapshot*>(snap.get());
  REQUIRE(c);
  CHECK(c->value == 10.0);
  CHECK(first->step == 0);  // an old snapshot is immutable
}

TEST_CASE("core: SimRunner keeps the last snapshot and reports when taking a new one fails") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  runner.step_once(2);
  REQUIRE(wait_for([&] { return runner.snapshot()->step == 2; }));
  runner.post([](obs::System& s) {
    s.params().set_value("snapshot_fails", 1);
    s.apply_params();
  });
  runner.step_once(3);
  std::vector<obs::Event> events;
  REQUIRE(wait_for([&] {
    runner.snapshot();  // asks for a new picture; the system fails to make it
    for (auto& e : runner.take_events()) events.push_back(e);
    return !events.empty();
  }));
  CHECK(events[0].level == obs::Event::Level::Error);
  CHECK(events[0].text.find("snapshot failed") != std::string::npos);
  CHECK(runner.snapshot()->step == 2);  // the last good picture stays
  CHECK(wait_for([&] { return runner.status().step == 5; }));  // and the simulation went on
}

TEST_CASE("core: SimRunner replace swaps the system and restarts the history") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  runner.step_once(5);
  REQUIRE(wait_for([&] { return runner.status().step >= 5; }));

  auto other = std::make_unique<CounterSystem>("other");
  other->reset(9);
  runner.replace(std::move(other));
  runner.sync();
  CHECK(runner.status().kind == "other");
  CHECK(runner.status().seed == 9);
  CHECK(runner.status().step == 0);
  runner.with_series([](const obs::SeriesStore& s) { CHECK(s.size() == 1); });
  runner.inspect([](const obs::System& s) { CHECK(s.kind() == "other"); });
  REQUIRE(wait_for([&] { return runner.snapshot()->step == 0; }));
  runner.step_once(2);
  REQUIRE(wait_for([&] { return runner.status().step >= 2; }));
  CHECK(counter_value(runner) == 2.0);

  // Replace with a real system built from a scene: the metric names follow.
  obs::Scene scene;
  scene.params = {{"N", 64}};
  runner.replace(obs::instantiate(scene));
  runner.sync();
  CHECK(runner.status().kind == "kuramoto");
  runner.with_series([](const obs::SeriesStore& s) {
    CHECK(s.names().front() == "r");
    CHECK(s.size() == 1);
  });
}

TEST_CASE("core: SimRunner turns failing edits and steps into error events and keeps going") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  runner.post([](obs::System& s) { s.params().set_text("inc", "many", "--set inc"); });
  runner.sync();
  std::vector<obs::Event> events = runner.take_events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].level == obs::Event::Level::Error);
  CHECK(events[0].text.find("--set inc") != std::string::npos);
  CHECK(runner.take_events().empty());  // taken once

  runner.post([](obs::System& s) {
    s.params().set_value("fail", 1);
    s.apply_params();
  });
  runner.set_playing(true);
  REQUIRE(wait_for([&] {
    for (auto& e : runner.take_events()) events.push_back(e);
    return events.size() >= 2;
  }));
  CHECK(events[1].level == obs::Event::Level::Error);
  CHECK(events[1].text.find("counter exploded") != std::string::npos);
  CHECK_FALSE(runner.status().playing);  // a failed step pauses

  // Still alive: fix it and step.
  runner.post([](obs::System& s) {
    s.params().set_value("fail", 0);
    s.apply_params();
  });
  const std::uint64_t before = runner.status().step;
  runner.step_once(1);
  REQUIRE(wait_for([&] { return runner.status().step == before + 1; }));
}

TEST_CASE("core: SimRunner publishes the engine's parameters after every applied edit, with the error that rolled one back") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  const auto first = runner.params_record();
  CHECK(first.current);
  CHECK(first.params.real("inc") == 1);
  CHECK(runner.params_version() == first.version);

  runner.post([](obs::System& s) {
    s.params().set_value("inc", 5);
    s.apply_params();
  });
  runner.sync();
  const auto edited = runner.params_record();
  CHECK(edited.version > first.version);
  CHECK(edited.current);
  CHECK(edited.params.real("inc") == 5);

  // An edit that changes a value and then throws, after putting the old value back (as the
  // App's edits do): the error event and the restored parameters are there together.
  runner.post([](obs::System& s) {
    const obs::ParamSet old = s.params();
    s.params().set_value("inc", 9);
    s.params() = old;
    throw obs::InputError("/params/inc", "refused");
  });
  runner.sync();
  const auto events = runner.take_events();
  REQUIRE(events.size() == 1);
  const auto rolled_back = runner.params_record();
  CHECK(rolled_back.version > edited.version);
  CHECK(rolled_back.params.real("inc") == 5);

  // A reset with a new seed is published too.
  runner.post([](obs::System& s) { s.reset(42); });
  runner.sync();
  CHECK(runner.params_record().seed == 42);

  // While an edit waits behind a long one, the record says it is not current.
  std::atomic<bool> release{false};
  runner.post([&](obs::System&) {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  runner.post([](obs::System&) {});
  CHECK_FALSE(runner.params_record().current);
  release = true;
  runner.sync();
  CHECK(runner.params_record().current);
}

TEST_CASE("core: SimRunner delivers the NaN quarantine event of a real system") {
  obs::Scene scene = obs::parse_scene(R"({"system": "kuramoto", "seed": 3, "params": {"N": 2000, "K": 2}})");
  obs::SimRunner runner(obs::instantiate(scene));
  runner.post([](obs::System& s) {
    obs::Perturbation p;
    p.kind = obs::PerturbKind::InjectNaN;
    p.fraction = 0.01;
    s.perturb(p);
  });
  runner.step_once(3);
  std::vector<obs::Event> events;
  REQUIRE(wait_for([&] {
    for (auto& e : runner.take_events()) events.push_back(e);
    return runner.status().step >= 3 && events.size() >= 2;
  }));
  bool injected = false, quarantined = false;
  for (const auto& e : events) {
    injected |= e.text.find("injected NaN") != std::string::npos;
    if (e.level == obs::Event::Level::Warning && e.text.find("quarantined") != std::string::npos) {
      quarantined = true;
      CHECK(e.step == 0);  // caught inside the first step after the injection
    }
  }
  CHECK(injected);
  CHECK(quarantined);
  runner.with_series([](const obs::SeriesStore& s) {
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(std::isfinite(s.value_at(i, 0)));  // r
    CHECK(s.value_at(s.size() - 1, 4) == 20);                                            // quarantined
  });
}

TEST_CASE("core: SimRunner speed limit bounds the step rate") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  runner.set_speed(50);
  CHECK(runner.speed() == 50);
  runner.set_playing(true);
  std::this_thread::sleep_for(400ms);
  runner.set_playing(false);
  runner.sync();
  const std::uint64_t steps = runner.status().step;
  // 0.4 s at 50 steps/s is 20 steps; the limiter may catch up by at most 100 ms (5 steps).
  CHECK(steps >= 3);
  CHECK(steps <= 30);
  runner.set_speed(-4);
  CHECK(runner.speed() == 0);
}

TEST_CASE("core: SimRunner applies a new speed at once, not at the next slow tick") {
  obs::SimRunner runner(std::make_unique<CounterSystem>());
  runner.set_speed(0.25);  // one step every 4 s
  runner.set_playing(true);
  REQUIRE(wait_for([&] { return runner.status().step >= 1; }));
  runner.set_speed(1000);
  // Waiting out the old tick would leave the counter at 1 for almost 4 s.
  CHECK(wait_for([&] { return runner.status().step >= 10; }, 1500ms));
  runner.set_playing(false);
  runner.set_speed(0.25);
  runner.set_playing(true);  // a pause/play wakes the paced wait too
  runner.set_playing(false);
  runner.sync();
}

TEST_CASE("core: SimRunner scrubs to any recorded step exactly, follows the run on, and forks at an edit in the past") {
  obs::Scene scene = obs::parse_scene(R"({"system": "kuramoto", "seed": 3, "params": {"N": 300, "K": 2}})");
  // The reference: the same scene stepped alone, its hash after every step.
  const auto hash = obs::contract::hashes_of_run(*obs::instantiate(scene), 400);
  obs::SimRunner runner(obs::instantiate(scene));
  auto hash_now = [&] { return state_hash_of(runner); };
  runner.step_once(300);
  REQUIRE(wait_for([&] { return runner.status().step >= 300; }));
  CHECK(runner.status().head_step == 300);
  CHECK(runner.status().earliest_step == 0);

  for (std::uint64_t t : {123u, 0u, 299u, 7u, 300u, 250u}) {
    CAPTURE(t);
    runner.scrub_to(t);
    REQUIRE(wait_for([&] { return runner.status().step == t; }));
    CHECK(hash_now() == hash[t]);
    CHECK(runner.status().head_step == 300);
  }
  // Beyond the head clamps to it.
  runner.scrub_to(100000);
  REQUIRE(wait_for([&] { return runner.status().step == 300; }));

  // Stepping from the past follows the recorded run: nothing is dropped or recorded twice.
  runner.scrub_to(120);
  REQUIRE(wait_for([&] { return runner.status().step == 120; }));
  runner.step_once(5);
  REQUIRE(wait_for([&] { return runner.status().step == 125; }));
  CHECK(hash_now() == hash[125]);
  runner.with_series([](const obs::SeriesStore& s) {
    CHECK(s.size() == 301);
    CHECK(s.step_at(s.size() - 1) == 300);
  });
  // Past the head, new steps are recorded as before.
  runner.scrub_to(300);
  runner.step_once(100);
  REQUIRE(wait_for([&] { return runner.status().step == 400; }));
  CHECK(hash_now() == hash[400]);
  CHECK(runner.status().head_step == 400);

  // An edit in the past forks: the future after it goes, and the run goes on from the edit.
  runner.scrub_to(200);
  REQUIRE(wait_for([&] { return runner.status().step == 200; }));
  runner.take_events();
  runner.post([](obs::System& s) { s.perturb(obs::Perturbation{}); });
  runner.sync();
  CHECK(runner.status().head_step == 200);
  runner.with_series([](const obs::SeriesStore& s) { CHECK(s.step_at(s.size() - 1) == 200); });
  bool told = false;
  for (const auto& e : runner.take_events()) told |= e.text.find("new branch starts at step 200") != std::string::npos;
  CHECK(told);
  const std::uint64_t kicked = hash_now();
  CHECK(kicked != hash[200]);
  runner.step_once(10);
  REQUIRE(wait_for([&] { return runner.status().step == 210; }));
  const std::uint64_t branch_210 = hash_now();
  CHECK(branch_210 != hash[210]);
  // Scrubbing back across the edit shows the edited state, never the old branch.
  runner.scrub_to(200);
  REQUIRE(wait_for([&] { return runner.status().step == 200; }));
  CHECK(hash_now() == kicked);
  runner.scrub_to(210);
  REQUIRE(wait_for([&] { return runner.status().step == 210; }));
  CHECK(hash_now() == branch_210);
  runner.scrub_to(150);
  REQUIRE(wait_for([&] { return runner.status().step == 150; }));
  CHECK(hash_now() == hash[150]);

  // A reset starts a new run: the history holds its step 0 only.
  runner.post([](obs::System& s) { s.reset(s.seed()); });
  runner.sync();
  CHECK(runner.status().head_step == 0);
  CHECK(runner.status().rewind_checkpoints == 1);
}

TEST_CASE("core: SimRunner keeps the future an edit in the past replaced, switches between the branches exactly, and drops it") {
  obs::Scene scene = obs::parse_scene(R"({"system": "kuramoto", "seed": 5, "params": {"N": 200, "K": 1.5}})");
  const auto hash = obs::contract::hashes_of_run(*obs::instantiate(scene), 300);
  obs::SimRunner runner(obs::instantiate(scene));
  auto hash_now = [&] { return state_hash_of(runner); };
  auto go = [&](std::uint64_t t) {
    runner.scrub_to(t);
    REQUIRE(wait_for([&] { return runner.status().step == t; }));
  };
  auto last_row = [&] {
    std::uint64_t step = 0;
    std::size_t rows = 0;
    runner.with_series([&](const obs::SeriesStore& s) {
      rows = s.size();
      step = s.step_at(s.size() - 1);
    });
    return std::pair{step, rows};
  };
  runner.step_once(300);
  REQUIRE(wait_for([&] { return runner.status().step == 300; }));

  // An edit at step 120: the steps 121..300 are kept aside, not dropped.
  go(120);
  runner.take_events();
  runner.post([](obs::System& s) {
    s.params().set_value("K", 0.2);
    s.apply_params();
  });
  runner.sync();
  obs::SimRunner::Status st = runner.status();
  CHECK(st.head_step == 120);
  REQUIRE(st.branch_kept);
  CHECK(st.branch_from == 120);
  CHECK(st.branch_head == 300);
  bool told = false;
  for (const auto& e : runner.take_events()) told |= e.text.find("the old one (steps 121..300) is kept") != std::string::npos;
  CHECK(told);
  CHECK(last_row() == std::pair<std::uint64_t, std::size_t>{120, 121});
  runner.step_once(80);
  REQUIRE(wait_for([&] { return runner.status().step == 200; }));
  const std::uint64_t new_200 = hash_now();
  CHECK(new_200 != hash[200]);

  // Switch: the old branch, at the same step, is the original run exactly; its rows are back.
  runner.switch_branch();
  runner.sync();
  st = runner.status();
  CHECK(st.step == 200);
  CHECK(st.head_step == 300);
  CHECK(st.branch_head == 200);
  CHECK(hash_now() == hash[200]);
  CHECK(last_row() == std::pair<std::uint64_t, std::size_t>{300, 301});
  for (std::uint64_t t : {300u, 121u, 250u}) {
    CAPTURE(t);
    go(t);
    CHECK(hash_now() == hash[t]);
  }
  // And back: the new branch at its own furthest step (250 is past it), then anywhere on it.
  runner.switch_branch();
  runner.sync();
  CHECK(runner.status().step == 200);
  CHECK(runner.status().head_step == 200);
  CHECK(hash_now() == new_200);
  go(150);
  const std::uint64_t new_150 = hash_now();
  CHECK(new_150 != hash[150]);
  CHECK(last_row().first == 200);
  // At the fork point they differ by the edit; before it both are the same run, and switching
  // there leaves the view where it is.
  // (the edit set K: the phases are equal, the coupling is not).
  auto k_now = [&] {
    double k = 0;
    runner.inspect([&](const obs::System& s) { k = s.params().real("K"); });
    return k;
  };
  go(120);
  CHECK(k_now() == 0.2);
  runner.switch_branch();
  runner.sync();
  CHECK(runner.status().step == 120);
  CHECK(hash_now() == hash[120]);
  CHECK(k_now() == 1.5);
  runner.switch_branch();
  runner.sync();
  CHECK(k_now() == 0.2);
  go(60);
  runner.switch_branch();
  runner.sync();
  CHECK(runner.status().step == 60);
  CHECK(hash_now() == hash[60]);
  CHECK(runner.status().head_step == 300);
  go(300);
  CHECK(hash_now() == hash[300]);
  runner.switch_branch();
  runner.sync();
  go(150);
  CHECK(hash_now() == new_150);

  // Discard: gone; the current branch stays.
  runner.discard_branch();
  runner.sync();
  CHECK_FALSE(runner.status().branch_kept);
  CHECK(runner.status().head_step == 200);
  runner.switch_branch();  // nothing to switch to: no change
  runner.sync();
  CHECK(runner.status().head_step == 200);

  // A reset drops a kept branch with the rest of the history.
  go(100);
  runner.post([](obs::System& s) {
    s.params().set_value("K", 3.0);
    s.apply_params();
  });
  runner.sync();
  REQUIRE(runner.status().branch_kept);
  CHECK(runner.status().branch_head == 200);
  // One is kept at a time: a second edit in the past keeps the newer future, and says so.
  runner.step_once(10);
  REQUIRE(wait_for([&] { return runner.status().step == 110; }));
  go(105);
  runner.take_events();
  runner.post([](obs::System& s) { s.perturb(obs::Perturbation{}); });
  runner.sync();
  CHECK(runner.status().branch_from == 105);
  CHECK(runner.status().branch_head == 110);
  bool dropped = false;
  for (const auto& e : runner.take_events()) dropped |= e.text.find("(steps 101..200) is discarded") != std::string::npos;
  CHECK(dropped);
  runner.post([](obs::System& s) { s.reset(s.seed()); });
  runner.sync();
  CHECK_FALSE(runner.status().branch_kept);
}
