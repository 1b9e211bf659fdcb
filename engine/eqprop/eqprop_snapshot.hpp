#pragma once
// What the R/G/B channel view needs from the eqprop system, in plain std types: the view
// includes this header only. The engine records one showcased example's whole relaxation
// (free phase, then the nudged phase) as frames, so the view can play it back step by step
// and compute the channels itself:
//   Red   = |s_t|                    activation magnitude
//   Green = |s_t - s_{t-1}|          velocity of the last step (fades as the net settles)
//   Blue  = s_t - s_free_final       the nudge (zero during the free phase)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/system.hpp"

namespace obs::eqprop {

enum class RelaxPhase : std::uint8_t { Free = 0, NudgedPlus = 1, NudgedMinus = 2 };

struct RelaxFrame {
  RelaxPhase phase = RelaxPhase::Free;
  // One vector per free layer (hidden layers, then the output layer): layer_sizes[1..].
  std::vector<std::vector<float>> s;
  // The largest change of any unit from `before` (the same shape): the sweep's velocity.
  double largest_change_from(const RelaxFrame& before) const {
    double worst = 0;
    for (std::size_t l = 0; l < s.size(); ++l)
      for (std::size_t i = 0; i < s[l].size(); ++i)
        worst = std::max(worst, static_cast<double>(std::fabs(s[l][i] - before.s[l][i])));
    return worst;
  }
  // Checkpoints (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.phase, self.s);
  }
};

// EqProp update against the reference (backprop) gradient, for one weight matrix.
struct LayerAlignment {
  double cosine = 0;          // cos(dW_EP, -grad_BP)
  double normalised_error = 0;  // |dW_EP + grad_BP| / max(|dW_EP|, |grad_BP|)  (both as descent directions)
  double sign_agreement = 0;  // share of entries whose signs agree
};

struct EqPropSnapshot : Snapshot {
  std::string algorithm;                // "eqprop" or "backprop"
  std::string feedback;                 // "" (W^T), or "random"/"evolving": layers read the one above through B
  bool ternary = false;                 // weights alpha_l x {-1, 0, +1}
  int osc_period = 0;                   // single-phase learning: sweeps per period of the oscillating nudge (0: two phases)
  int osc_sweeps = 0;                   // and the sweeps of its one relaxation per batch (warm-up included)
  std::string dataset;                  // dataset name
  std::vector<int> layer_sizes;         // input, hidden..., output
  std::vector<std::string> class_names;
  int input_rows = 0, input_cols = 0;   // display shape of the input

  // The showcased example (a fixed test example chosen by the "showcase" parameter).
  std::vector<float> input;
  int label = -1, predicted = -1;
  std::vector<float> output_free, output_nudged;  // output layer at the end of each phase
  std::vector<RelaxFrame> trajectory;             // free frames, then nudged frames (two periods of the oscillation)
  int free_steps = 0;                             // settling time of the free phase (frames)
  bool settled = false;                           // reached |ds| < tol before the step cap
  double beta = 0;

  // Lipschitz bound of the recurrent map (after the last projection) and per weight matrix.
  double lipschitz = 0;
  std::vector<double> spectral_norms;  // one per weight matrix (layer l -> l+1)
  std::vector<LayerAlignment> alignment;  // one per weight matrix; empty until measured

  // Training progress.
  int epoch = 0;                        // completed epochs
  std::uint64_t batch = 0, batches_per_epoch = 0;  // position inside the current epoch
  std::string status;                   // "training", "evaluating", "paused at epoch end", ...
  double loss = 0, train_accuracy = 0, test_accuracy = 0;
  double mean_settling_steps = 0;       // over the last batch
  // The oracle, from the last test pass: test examples per settling time (sweeps), right and
  // wrong answers, and how well settling time and the output margin tell wrong from right.
  std::vector<int> settle_hist_right, settle_hist_wrong;
  double settle_auroc = 0, margin_auroc = 0;  // NaN until measured
  // Dreaming (dreams > 0): per class, the input the network settles on with its output clamped to
  // that class and its input free, started from rest (classes x input dim, row-major per class),
  // the network's answer to that dream, and the share of all dreams answered as their class.
  std::vector<float> dreams;
  std::vector<int> dream_answers;
  double dream_accuracy = 0;  // NaN until measured
  std::string dream_mode;     // "clamp" or "contrast"

  // 2-D datasets only: the decision map over [-1.5, 1.5]^2 (row-major, map_res^2, class per
  // pixel) and a sample of training points.
  int map_res = 0;
  std::vector<std::uint8_t> decision_map;
  std::vector<float> points;            // x, y pairs
  std::vector<std::uint8_t> point_labels;
};

}  // namespace obs::eqprop
