#pragma once
// The layered energy-based network of the eqprop system and its relaxation.
//
// Layers 0..L: layer 0 is the input (clamped), layers 1..L are free (hidden layers, then the
// output layer L). W[l] couples layer l to layer l+1 (sizes[l+1] x sizes[l]); b[l] is the bias
// of layer l+1. Weights are symmetric in the energy sense: layer l+1 reads layer l through
// W[l], and layer l reads layer l+1 through W[l]^T. States s_l are firing rates in the range of
// rho (hard-sigmoid: [0, 1]; tanh: [-1, 1]).
//
// Energy (a Hopfield-type energy with a convex self term per unit):
//   E(s) = sum_{l>=1} sum_i G(s_li) - sum_{l=0}^{L-1} s_{l+1}^T W_l s_l - sum_{l>=1} b_{l-1}^T s_l
//   G(s) = s^2 / 2 on [0, 1] (hard-sigmoid),   G(s) = s atanh(s) + ln(1 - s^2) / 2 (tanh),
// chosen so that G' = rho^{-1}: the minimiser of E over one layer with its neighbours fixed is
// s_l = rho(W_{l-1} s_{l-1} + W_l^T s_{l+1} + b_{l-1}) exactly.
//
// Dynamics: the discrete fixed-point form, block-coordinate. One sweep updates the odd layers
// (which do not interact with one another), then the even layers, each to that exact minimiser.
// Why this form and not gradient flow: every half-sweep is an exact minimisation over its block,
// so E decreases monotonically with no step size to tune (tested), and it converges in tens of
// sweeps where an Euler-discretised gradient flow needs hundreds. Since G'' >= 1 and the
// coupling among free layers has spectral norm < 1 (the Lipschitz projection), E is strictly
// convex on the box: the free fixed point is unique, whatever the start.
//
// The output layer may be linear instead (G(s) = s^2 / 2 without the box; see Activation).
//
// Nudged phase: F = E + beta C with C = |s_L - y|^2 / 2. The output layer is again set to its
// exact minimiser, which solves G'(s) + beta (s - y) = h: linear (h + beta y)/(1 + beta),
// hard-sigmoid clip((h + beta y)/(1 + beta)),
// tanh by a few Newton steps on u + beta tanh(u) = h + beta y (u = atanh s). Negative beta (the
// symmetric estimate) keeps F convex while beta > -1, which is why beta is capped below 1.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "eqprop/eigen_types.hpp"

namespace obs::eqprop {

// Linear is for the output layer only (G(s) = s^2 / 2 with no box): a clipped output unit that
// saturates on the wrong side gets no signal under the squared-error cost, from backprop or from
// the nudge, and stays dead.
enum class Activation { HardSigmoid, Tanh, Linear };

struct Net {
  Activation act = Activation::HardSigmoid;      // hidden layers
  Activation out_act = Activation::HardSigmoid;  // output layer: act, or Linear
  std::vector<int> sizes;  // n_0 (input), n_1..n_L
  std::vector<Mat> W;      // W[l]: sizes[l+1] x sizes[l]
  std::vector<Vec> b;      // b[l]: sizes[l+1]
  // Per free layer l (index l-1): 1 = alive, 0 = ablated (forced to 0, takes no part).
  std::vector<Vec> mask;
  // Feedback alignment (issue 16): empty for the energy-based net, where layer l reads layer l+1
  // through W[l]^T. Otherwise B[l] (sizes[l] x sizes[l+1], l = 1..L-1; B[0] stays empty, the input
  // is clamped) replaces W[l]^T wherever a layer reads the one above: the relaxation, the backward
  // pass of backprop, the reference gradient and the Lipschitz bound. The learning rules never
  // change B. With B != W^T there is no energy: the relaxation is the fixed-point iteration of a
  // contraction (lipschitz.hpp bounds the whole asymmetric coupling), and Relaxer::energy means
  // nothing.
  std::vector<Mat> B;
  bool asymmetric() const { return !B.empty(); }

  int free_layers() const { return static_cast<int>(sizes.size()) - 1; }
  Activation act_of(int layer) const { return layer == free_layers() ? out_act : act; }
  void init_shape(const std::vector<int>& layer_sizes, Activation hidden, Activation output);
};

// rho'(a) written through the state s = rho(a): the hard-sigmoid is 1 strictly inside the box.
inline float rho_prime_of_state(Activation act, float s) {
  if (act == Activation::HardSigmoid) return (s > 0.0f && s < 1.0f) ? 1.0f : 0.0f;
  if (act == Activation::Linear) return 1.0f;
  return 1.0f - s * s;
}

// rho(a): the unit's rate for a drive a, the exact minimiser of G(s) - s a.
inline float rho(Activation act, float a) {
  if (act == Activation::HardSigmoid) return std::clamp(a, 0.0f, 1.0f);
  return act == Activation::Linear ? a : std::tanh(a);
}

// h += F_l x, F_l being what layer l reads layer l+1 through: W[l]^T, or B[l] under feedback
// alignment. add_feedback_transposed: h += F_l^T x (W[l], or B[l]^T).
template <class H, class X>
void add_feedback(const Net& net, int l, const X& x, H& h) {
  if (net.asymmetric()) h.noalias() += net.B[l] * x;
  else h.noalias() += net.W[l].transpose() * x;
}
template <class H, class X>
void add_feedback_transposed(const Net& net, int l, const X& x, H& h) {
  if (net.asymmetric()) h.noalias() += net.B[l].transpose() * x;
  else h.noalias() += net.W[l] * x;
}

// G(s), the convex self-energy of one unit (see above), in double.
double self_energy(Activation act, double s);

// Relaxation workspace for a batch of up to `batch` columns; every buffer is allocated once in
// the constructor (or resize), so relaxing and computing updates does not allocate containers.
class Relaxer {
 public:
  Relaxer() = default;
  Relaxer(const Net& net, int batch) { resize(net, batch); }
  void resize(const Net& net, int batch);

  int batch() const { return batch_; }

  // Clamps the input (n_0 x batch) and computes its projection W_0 x + b_0 once.
  void set_input(const Net& net, const Eigen::Ref<const Mat>& x);
  void set_target(const Eigen::Ref<const Mat>& y) { y_ = y; }
  void zero_state();

  // One sweep (odd layers, then even) with nudging strength beta (0 = free). Returns max |ds|.
  // A NaN anywhere makes the return value NaN.
  float sweep(const Net& net, float beta);
  // Sweeps until max |ds| < tol or max_steps; returns the sweeps done. Per column, the first
  // sweep whose |ds| fell below tol is recorded in settle_steps() (max_steps if it never did).
  int relax(const Net& net, float beta, int max_steps, float tol);

  // E(s) + beta C(s), summed over the batch columns (double accumulation).
  double energy(const Net& net, float beta) const;
  // max |s - T(s)| where T is one Jacobi application of the free (or nudged) map.
  double residual(const Net& net, float beta);
  // Mean over columns of C = |s_L - y|^2 / 2.
  double cost() const;

  // States of free layer l in 1..L (sizes[l] x batch); layer 0 is the input.
  Mat& s(int l) { return s_[l]; }
  const Mat& s(int l) const { return s_[l]; }
  const Mat& input() const { return s_[0]; }
  // All layers, [0] = the clamped input; load_states copies layers 1..L back (same shapes).
  const std::vector<Mat>& states() const { return s_; }
  void load_states(const std::vector<Mat>& s) {
    for (std::size_t l = 1; l < s_.size(); ++l) s_[l] = s[l];
  }
  const Mat& target() const { return y_; }
  const std::vector<int>& settle_steps() const { return settle_; }
  // Multiply-adds of every input projection and sweep so far (the batch's columns all count),
  // and the floats of state this workspace holds (states, pre-activations, projection, target).
  std::uint64_t macs() const { return macs_; }
  std::size_t floats() const;
  bool all_finite() const;
  // Checkpoints (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.batch_, self.s_, self.proj_, self.y_, self.settle_);
  }

 private:
  void update_layer(const Net& net, int l, float beta, Eigen::VectorXf& col_delta);

  int batch_ = 0;
  std::vector<Mat> s_;   // s_[0] = input, s_[1..L]
  std::vector<Mat> h_;   // pre-activation scratch per layer
  Mat proj_;             // W_0 x + b_0, the clamped input's drive of layer 1
  Mat y_;                // target, sizes[L] x batch
  Eigen::VectorXf col_delta_;  // per column max |ds| of the current sweep
  std::vector<int> settle_;
  std::uint64_t macs_ = 0;
};

}  // namespace obs::eqprop
