#include "eqprop/oscillating_nudge.hpp"

#include <cmath>
#include <numbers>

namespace obs::eqprop {

void OscillatingNudge::resize(const Net& net, int batch) {
  const int L = net.free_layers();
  sum_s_.assign(static_cast<std::size_t>(L + 1), Mat());
  sum_ss_.assign(static_cast<std::size_t>(L), Mat());
  for (int l = 1; l <= L; ++l) sum_s_[l] = Mat::Zero(net.sizes[l], batch);
  for (int l = 1; l < L; ++l) sum_ss_[l] = Mat::Zero(net.sizes[l + 1], net.sizes[l]);
  out_zero_ = Mat::Zero(net.sizes[L], batch);
}

std::size_t OscillatingNudge::column_floats() const {
  std::size_t n = static_cast<std::size_t>(out_zero_.size());
  for (const Mat& m : sum_s_) n += static_cast<std::size_t>(m.size());
  return n;
}

int OscillatingNudge::run(const Net& net, Relaxer& relax, float beta, int period, int periods, Grad& out) {
  const int L = net.free_layers();
  for (int l = 1; l <= L; ++l) sum_s_[l].setZero();
  for (int l = 1; l < L; ++l) sum_ss_[l].setZero();
  const int total = period * (periods + 1);
  const double omega = 2.0 * std::numbers::pi / period;
  for (int t = 0; t < total; ++t) {
    // The nudge of this sweep; the weight of the state it leaves is the same sine (the state
    // after sweep t answers beta(t)).
    const float w = static_cast<float>(std::sin(omega * t));
    relax.sweep(net, beta * w);
    if (t < period) continue;
    if (t == period) {  // the first sweep after the warm-up, whose nudge is sin(2 pi) = 0
      out_zero_ = relax.s(L);
      cost_zero_ = relax.cost();
    }
    for (int l = 1; l <= L; ++l) sum_s_[l].noalias() += w * relax.s(l);
    for (int l = 1; l < L; ++l) sum_ss_[l].noalias() += w * relax.s(l + 1) * relax.s(l).transpose();
  }
  const int batch = relax.batch();
  const float k = 2.0f / (beta * static_cast<float>(periods * period) * static_cast<float>(batch));
  for (int l = 0; l < L; ++l) {
    out.db[l] = k * sum_s_[l + 1].rowwise().sum();
    if (l == 0) out.dW[0].noalias() = k * sum_s_[1] * relax.input().transpose();
    else out.dW[l] = k * sum_ss_[l];
  }
  return total;
}

}  // namespace obs::eqprop
