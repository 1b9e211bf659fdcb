#pragma once
// The reference gradient, for measurement only: the exact gradient of the batch-mean loss
// C = |s_L* - y|^2 / 2 at the free fixed point s* = rho(M s* + W_0 x + b), by implicit
// differentiation (recurrent backprop: Almeida 1987, Pineda 1987). Written apart from the
// EqProp rule and sharing nothing with it but the network.
//
// With D = diag(rho'(a*)) and g = dC/ds (s_L* - y on the output, 0 elsewhere), the adjoint
// lambda solves (I - M D) lambda = g; since ||M D|| <= ||M|| < 1 it is found by the fixed-point
// iteration lambda <- g + M D lambda. Then, with delta = D lambda (the loss gradient at the
// pre-activations),
//   dC/dW_0 = delta_1 x^T,   dC/dW_l = delta_{l+1} s_l^T + s_{l+1} delta_l^T (l >= 1, W_l enters
//   both layers it joins),   dC/db_l = delta_{l+1}.
// Under feedback alignment (Net::B) M has W_l below its diagonal and B_l above it, the adjoint
// solves (I - M^T D) lambda = g instead (the same iteration with M^T), and W_l enters only the
// layer above it: dC/dW_l = delta_{l+1} s_l^T. That is the true gradient of the loss at the
// fixed point the asymmetric net actually reaches.
// Then LayerAlignment (eqprop_snapshot.hpp) compares an update with -gradient per weight matrix.
#include <vector>

#include "eqprop/eqprop_snapshot.hpp"
#include "eqprop/layered_net.hpp"
#include "eqprop/learning_rules.hpp"

namespace obs::eqprop {

class ReferenceGradient {
 public:
  void resize(const Net& net, int batch);
  // states[0..L] at the free fixed point (states[0] = input); y: sizes[L] x batch.
  // Writes the gradient (ascent direction) into `grad`; returns the adjoint iterations used.
  int compute(const Net& net, const std::vector<Mat>& states, const Eigen::Ref<const Mat>& y, Grad& grad,
              int max_iterations = 2000, float tol = 1e-7f);
  bool converged() const { return converged_; }

 private:
  std::vector<Mat> d_, lambda_, delta_, next_;
  bool converged_ = false;
};

// cosine, normalised error and sign agreement of `update` (a descent direction) against
// -grad, for one matrix.
LayerAlignment align(const Mat& update, const Mat& grad);

}  // namespace obs::eqprop
