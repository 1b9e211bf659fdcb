#pragma once
// What the neural-cube view needs from the cube system, in plain std types: the view includes
// this header only. Neuron (x, y, z) of an n^3 cube has index (z * n + y) * n + x. Its 26
// neighbours are numbered d = 0..25 by neighbour_offset(d); synapse d of a neuron and synapse
// 25 - d of that neighbour are the same (symmetric) synapse.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/system.hpp"

namespace obs::cube {

inline constexpr int kNeighbours = 26;

// (dx, dy, dz) of neighbour d: {-1,0,1}^3 without the centre, in lexicographic (dz, dy, dx)
// order, so neighbour_offset(25 - d) == -neighbour_offset(d).
inline constexpr std::array<int, 3> neighbour_offset(int d) {
  const int k = d < 13 ? d : d + 1;  // skip the centre (13 in 0..26)
  return {k % 3 - 1, (k / 3) % 3 - 1, k / 9 - 1};
}

enum class CubePhase : std::uint8_t { Free = 0, Nudged = 1 };

struct CubeSnapshot : Snapshot {
  int n = 0;
  // The showcased example of the batch (the view shows one example's states).
  std::vector<float> activation;  // n^3: s (Red = |s|)
  std::vector<float> velocity;    // n^3: |s_t - s_{t-1}| of the last relaxation step (Green)
  std::vector<float> nudge;       // n^3: s_nudged - s_free (Blue); zero in the free phase
  std::vector<std::uint8_t> alive;         // n^3: 0 = killed (ablated) neuron
  std::vector<std::uint32_t> synapse_mask; // n^3: bit d set = synapse to neighbour d is live
  std::vector<float> weights;     // n^3 * 26 (neuron-major) when n <= 32; empty above

  // Where the data enters and leaves: the input is clamped on the slab z < input_depth, the
  // output is read from output_units neurons on the face z = n - 1 (their indices).
  int input_depth = 1;
  std::vector<std::uint32_t> output_neurons;
  std::vector<float> input;       // the showcased example's input, input_rows x input_cols
  int input_rows = 0, input_cols = 0;
  std::vector<float> output;      // output neuron states of the showcased example (or the readout units')
  bool face_readout = false;      // the classes are read by units coupled to the whole far face
  std::vector<std::string> class_names;
  int label = -1, predicted = -1;

  CubePhase phase = CubePhase::Free;
  int relax_step = 0;             // step inside the current phase
  // Batch steps end on the next batch at rest, so these are the states the showcased example
  // settled to in the batch just done: the free fixed point (velocity 0), the nudge its +beta
  // phase reached, and relax_step the free phase's length.
  bool settled = false;
  // step_mode = stream: the input is the stream's current frame, and work marks (1) the neurons
  // the engine updated while relaxing it (whole row blocks, as the lazy engine updates them).
  bool streaming = false;
  std::vector<float> work;        // n^3 when streaming, else empty
  std::int64_t frame = 0;         // frames done
  double frame_share = 0, frame_mac_ratio = 0;  // share of relaxing neurons updated; dense / done multiply-adds
  double lipschitz = 0;           // bound on the recurrent map after the last projection
  std::uint64_t synapses = 0, synapse_budget = 0;
  double active_fraction = 1;     // share of neurons the last relaxation step updated (lazy)
  double flops_effective = 0, flops_dense = 0;  // multiply-adds since reset
  int epoch = 0;
  std::uint64_t batch = 0, batches_per_epoch = 0;
  double train_accuracy = 0, test_accuracy = 0;  // NaN: not measured yet (before the first batch, the first epoch)
};

}  // namespace obs::cube
