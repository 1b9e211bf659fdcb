#include "eqprop/learning_rules.hpp"

namespace obs::eqprop {

void Grad::resize_like(const Net& net) {
  const int L = net.free_layers();
  dW.resize(static_cast<std::size_t>(L));
  db.resize(static_cast<std::size_t>(L));
  for (int l = 0; l < L; ++l) {
    dW[l] = Mat::Zero(net.W[l].rows(), net.W[l].cols());
    db[l] = Vec::Zero(net.b[l].size());
  }
}

bool Grad::all_finite() const {
  for (std::size_t l = 0; l < dW.size(); ++l)
    if (!dW[l].allFinite() || !db[l].allFinite()) return false;
  return true;
}

void eqprop_update(const Net& net, const std::vector<Mat>& a, const std::vector<Mat>& c, float beta_a_minus_c,
                   Grad& out, std::vector<Mat>& scratch) {
  const int L = net.free_layers();
  const float k = 1.0f / (beta_a_minus_c * static_cast<float>(a[0].cols()));
  // a_{l+1} a_l^T - c_{l+1} c_l^T = (a_{l+1} - c_{l+1}) a_l^T + c_{l+1} (a_l - c_l)^T: the second
  // term vanishes for l = 0, where both sides see the same clamped input.
  for (int l = 0; l < L; ++l) {
    Mat& diff = scratch[l + 1];
    diff = a[l + 1] - c[l + 1];
    out.db[l] = k * diff.rowwise().sum();
    out.dW[l].noalias() = k * diff * a[l].transpose();
    if (l > 0) out.dW[l].noalias() += k * c[l + 1] * scratch[l].transpose();
  }
}

void FeedForward::resize(const Net& net, int batch) {
  const int L = net.free_layers();
  a_.assign(static_cast<std::size_t>(L + 1), Mat());
  delta_.assign(static_cast<std::size_t>(L + 1), Mat());
  for (int l = 0; l <= L; ++l) {
    a_[l] = Mat::Zero(net.sizes[l], batch);
    delta_[l] = Mat::Zero(net.sizes[l], batch);
  }
}

std::size_t FeedForward::floats() const {
  std::size_t n = 0;
  for (std::size_t l = 0; l < a_.size(); ++l) n += static_cast<std::size_t>(a_[l].size() + delta_[l].size());
  return n;
}

void FeedForward::forward(const Net& net, const Eigen::Ref<const Mat>& x, float noise, Rng* rng) {
  const int L = net.free_layers();
  a_[0] = x;
  for (int l = 1; l <= L; ++l) {
    Mat& a = a_[l];
    a.noalias() = net.W[l - 1] * a_[l - 1];
    a.colwise() += net.b[l - 1];
    const Activation act = net.act_of(l);
    if (act == Activation::HardSigmoid) a = a.cwiseMax(0.0f).cwiseMin(1.0f);
    else if (act == Activation::Tanh) a = a.array().tanh().matrix();
    a.array().colwise() *= net.mask[l - 1].array();
    if (noise > 0.0f && rng && l < L)
      for (Eigen::Index c = 0; c < a.cols(); ++c)
        for (Eigen::Index i = 0; i < a.rows(); ++i) a(i, c) += noise * static_cast<float>(rng->normal()) * net.mask[l - 1][i];
  }
}

double FeedForward::backward(const Net& net, const Eigen::Ref<const Mat>& y, Grad& out) {
  const int L = net.free_layers();
  const float inv_b = 1.0f / static_cast<float>(y.cols());
  double loss = 0;
  for (Eigen::Index k = 0; k < y.size(); ++k) {
    const double d = static_cast<double>(a_[L].data()[k]) - y.data()[k];
    loss += 0.5 * d * d;
  }
  delta_[L] = a_[L] - y;
  for (int l = L; l >= 1; --l) {
    Mat& d = delta_[l];
    const Mat& a = a_[l];
    const Vec& m = net.mask[l - 1];
    const Activation act = net.act_of(l);
    for (Eigen::Index c = 0; c < d.cols(); ++c)
      for (Eigen::Index i = 0; i < d.rows(); ++i) d(i, c) *= m[i] * rho_prime_of_state(act, a(i, c));
    out.dW[l - 1].noalias() = (-inv_b) * d * a_[l - 1].transpose();
    out.db[l - 1] = (-inv_b) * d.rowwise().sum();
    if (l > 1) {  // back through W^T, or through B under feedback alignment (Lillicrap et al. 2016)
      delta_[l - 1].setZero();
      add_feedback(net, l - 1, d, delta_[l - 1]);
    }
  }
  return loss * inv_b;
}

void apply_update(Net& net, const Grad& step, const std::vector<float>& lr, float momentum, Grad& velocity) {
  for (std::size_t l = 0; l < net.W.size(); ++l) {
    if (momentum > 0) {
      velocity.dW[l] = momentum * velocity.dW[l] + step.dW[l];
      velocity.db[l] = momentum * velocity.db[l] + step.db[l];
      net.W[l] += lr[l] * velocity.dW[l];
      net.b[l] += lr[l] * velocity.db[l];
    } else {
      net.W[l] += lr[l] * step.dW[l];
      net.b[l] += lr[l] * step.db[l];
    }
  }
}

void evolve_feedback(Net& net, const Grad& taken, const std::vector<float>& lr, float decay) {
  for (std::size_t l = 1; l < net.W.size() && l < net.B.size(); ++l) {
    net.B[l].noalias() += lr[l] * taken.dW[l].transpose();
    net.W[l] *= 1.0f - decay;
    net.B[l] *= 1.0f - decay;
  }
}

}  // namespace obs::eqprop
