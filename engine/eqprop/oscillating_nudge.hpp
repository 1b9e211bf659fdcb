#pragma once
// Single-phase learning (issue 16): no free phase and no nudged phase, one relaxation under a
// nudge that oscillates, beta(t) = beta sin(2 pi t / P), t counting sweeps from rest. The update
// is the first Fourier coefficient of the local products along the orbit, the real-valued form of
// holomorphic EqProp (Laborieux & Zenke 2022, "Holomorphic equilibrium propagation computes exact
// gradients through finite size oscillations").
//
// Why it is the EqProp update: near the free fixed point s(beta) = s0 + beta s' + O(beta^2), so a
// state that follows the nudge (adiabatically) gives, over whole periods,
//   sum_t sin(2 pi t / P) s_{l+1}(t) s_l(t)^T = beta (n P / 2) d/dbeta (s_{l+1} s_l^T) + O(beta^3),
// because sum_t sin = 0 and sum_t sin^2 = n P / 2 over n periods of P >= 3 sweeps. Scaled by
// 2 / (beta n P) it is d/dbeta (s_{l+1} s_l^T), which is what the symmetric two-phase rule
// estimates by (s+ s+^T - s- s-^T) / 2 beta (learning_rules.hpp): the same descent direction, and
// like the symmetric rule its error is O(beta^2) (the even orders cancel).
//
// What it costs the state to follow: a relaxation lags the drive (a contraction with rate q per
// sweep lags about q / (1 - q) sweeps), so the sine projection sees each layer's response times
// the cosine of its lag. Longer periods make the lag matter less; `period` is the knob, and the
// alignment with the reference gradient says how much is lost (docs/systems/eqprop.md).
//
// The first period is not integrated: the state is still arriving from rest. Every sweep reads
// only the two states a weight joins, as the two-phase rule does; the clamped input makes W_0's
// sum one outer product at the end (sum_t w_t s_1(t) x^T = (sum_t w_t s_1(t)) x^T).
#include <vector>

#include "eqprop/layered_net.hpp"
#include "eqprop/learning_rules.hpp"

namespace obs::eqprop {

class OscillatingNudge {
 public:
  void resize(const Net& net, int batch);
  // Relaxes `relax` (input and target set by the caller) from its current state for one period
  // plus `periods` periods of `period` sweeps under the oscillating nudge, and writes the update
  // into `out` (the convention of eqprop_update: a descent direction). Returns the sweeps run.
  // The state after the first sweep past the warm-up (its nudge is sin(2 pi) = 0) is kept:
  // output_at_zero() and cost_at_zero() stand in for the free phase's answer and loss.
  int run(const Net& net, Relaxer& relax, float beta, int period, int periods, Grad& out);
  const Mat& output_at_zero() const { return out_zero_; }
  double cost_at_zero() const { return cost_zero_; }
  // Floats held per batch column (the running sums of the states and the output at zero); the
  // products' sums are weight-shaped, like the update.
  std::size_t column_floats() const;

 private:
  std::vector<Mat> sum_s_;   // [l] = sum_t w_t s_l(t), l = 1..L (n_l x batch)
  std::vector<Mat> sum_ss_;  // [l] = sum_t w_t s_{l+1}(t) s_l(t)^T, l = 1..L-1 (W_l's shape)
  Mat out_zero_;
  double cost_zero_ = 0;
};

}  // namespace obs::eqprop
