#pragma once
// The two learning rules of the eqprop system, both as descent directions (W += lr dW lowers
// the loss C = |s_L - y|^2 / 2 averaged over the batch):
//
// EqProp (Scellier & Bengio 2017): with the energy of layered_net.hpp, dE/dW_l = -s_{l+1} s_l^T,
// so the contrastive update between two relaxed states a (nudged with beta) and c (free, or
// nudged with -beta for the symmetric estimate of Laborieux et al. 2021) is
//   dW_l = (a_{l+1} a_l^T - c_{l+1} c_l^T) / (beta_a - beta_c),   db_l = (a_{l+1} - c_{l+1}) / (beta_a - beta_c).
// The states are firing rates already (s = rho(u)), so the rho(s_i) rho(s_j) is s_i s_j
// here. It reads only the two states of the units a weight joins: no backward pass, no autodiff.
//
// Backprop baseline: the same layer sizes, activation and loss as an ordinary feed-forward net
// s_{l+1} = rho(W_l s_l + b_l), trained by the chain rule. It lives here only as the comparison.
#include <vector>

#include "core/rng.hpp"
#include "eqprop/layered_net.hpp"

namespace obs::eqprop {

struct Grad {
  std::vector<Mat> dW;
  std::vector<Vec> db;
  void resize_like(const Net& net);
  bool all_finite() const;
};

// states[l] for l = 0..L (states[0] is the clamped input, the same in both). Allocation-free
// once `out` and `scratch` have their sizes (scratch: sizes[1] x batch).
void eqprop_update(const Net& net, const std::vector<Mat>& a, const std::vector<Mat>& c, float beta_a_minus_c,
                   Grad& out, std::vector<Mat>& scratch);

// Feed-forward pass and chain-rule gradient for the backprop baseline.
class FeedForward {
 public:
  void resize(const Net& net, int batch);
  // Activations layer by layer (ablated units forced to 0); returns nothing, see output().
  // With noise > 0 every hidden activation gets noise * N(0, 1) added (alive units only) before
  // the next layer reads it: the robustness measurement's perturbation of a feed-forward net.
  void forward(const Net& net, const Eigen::Ref<const Mat>& x, float noise = 0.0f, Rng* rng = nullptr);
  // Descent direction of the batch-mean loss into `out`; returns that loss.
  double backward(const Net& net, const Eigen::Ref<const Mat>& y, Grad& out);
  const Mat& output() const { return a_.back(); }
  std::size_t floats() const;  // activations and deltas held
  const std::vector<Mat>& activations() const { return a_; }
  std::vector<Mat>& activations_mutable() { return a_; }

 private:
  std::vector<Mat> a_;      // a_[0] = input, a_[l] = rho(W a_{l-1} + b)
  std::vector<Mat> delta_;  // dLoss/d(pre-activation) per layer
};

// SGD with momentum: v = momentum v + dW, W += lr_l v. lr per weight matrix.
void apply_update(Net& net, const Grad& step, const std::vector<float>& lr, float momentum, Grad& velocity);

// Evolving feedback, the Kolen-Pollack rule (Kolen & Pollack 1994; Akrout et al. 2019): after
// W_l took the step lr_l taken.dW[l], B_l takes its transpose, and both shrink by `decay`. Then
// W_l - B_l^T shrinks by (1 - decay) per step whatever the gradients, so B tends to W^T without
// any unit reading W: the step is built from the activities at both ends of the feedback synapse
// (for EqProp, the transpose of the same local contrast). l >= 1 (W_0 has no feedback).
void evolve_feedback(Net& net, const Grad& taken, const std::vector<float>& lr, float decay);

}  // namespace obs::eqprop
