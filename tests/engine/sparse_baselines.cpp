// SET and RigL trained beside the sparse system's own network (the `baselines` parameter, what
// sparse_vs_set_rigl.json and the view's curves show), and the per-unit rewiring history of the
// unit inspector.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>
#include <string>

#include "scene_test_support.hpp"
#include "sparse/sparse_system.hpp"
#include "sparse/unit_history.hpp"

namespace {

nlohmann::json patterns(const char* method, bool baselines) {
  return {{"dataset", "patterns"}, {"train_size", 600}, {"test_size", 120}, {"hidden_1", 32}, {"hidden_2", 16}, {"density", 0.2},
          {"batch", 20}, {"lr", 0.3}, {"method", method}, {"rewire_every", 10}, {"baselines", baselines}};
}

std::unique_ptr<obs::SparseSystem> make(const nlohmann::json& params) { return scene_test::make_system<obs::SparseSystem>("sparse", params, 3); }

bool same_weights(const obs::sparse::SparseChain& a, const obs::sparse::SparseChain& b) {
  if (a.layers().size() != b.layers().size()) return false;
  for (std::size_t l = 0; l < a.layers().size(); ++l) {
    const auto &x = a.layers()[l], &y = b.layers()[l];
    if (x.row_start != y.row_start || x.col != y.col || x.value != y.value || x.bias != y.bias) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("sparse baselines: a RigL system's RigL baseline is the system's own network, bit for bit, through rewirings and epochs") {
  // RigL draws nothing at random, so a baseline in true lockstep (same start, same batches, same
  // optimizer, same rule and schedule) can only be identical: any slip in the lockstep shows.
  for (const char* optimizer : {"sgd", "adam"}) {
    CAPTURE(optimizer);
    auto params = patterns("rigl", true);
    params["optimizer"] = optimizer;
    params["lr"] = std::string(optimizer) == "adam" ? 0.003 : 0.3;
    auto s = make(params);
    REQUIRE(s->baselines().size() == 2);
    CHECK(s->baselines()[1].name() == "RigL");
    for (int i = 0; i < 100; ++i) s->step();  // three epochs of 30 batches and their test passes, nine rewirings
    CHECK(s->epoch() >= 2);
    CHECK(same_weights(s->chain(), s->baselines()[1].chain()));
    CHECK(s->baselines()[1].test_accuracy() == s->test_accuracy());
    CHECK(scene_test::metric(*s, "rigl_test_accuracy") == s->test_accuracy());
  }
}

TEST_CASE("sparse baselines: switching them on changes nothing in the system's own run; off, their metrics are NaN") {
  auto with = make(patterns("evidence", true));
  auto without = make(patterns("evidence", false));
  for (int i = 0; i < 300; ++i) {  // nine epochs of 30 batches and their test passes
    with->step();
    without->step();
  }
  CHECK(same_weights(with->chain(), without->chain()));
  CHECK(with->test_accuracy() == without->test_accuracy());
  CHECK(without->baselines().empty());
  CHECK(std::isnan(scene_test::metric(*without, "set_test_accuracy")));
  CHECK(std::isnan(scene_test::metric(*without, "rigl_density")));
  MESSAGE("test accuracy: evidence " << with->test_accuracy() << ", SET " << scene_test::metric(*with, "set_test_accuracy") << ", RigL "
                                     << scene_test::metric(*with, "rigl_test_accuracy"));
  // On: both learn (six classes, chance 1/6), and SET and RigL swap, so they keep their density.
  CHECK(scene_test::metric(*with, "set_test_accuracy") > 0.5);
  CHECK(scene_test::metric(*with, "rigl_test_accuracy") > 0.5);
  CHECK(scene_test::metric(*with, "set_density") == doctest::Approx(scene_test::metric(*with, "density")));
  CHECK(scene_test::metric(*with, "rigl_density") == doctest::Approx(scene_test::metric(*with, "density")));
  // They are different networks: SET regrows at random once per epoch.
  CHECK_FALSE(same_weights(with->baselines()[0].chain(), with->baselines()[1].chain()));
}

TEST_CASE("sparse baselines: a perturbation reaches the system's network only; the baselines are the unperturbed reference") {
  auto s = make(patterns("static", true));
  for (int i = 0; i < 5; ++i) s->step();
  const std::size_t before = s->chain().connections(), set_before = s->baselines()[0].chain().connections();
  s->perturb({.kind = obs::PerturbKind::Ablate, .fraction = 0.5});
  CHECK(s->chain().connections() < before);
  CHECK(s->baselines()[0].chain().connections() == set_before);
  s->perturb({.kind = obs::PerturbKind::InjectNaN, .fraction = 0.2});
  for (int i = 0; i < 5; ++i) s->step();
  for (const auto& b : s->baselines()) {
    CHECK(b.refused() == 0);
    for (const auto& W : b.chain().layers())
      for (float w : W.value) REQUIRE(std::isfinite(w));
  }
}

TEST_CASE("sparse unit history: a rewiring is diffed per unit into what each gained and lost") {
  using obs::sparse::CsrLayer;
  obs::Rng rng(1);
  obs::sparse::SparseChain chain({6, 3, 2}, 0.5, rng);
  CsrLayer& W = chain.layers()[0];
  // By hand: unit 1 reads inputs {0, 2, 4} before; after, {0, 1, 3, 5}: 3 gained (1, 3, 5), 2 lost (2, 4).
  W.row_start = {0, 2, 5, 7};
  W.col = {0, 1, 0, 2, 4, 3, 5};
  W.value.assign(7, 0.5f);
  obs::sparse::UnitHistory h;
  h.before(chain);
  W.row_start = {0, 2, 6, 8};
  W.col = {0, 1, 0, 1, 3, 5, 3, 5};
  W.value.assign(8, 0.5f);
  h.after(chain, 42);
  REQUIRE(h.events(0, 1).size() == 1);
  const auto e = h.events(0, 1)[0];
  CHECK(e.step == 42);
  CHECK(e.grown == 3);
  CHECK(e.pruned == 2);
  CHECK(e.connections == 4);
  CHECK(h.events(0, 0).empty());  // unchanged units record nothing
  CHECK(h.events(0, 2).empty());
  CHECK(h.events(1, 0).empty());
  CHECK(h.events(5, 0).empty());  // no such layer
  // A unit keeps its last kPerUnit events, oldest first.
  for (std::uint64_t step = 100; step < 120; ++step) {
    h.before(chain);
    W.col[5] = W.col[5] == 5 ? 4 : 5;  // unit 1 swaps one input each time
    h.after(chain, step);
  }
  const auto events = h.events(0, 1);
  REQUIRE(events.size() == obs::sparse::UnitHistory::kPerUnit);
  CHECK(events.front().step == 120 - obs::sparse::UnitHistory::kPerUnit);
  CHECK(events.back().step == 119);
  CHECK(events.back().grown == 1);
  CHECK(events.back().pruned == 1);
  // A layer whose units changed in number starts over.
  h.before(chain);
  W.rows = 4;
  W.row_start.push_back(8);
  W.bias.push_back(0);
  h.after(chain, 200);
  CHECK(h.events(0, 1).empty());
}

TEST_CASE("sparse unit history: the system records each unit's rewirings, and each event's count matches the structure after it") {
  auto s = make(patterns("set", false));
  for (int i = 0; i < 10; ++i) s->step();  // one rewiring, at the 10th step
  const auto& W = s->chain().layers()[0];
  std::size_t touched = 0, grown = 0, pruned = 0;
  for (int u = 0; u < W.rows; ++u) {
    const auto events = s->unit_history().events(0, static_cast<std::size_t>(u));
    if (events.empty()) continue;
    ++touched;
    REQUIRE(events.size() == 1);
    CHECK(events[0].step == 10);
    CHECK(events[0].connections == W.row_start[static_cast<std::size_t>(u) + 1] - W.row_start[static_cast<std::size_t>(u)]);
    grown += events[0].grown;
    pruned += events[0].pruned;
  }
  CHECK(touched > 0);
  CHECK(grown == pruned);  // SET swaps: the layer's count is kept
  // 30 % of the layer moved; a connection dropped and regrown in the same place is no change.
  CHECK(pruned <= static_cast<std::size_t>(std::llround(0.3 * static_cast<double>(W.connections()))));
  CHECK(pruned > 0);
}
