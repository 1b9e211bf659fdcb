#pragma once
// Dreaming, the roadmap's inverse inference (issue 16): the output layer is clamped to a class's
// one-hot target, the input layer is set free, and the same energy the network classifies with is
// relaxed. Whatever input the relaxation settles on is the network's "dream" of that class; the
// system then classifies its own dreams the ordinary way (input clamped, free phase) and counts how
// many come back as the clamped class.
//
// The free input needs a self-energy of its own. Each input unit gets G(x) = x^2 / 2 on the box
// [lo_i, hi_i] that the training set occupies for that feature ([0, 1] for images), the same
// convex term the hard-sigmoid units have on [0, 1]; so its exact minimiser with the first hidden
// layer fixed is x = clip(W_0^T s_1, lo, hi). There is no input bias (the net has none).
//
// Dynamics: the block-coordinate sweep of layered_net.hpp (odd layers, then even layers, each set
// to its exact minimiser) over layers 0..L-1; layer L is held at the target. Every half-sweep is
// an exact minimisation over its block and E is bounded below on the boxes (the output is clamped,
// every free layer is boxed), so E falls monotonically and the sweep settles (tested). Unlike the
// free phase, E is not convex here (W_0 is not under the Lipschitz bound), so where a dream
// settles can depend on where it starts: the system starts one dream per class from the training
// set's mean input and the others from test images.
//
// Measured (docs/systems/eqprop.md): that literal clamp-and-relax dreams the same picture for every
// class, because the energy rewards drive into the clamped output and never penalises drive into
// the others, and the input-hidden loop (W_0 is not under the bound) dominates the small drive from
// one output row. So there is a second way, contrast(): gradient descent on the cost
// C = |s_L - y|^2 / 2 at the free fixed point with respect to the input, with the gradient read from
// EqProp's own symmetric contrast. The input is a clamped layer that enters E only through
// -s_1^T W_0 x, so dC/dx = -W_0^T (s_1^{+beta} - s_1^{-beta}) / (2 beta) + O(beta^2) (the same
// estimate the weights learn by; Laborieux et al. 2021): three relaxations and one product with
// W_0^T per step, no backprop. The dream then answers to every output, not only the clamped one.
#include <vector>

#include "eqprop/eigen_types.hpp"
#include "eqprop/layered_net.hpp"

namespace obs::eqprop {

class Dreamer {
 public:
  // What the training set says about each input feature: the box it occupies and its mean.
  struct InputStats {
    std::vector<float> lo, hi, mean;  // sizes[0] each, lo <= mean <= hi
  };
  // Workspace for `columns` dreams of `net`. Allocates; relax() and contrast() do not.
  void resize(const Net& net, int columns, InputStats stats);
  int columns() const { return columns_; }
  // kappa of the input's self-energy kappa x^2 / 2 (> 0): the dream is clip(W_0^T s_1 / kappa).
  void set_stiffness(float kappa) { stiffness_ = kappa; }

  // Column c starts from x (clipped into the box), or from the mean input, and dreams of class cls.
  void start(int c, const float* x, int cls);
  void start_from_mean(int c, int cls) { start(c, stats_.mean.data(), cls); }

  // Sweeps until max |ds| < tol or max_steps; per column, the first sweep whose |ds| fell below
  // tol is recorded in settle_steps() (max_steps if it never did). Returns the sweeps done.
  int relax(const Net& net, int max_steps, float tol);
  // One sweep; returns max |ds| over every free unit (NaN if any is NaN).
  float sweep(const Net& net);

  // The contrast way (see above), from the columns' starts: `iterations` steps of
  // x <- clip(x + rate g / rms(g) + prior (mean - x)) with g = W_0^T (s_1^{+beta} - s_1^{-beta}) / (2 beta), each from a
  // free relaxation warm-started at the last one's fixed point (free_steps sweeps at most) and two
  // nudged ones from it (nudged_steps each), all stopping at tol. Returns the relaxation sweeps done.
  long contrast(const Net& net, int iterations, float rate, float prior, float beta, int free_steps, int nudged_steps,
                float tol);

  // E(s) summed over the columns (double), the input's x^2 / 2 included.
  double energy(const Net& net) const;
  // max |s - T(s)| over the free layers, T one exact update of each layer with the others fixed.
  double residual(const Net& net) const;

  // The dreams: the input layer (sizes[0] x columns).
  const Mat& dreams() const { return s_[0]; }
  const Mat& s(int l) const { return s_[l]; }
  const std::vector<int>& settle_steps() const { return settle_; }

 private:
  // Sets layer l (0..L-1) to its exact minimiser; folds each column's max |ds| into col_delta_.
  void update_layer(const Net& net, int l);
  // The drive of layer l from its neighbours (and bias), into h_[l].
  void drive(const Net& net, int l, Mat& h) const;

  int columns_ = 0;
  float stiffness_ = 1.0f;
  InputStats stats_;
  std::vector<Mat> s_, h_;  // s_[L] holds the clamped targets
  // contrast(): the relaxation with the dream clamped as its input, the free fixed point and the
  // first hidden layer at +beta.
  Relaxer relax_;
  std::vector<Mat> free_;
  Mat plus_, grad_;
  Eigen::VectorXf col_delta_;
  std::vector<int> settle_;
};

}  // namespace obs::eqprop
