// What a training step costs, as the train_macs and state_bytes metrics report it (the
// dashboard's energy and memory charts), against counts by hand on a 2-3-3-2 net (moons) with
// one sweep per phase, so that every sweep is known:
//   weights: W_0 3x2 = 6, W_1 3x3 = 9, W_2 2x3 = 6 (21 in all);
//   a sweep, per column: each coupling drives the layer above and the one below: 2 (9 + 6) = 30;
//   the input's projection: 6; EqProp's update: one product per coupling, and a second for
//   every coupling above W_0: 21 + 15 = 36;
//   backprop: forward 21, gradients 21, deltas down to layer 1 through W_2 and W_1: 15 = 57.
#include <doctest/doctest.h>

#include "eqprop_test_util.hpp"

using namespace eqprop_test;

namespace {

nlohmann::json tiny(const nlohmann::json& extra) {
  nlohmann::json p = {{"dataset", "moons"},   {"train_size", 40}, {"test_size", 20},    {"hidden_layers", 2},
                      {"hidden_units", 3},    {"batch", 4},       {"free_steps", 1},    {"nudged_steps", 1},
                      {"showcase_every", 0},  {"map_every", 0}};
  p.update(extra);
  return p;
}

double macs_after(const nlohmann::json& params, int steps) {
  auto s = make(tiny(params), 2);
  for (int i = 0; i < steps; ++i) s->step();  // 10 batches per epoch: these stay in the first
  return metric(*s, "train_macs");
}

}  // namespace

TEST_CASE("eqprop costs: train_macs counts every multiply-add of the batches learned") {
  constexpr double kBatch = 4;
  // Symmetric: free, +beta and -beta phases of one sweep each: 6 + 3 x 30 + 36 = 132 per column.
  CHECK(macs_after(nlohmann::json::object(), 5) == 5 * kBatch * 132);
  // One-sided: free and +beta only: 6 + 2 x 30 + 36 = 102.
  CHECK(macs_after({{"beta_mode", "positive"}}, 5) == 5 * kBatch * 102);
  // Oscillating, period 3, one period integrated after one of warm-up: 6 sweeps, a running
  // product per coupling above W_0 for the 3 integrated sweeps, and W_0's product at the end:
  // 6 + 6 x 30 + 3 x 15 + 6 = 237.
  CHECK(macs_after({{"nudge_schedule", "oscillating"}, {"osc_period", 3}, {"osc_periods", 1}}, 5) ==
        5 * kBatch * 237);
  CHECK(macs_after({{"algorithm", "backprop"}}, 5) == 5 * kBatch * 57);
  // More sweeps cost more: with up to 30 free sweeps the count can only grow.
  CHECK(macs_after({{"free_steps", 30}}, 5) > 5 * kBatch * 132);
}

TEST_CASE("eqprop costs: state_bytes is what each rule holds per example, and grows with depth") {
  // Per column, layers of 2 + 3 + 3 + 2 = 10 units. EqProp (symmetric): the relaxer's states and
  // pre-activations (10 + 10), layer 1's projection (3) and the target (2), the saved free and
  // +beta states (10 + 10) and the update's scratch (10): 55 floats. One-sided drops the +beta
  // copy: 45. Oscillating: the relaxer (25), the running sums of layers 1..3 (8) and the output
  // at zero (2): 35. Backprop: activations and deltas, 20.
  CHECK(metric(*make(tiny(nlohmann::json::object())), "state_bytes") == doctest::Approx(4.0 * 55));
  CHECK(metric(*make(tiny({{"beta_mode", "positive"}})), "state_bytes") == doctest::Approx(4.0 * 45));
  CHECK(metric(*make(tiny({{"nudge_schedule", "oscillating"}})), "state_bytes") == doctest::Approx(4.0 * 35));
  CHECK(metric(*make(tiny({{"algorithm", "backprop"}})), "state_bytes") == doctest::Approx(4.0 * 20));
  // One more hidden layer of 3 units: 5 more copies of it for symmetric EqProp, 2 for backprop.
  CHECK(metric(*make(tiny({{"hidden_layers", 3}})), "state_bytes") == doctest::Approx(4.0 * (55 + 5 * 3)));
  CHECK(metric(*make(tiny({{"hidden_layers", 3}, {"algorithm", "backprop"}})), "state_bytes") ==
        doctest::Approx(4.0 * (20 + 2 * 3)));
}
