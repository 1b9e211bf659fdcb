#pragma once
// The oracle of the TorEqProp roadmap (issue 16): "settling time = uncertainty". Every test
// example's free relaxation is timed (the sweep at which its own state stopped moving, |ds| <
// tol), and after the pass the time is judged as a score, by AUROC, for two questions: is this
// answer wrong, and is this input out of distribution (the test images inverted, or uniform
// noise). The baseline score for both is the output margin (top output minus the runner-up,
// negated: a small margin should mean wrong or foreign), which backprop has too.
#include <cstdint>
#include <limits>
#include <vector>

#include "core/rng.hpp"

namespace obs::eqprop {

enum class OodKind { None, Inverted, Noise };

// An out-of-distribution input made from a test image x (dim values in [0, 1]): 1 - x, or
// uniform noise drawn from rng.
void make_ood_input(OodKind kind, const float* x, int dim, float* out, Rng& rng);

struct OracleScores {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double settle_auroc = kNaN, margin_auroc = kNaN;          // wrong vs right (in distribution)
  double ood_settle_auroc = kNaN, ood_margin_auroc = kNaN;  // out of distribution vs the test set
  double settle_right = kNaN, settle_wrong = kNaN, settle_ood = kNaN;  // mean sweeps
  // Examples per settling time (index = sweeps, 0..max_sweeps): right and wrong answers.
  std::vector<int> hist_right, hist_wrong;
  // Checkpoints (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.settle_auroc, self.margin_auroc, self.ood_settle_auroc, self.ood_margin_auroc, self.settle_right,
      self.settle_wrong, self.settle_ood, self.hist_right, self.hist_wrong);
  }
};

class SettlingOracle {
 public:
  // Clears the pass; settling times run from 1 to max_sweeps (max_sweeps: never settled).
  void start(std::size_t expected, int max_sweeps);
  // One example: its settling sweeps (NaN when there is no relaxation: backprop), its output
  // margin, whether its answer was wrong (in distribution) and whether it was out of distribution.
  void add(double settle, double margin, bool wrong, bool ood);
  OracleScores finish() const;
  // Checkpoints (core/state_archive.hpp): a test pass in progress is carried across steps.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.max_sweeps_, self.settle_, self.margin_, self.wrong_, self.ood_);
  }

 private:
  int max_sweeps_ = 0;
  std::vector<double> settle_, margin_;
  std::vector<std::uint8_t> wrong_, ood_;
};

}  // namespace obs::eqprop
