#pragma once
// What the mask view needs from the sparse system, in plain std types: per layer, its structure
// as a grid of cells (a cell aggregates a block of the layer's entries when the layer has more
// entries than the grid has cells), and the rewiring history.
#include <cstdint>
#include <string>
#include <vector>

#include "core/system.hpp"
#include "sparse/evidence_planner.hpp"
#include "sparse/unit_history.hpp"

namespace obs::sparse {

struct LayerPicture {
  int rows = 0, cols = 0;          // the layer: output units x inputs
  int grid_rows = 0, grid_cols = 0;  // the picture: each cell covers block_rows x block_cols entries
  int block_rows = 1, block_cols = 1;
  // Per cell, row-major: the share of its entries that are connections (Hot), and the mean |w|
  // over those connections (0 where there are none).
  std::vector<float> hot_share, mean_abs_w;
  float max_abs_w = 0;  // over the layer, the colour scale's top
  std::size_t connections = 0;
  int dead_units = 0;  // output units with no incoming connection (they compute only their bias)
  // The evidence planner's budget of this layer (budget 0 when the planner is not running).
  std::size_t budget = 0, active = 0, cooling = 0;
  double budget_use = 0, gamma = 1;
  bool nascent = false;  // inserted by the planner as a nascent layer
};

// One rewiring of one layer: how many connections left and how many came (and, for the
// evidence planner, how many regions it probed).
struct RewireEvent {
  std::uint64_t step = 0;
  int layer = 0;
  int pruned = 0, grown = 0, probed = 0;
  int splits = 0, merges = 0;  // the planner's clone-and-splits made, and judged and merged back
  int nascent = 0;             // +1: a nascent layer inserted after this layer; -1: one removed here
};

// A layer as it is, for the unit inspector: its connections (CSR), biases, and each unit's
// recent events (unit u's are events[event_start[u], event_start[u + 1])).
struct LayerStructure {
  std::vector<std::uint32_t> row_start, col;
  std::vector<float> value, bias;
  std::vector<std::uint32_t> event_start;
  std::vector<UnitEvent> events;
};

// A baseline trained beside the network (baseline_run.hpp): its scores now (NaN until measured).
struct BaselineSummary {
  std::string name;
  double train_accuracy = 0, test_accuracy = 0, density = 0;
};

struct SparseSnapshot : Snapshot {
  std::string method;  // "static", "set", "rigl", "evidence"
  std::string dataset;
  std::vector<int> layer_sizes;  // inputs, hidden..., classes
  std::vector<LayerPicture> layers;
  std::vector<LayerStructure> structure;  // aligned with layers
  std::vector<BaselineSummary> baselines;  // empty unless `baselines` is on
  std::vector<RewireEvent> rewires;  // the most recent, oldest first
  std::vector<sparse::Probe> probes;  // the evidence planner's last cycle: its Warm regions
  double density = 0;                // connections / dense weights, over the whole chain
  double update_fraction = 0;        // the share of each layer the next rewiring moves
  double train_accuracy = 0, test_accuracy = 0, loss = 0;  // NaN until measured
  int epoch = 0;
  std::uint64_t batch = 0, batches_per_epoch = 0;
  std::string status;
};

}  // namespace obs::sparse
