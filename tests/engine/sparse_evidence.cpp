// The evidence planner: its formulas on hand-worked cases (the region SNR, the barrier), and its
// behaviour on problems whose answer is known: the region that carries the label is the one it
// grows, a commit is warm-started and changes nothing else, the budget is never exceeded, and
// only a connection that was Cooling at the previous cycle goes Cold.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/rng.hpp"
#include "sparse/evidence_planner.hpp"
#include "sparse/rewire.hpp"
#include "sparse/sparse_chain.hpp"

using namespace obs;
using namespace obs::sparse;

namespace {

// Every (row, col) of a layer as keys, ascending.
std::set<Key> keys_of(const CsrLayer& W) {
  std::set<Key> keys;
  for (int r = 0; r < W.rows; ++r)
    for (std::uint32_t k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k)
      keys.insert(static_cast<Key>(r) * static_cast<Key>(W.cols) + W.col[k]);
  return keys;
}

// Batches of 8 features in which feature 5 carries the label (+1 for class 1, -1 for class 0)
// and the other seven are Gaussian noise.
EvidencePlanner::BatchSource signal_on_feature_5(Rng& rng) {
  return [&rng](RowMat& x, std::vector<std::uint8_t>& labels) {
    const int B = 32;
    x.resize(8, B);
    labels.resize(B);
    for (int b = 0; b < B; ++b) {
      labels[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(rng.below(2));
      for (int f = 0; f < 8; ++f) x(f, b) = static_cast<float>(rng.normal());
      x(5, b) = labels[static_cast<std::size_t>(b)] ? 1.0f : -1.0f;
    }
  };
}

// A planner that probes every unit's best pair of inputs, whatever its SNR or spread, and may
// commit two regions a cycle even at its budget (gamma there ~1.41).
PlannerSettings eager_settings() {
  PlannerSettings s;
  s.region_width = 2;
  s.probes = 6;
  s.snr_gate = 0;
  s.risk = 0;
  s.barrier_eps = 0.5;
  return s;
}

}  // namespace

TEST_CASE("region SNR: ||mean g|| / sqrt(total variance) on a hand-worked case") {
  // Two entries over two batches: g = (1, 2) then (3, 2). Mean (2, 2), norm sqrt(8); the
  // variances over the batches are 1 and 0, a total of 1. SNR = sqrt(8) / (1 + eps).
  const std::vector<double> sum{4, 4}, sum_sq{10, 8};
  CHECK(region_snr(sum, sum_sq, 2, 0.0) == doctest::Approx(std::sqrt(8.0)));
  // A gradient that flips sign every batch has no signal: (1) then (-1).
  const std::vector<double> s1{0}, s2{2};
  CHECK(region_snr(s1, s2, 2, 0.0) == 0.0);
  // A gradient the same every batch has no noise: SNR = ||g|| / eps.
  const std::vector<double> c1{6, 8}, c2{18, 32};  // (3, 4) twice
  CHECK(region_snr(c1, c2, 2, 1e-3) == doctest::Approx(5.0 / 1e-3));
}

TEST_CASE("relativistic barrier: gamma = 1 / sqrt(1 - v^2 + eps)") {
  CHECK(barrier_gamma(0.6, 0.0) == doctest::Approx(1.25));  // 1 / sqrt(0.64)
  CHECK(barrier_gamma(0.0, 0.0) == doctest::Approx(1.0));
  CHECK(barrier_gamma(1.0, 0.04) == doctest::Approx(5.0));  // at the budget: 1 / sqrt(eps)
  CHECK(barrier_gamma(1.5, 0.04) == doctest::Approx(5.0));  // over it: no imaginary gamma
  CHECK(barrier_gamma(0.9, 0.05) > barrier_gamma(0.5, 0.05));
}

TEST_CASE("insert_connections: new connections at the given values, existing ones untouched") {
  Rng rng(3);
  CsrLayer W = random_layer(4, 6, 0.34, 0.5, rng);
  const Eigen::MatrixXf before = to_dense(W);
  std::vector<Key> keys;
  for (Key key = 0; key < 24 && keys.size() < 3; ++key)
    if (before(static_cast<Eigen::Index>(key / 6), static_cast<Eigen::Index>(key % 6)) == 0.0f) keys.push_back(key);
  REQUIRE(keys.size() == 3);
  const std::vector<float> values{0.25f, -0.5f, 0.75f};
  insert_connections(W, keys, &values);
  Eigen::MatrixXf expected = before;
  for (std::size_t i = 0; i < keys.size(); ++i) expected(static_cast<Eigen::Index>(keys[i] / 6), static_cast<Eigen::Index>(keys[i] % 6)) = values[i];
  CHECK(to_dense(W) == expected);
  for (int r = 0; r < W.rows; ++r)
    CHECK(std::is_sorted(W.col.begin() + W.row_start[static_cast<std::size_t>(r)], W.col.begin() + W.row_start[static_cast<std::size_t>(r) + 1]));
}

TEST_CASE("evidence planner: grows the region that carries the label, warm-started, and nothing else changes") {
  // One layer 8 -> 2 (logistic regression over two classes); each unit reads only inputs 0 and
  // 1 (noise), and the budget leaves room for two more connections. Regions are pairs of inputs,
  // so [4, 6) is the one that holds the label's feature.
  Rng init(1);
  SparseChain chain({8, 2}, 0.25, init);
  CsrLayer& W = chain.layers()[0];
  W.row_start = {0, 2, 4};
  W.col = {0, 1, 0, 1};
  W.value = {0.1f, -0.1f, -0.1f, 0.1f};
  PlannerSettings s;
  s.region_width = 2;
  s.probes = 2;
  s.probe_lr = 0.5;
  EvidencePlanner planner(chain, s);
  std::vector<char> drop{0, 1, 0, 1};  // each unit keeps input 0 only: two connections of room
  remove_marked(W, drop);
  const std::vector<float> kept = W.value;

  Rng data(7);
  const CycleReport report = planner.cycle(chain, signal_on_feature_5(data));
  REQUIRE(report.probes.size() == 2);  // one per unit: their best region
  int committed = 0;
  for (const Probe& p : report.probes) {
    CAPTURE(p.row);
    CHECK(p.col0 == 4);  // both units' best region by SNR is the label's
    CHECK(p.snr > 3);
    CHECK(p.gain > 0);
    CHECK(p.win_rate == 1.0);
    committed += p.committed;
  }
  CHECK(committed == 1);  // the room (2) holds one region of two entries
  CHECK(report.grown[0] == 2);
  CHECK(report.pruned[0] == 0);  // free room: nothing had to go
  CHECK(W.connections() == 4);
  // The old connections kept their values; the new ones start at the probe's Delta, non-zero,
  // and the one on the label's feature has the sign that separates the classes (unit 1 says
  // class 1: its weight on feature 5 grows positive; unit 0's negative).
  const Probe& won = report.probes[0].committed ? report.probes[0] : report.probes[1];
  const auto first = W.row_start[static_cast<std::size_t>(won.row)];
  CHECK(W.col[first] == 0);
  CHECK(W.value[first] == kept[static_cast<std::size_t>(won.row)]);
  CHECK(W.col[first + 1] == 4);
  CHECK(W.col[first + 2] == 5);
  CHECK(W.value[first + 1] != 0.0f);
  CHECK(W.value[first + 2] * (won.row == 1 ? 1.0f : -1.0f) > 0.1f);
  CHECK(std::abs(W.value[first + 2]) > 5 * std::abs(W.value[first + 1]));
}

TEST_CASE("evidence planner: the budget holds, at most two regions a cycle, and only confirmed Cooling goes Cold") {
  Rng init(2);
  SparseChain chain({8, 6, 2}, 0.5, init);
  const PlannerSettings s = eager_settings();
  EvidencePlanner planner(chain, s);
  const std::vector<std::size_t> budget{chain.layers()[0].connections(), chain.layers()[1].connections()};
  Rng data(11);
  const auto draw = signal_on_feature_5(data);

  // First cycle: every layer is at its budget and nothing is Cooling yet, so nothing can grow;
  // the lowest Taylor scores are marked Cooling.
  const std::set<Key> before0 = keys_of(chain.layers()[0]);
  CycleReport first = planner.cycle(chain, draw);
  CHECK(first.probes.empty());
  CHECK(keys_of(chain.layers()[0]) == before0);
  for (std::size_t l = 0; l < 2; ++l) CHECK(!planner.cooling(l).empty());

  int grown_total = 0;
  for (int cycle = 0; cycle < 12; ++cycle) {
    CAPTURE(cycle);
    std::vector<std::set<Key>> before;
    std::vector<std::vector<Key>> cooling;
    for (std::size_t l = 0; l < 2; ++l) {
      before.push_back(keys_of(chain.layers()[l]));
      cooling.push_back(planner.cooling(l));
    }
    const CycleReport r = planner.cycle(chain, draw);
    for (std::size_t l = 0; l < 2; ++l) {
      const CsrLayer& W = chain.layers()[l];
      CHECK(W.connections() <= budget[l]);
      CHECK(W.rows_without_inputs() == 0);
      int commits = 0;
      for (const Probe& p : r.probes) commits += p.layer == static_cast<int>(l) && p.committed;
      CHECK(commits <= 2);
      const std::set<Key> after = keys_of(W);
      for (Key key : before[l])
        if (!after.count(key)) CHECK(std::binary_search(cooling[l].begin(), cooling[l].end(), key));
      grown_total += r.grown[l];
    }
  }
  CHECK(grown_total > 0);  // the label's feature is worth growing toward
}

TEST_CASE("evidence planner: a clone-and-split keeps the logits, is judged at the next cycle, and Cooling follows the renumbering") {
  Rng init(4);
  SparseChain chain({8, 6, 2}, 0.5, init);
  PlannerSettings s;
  s.region_width = 2;
  s.probes = 0;  // no growth: the splits alone change the network
  s.budget_scale = 3;
  s.split_every = 1;
  EvidencePlanner planner(chain, s);
  Rng data(3);
  const auto draw = signal_on_feature_5(data);
  RowMat x;
  std::vector<std::uint8_t> labels;
  draw(x, labels);

  const Eigen::MatrixXf before = chain.predict(x);
  const CycleReport first = planner.cycle(chain, draw);
  REQUIRE(first.splits.size() == 1);  // one hidden layer, one split
  const Split made = first.splits[0];
  CHECK(!made.judged);
  CHECK(made.layer == 0);
  CHECK(made.clone == 6);
  CHECK(chain.layers()[0].rows == 7);
  CHECK(chain.layers()[1].cols == 7);
  CHECK((chain.predict(x) - before).cwiseAbs().maxCoeff() <= 1e-5f);

  int width = 7;
  for (int cycle = 0; cycle < 6; ++cycle) {
    CAPTURE(cycle);
    const CycleReport r = planner.cycle(chain, draw);
    int judged = 0, made_now = 0;
    for (const Split& sp : r.splits) {
      if (sp.judged) {
        ++judged;
        CHECK(std::isfinite(sp.gain));
        width -= !sp.kept;
      } else {
        ++made_now;
      }
    }
    CHECK(judged == 1);  // last cycle's split, judged now
    width += made_now;
    CHECK(chain.layers()[0].rows == width);
    CHECK(chain.layers()[1].cols == width);
    // Every Cooling mark still names a connection the layer has.
    for (std::size_t l = 0; l < 2; ++l) {
      const std::set<Key> present = keys_of(chain.layers()[l]);
      for (Key key : planner.cooling(l)) CHECK(present.count(key) == 1);
    }
  }
  CHECK(width <= 12);  // at most twice the starting width
}

TEST_CASE("evidence planner, CGPT: budget moves to the best gain per token, only past the giver's cost; total conserved, floors kept, the giver sheds") {
  Rng init(2);
  SparseChain chain({8, 6, 2}, 0.5, init);
  PlannerSettings s = eager_settings();
  s.budget_moves = true;
  EvidencePlanner planner(chain, s);
  const auto total = [&] {
    std::size_t t = 0;
    for (const auto& b : planner.budgets(chain)) t += b.budget;
    return t;
  };
  const std::size_t start_total = total();
  const std::vector<std::size_t> start{planner.budgets(chain)[0].budget, planner.budgets(chain)[1].budget};
  Rng data(11);
  const auto draw = signal_on_feature_5(data);
  int moves = 0;
  for (int cycle = 0; cycle < 30; ++cycle) {
    CAPTURE(cycle);
    const auto before = planner.budgets(chain);
    const CycleReport r = planner.cycle(chain, draw);
    const auto after = planner.budgets(chain);
    CHECK(total() == start_total);
    for (std::size_t l = 0; l < 2; ++l) {
      CHECK(after[l].budget >= std::max(static_cast<std::size_t>(chain.layers()[l].rows), start[l] / 2));
      CHECK(chain.layers()[l].rows_without_inputs() == 0);
      // Over its budget when the cycle began (it gave some away): it does not grow, it sheds.
      if (before[l].used > before[l].budget) CHECK(after[l].used <= before[l].used);
    }
    const BudgetMove& m = r.budget_move;
    if (m.to < 0) continue;
    ++moves;
    CHECK(m.from != m.to);
    CHECK(m.from >= 0);
    CHECK(m.bid > m.ask);  // the rule: gain per token beyond the giver's cost per token
    CHECK(m.tokens > 0);
    CHECK(after[static_cast<std::size_t>(m.to)].budget == before[static_cast<std::size_t>(m.to)].budget + static_cast<std::size_t>(m.tokens));
  }
  MESSAGE(moves << " budget moves in 30 cycles; budgets " << planner.budgets(chain)[0].budget << " / " << planner.budgets(chain)[1].budget
                << " from " << start[0] << " / " << start[1]);
  CHECK(moves > 0);
  // The givers have shed down to their budgets by now, or nearly (Cooling takes two cycles to confirm).
  for (std::size_t l = 0; l < 2; ++l) CHECK(chain.layers()[l].connections() <= planner.budgets(chain)[l].budget + 2 * static_cast<std::size_t>(s.region_width));
}

TEST_CASE("evidence planner, nascent layers: a quiet full layer spawns an identity layer, which grows by the same rules and is judged") {
  Rng init(2);
  SparseChain chain({8, 6, 2}, 0.5, init);
  PlannerSettings s = eager_settings();
  s.nascent_after = 2;
  EvidencePlanner planner(chain, s);
  Rng data(11);
  const auto draw = signal_on_feature_5(data);
  int inserted = 0, judged = 0;
  std::size_t nascent_connections_at_start = 0;
  for (int cycle = 0; cycle < 60; ++cycle) {
    CAPTURE(cycle);
    const CycleReport r = planner.cycle(chain, draw);
    const auto budgets = planner.budgets(chain);
    REQUIRE(budgets.size() == chain.layers().size());
    for (std::size_t l = 0; l < chain.layers().size(); ++l) {
      CHECK(chain.layers()[l].connections() <= budgets[l].budget);
      CHECK(chain.layers()[l].rows_without_inputs() == 0);
    }
    for (const NascentEvent& e : r.nascent) {
      const auto l = static_cast<std::size_t>(e.layer);
      if (e.kind == NascentEvent::Kind::Inserted) {
        ++inserted;
        REQUIRE(chain.layers().size() == 3);
        CHECK(l == 1);  // after the only hidden layer
        CHECK(planner.nascent(1));
        const CsrLayer& I = chain.layers()[1];
        CHECK(to_dense(I) == Eigen::MatrixXf::Identity(6, 6));  // inserted at this cycle's end: untouched yet
        CHECK(budgets[1].budget == 24);                          // 4 connections per unit
        nascent_connections_at_start = I.connections();
      } else {
        ++judged;
        CHECK(cycle >= 2 * s.nascent_after);
        if (e.kind == NascentEvent::Kind::Removed) CHECK(chain.layers().size() == 2);
        else CHECK(chain.layers().size() == 3);
      }
    }
  }
  MESSAGE(inserted << " nascent layer(s) inserted, " << judged << " judged; layers now " << chain.layers().size());
  CHECK(inserted == 1);  // the hidden layer spawns once, whatever became of it
  CHECK(judged == 1);
  CHECK(nascent_connections_at_start == 6);
}
