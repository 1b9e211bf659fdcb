#include "eqprop/dreamer.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace obs::eqprop {

void Dreamer::resize(const Net& net, int columns, InputStats stats) {
  const int L = net.free_layers();
  columns_ = columns;
  stats_ = std::move(stats);
  s_.assign(static_cast<std::size_t>(L + 1), Mat());
  h_.assign(static_cast<std::size_t>(L + 1), Mat());
  for (int l = 0; l <= L; ++l) {
    s_[l] = Mat::Zero(net.sizes[l], columns);
    h_[l] = Mat::Zero(net.sizes[l], columns);
  }
  col_delta_ = Eigen::VectorXf::Zero(columns);
  settle_.assign(static_cast<std::size_t>(columns), 0);
  relax_.resize(net, columns);
  free_ = relax_.states();
  plus_ = Mat::Zero(net.sizes[1], columns);
  grad_ = Mat::Zero(net.sizes[0], columns);
}

void Dreamer::start(int c, const float* x, int cls) {
  float* in = s_[0].col(c).data();
  for (std::size_t i = 0; i < stats_.lo.size(); ++i) in[i] = std::clamp(x[i], stats_.lo[i], stats_.hi[i]);
  for (std::size_t l = 1; l + 1 < s_.size(); ++l) s_[l].col(c).setZero();
  s_.back().col(c).setZero();
  s_.back()(cls, c) = 1.0f;
}

void Dreamer::drive(const Net& net, int l, Mat& h) const {
  if (l == 0) {
    h.noalias() = net.W[0].transpose() * s_[1];
    return;
  }
  h.noalias() = net.W[l - 1] * s_[l - 1];
  h.colwise() += net.b[l - 1];
  add_feedback(net, l, s_[l + 1], h);  // l < L: the output layer is never updated
}

void Dreamer::update_layer(const Net& net, int l) {
  Mat& h = h_[l];
  drive(net, l, h);
  Mat& s = s_[l];
  const int rows = static_cast<int>(s.rows());
  const float* mask = l > 0 ? net.mask[l - 1].data() : nullptr;
  const Activation act = l > 0 ? net.act_of(l) : Activation::HardSigmoid;
  for (int c = 0; c < columns_; ++c) {
    float* sc = s.col(c).data();
    const float* hc = h.col(c).data();
    float d = col_delta_[c];
    for (int i = 0; i < rows; ++i) {
      const float v = l == 0 ? std::clamp(hc[i] / stiffness_, stats_.lo[i], stats_.hi[i]) : mask[i] * rho(act, hc[i]);
      const float diff = std::fabs(v - sc[i]);
      d = (diff <= d) ? d : diff;  // NaN propagates into the delta
      sc[i] = v;
    }
    col_delta_[c] = d;
  }
}

float Dreamer::sweep(const Net& net) {
  const int L = net.free_layers();
  col_delta_.setZero();
  for (int parity = 1; parity >= 0; --parity)  // odd layers first, then even (the input among them)
    for (int l = 0; l < L; ++l)
      if ((l & 1) == parity) update_layer(net, l);
  float d = 0;
  for (int c = 0; c < columns_; ++c) d = (col_delta_[c] <= d) ? d : col_delta_[c];
  return d;
}

int Dreamer::relax(const Net& net, int max_steps, float tol) {
  std::fill(settle_.begin(), settle_.end(), max_steps);
  int t = 0;
  while (t < max_steps) {
    const float d = sweep(net);
    ++t;
    for (int c = 0; c < columns_; ++c)
      if (settle_[c] == max_steps && col_delta_[c] < tol) settle_[c] = t;
    if (!(d >= tol)) break;
  }
  return t;
}

double Dreamer::energy(const Net& net) const {
  const int L = net.free_layers();
  double e = 0.5 * stiffness_ * s_[0].cast<double>().squaredNorm();
  for (int l = 1; l <= L; ++l) {
    const Mat& s = s_[l];
    for (Eigen::Index k = 0; k < s.size(); ++k) e += self_energy(net.act_of(l), s.data()[k]);
    const Mat drive_below = (net.W[l - 1] * s_[l - 1]).colwise() + net.b[l - 1];
    e -= s.cast<double>().cwiseProduct(drive_below.cast<double>()).sum();
  }
  return e;
}

double Dreamer::residual(const Net& net) const {
  const int L = net.free_layers();
  double r = 0;
  for (int l = 0; l < L; ++l) {
    Mat h(s_[l].rows(), columns_);
    drive(net, l, h);
    for (int c = 0; c < columns_; ++c)
      for (Eigen::Index i = 0; i < h.rows(); ++i) {
        const float want = l == 0 ? std::clamp(h(i, c) / stiffness_, stats_.lo[i], stats_.hi[i]) : net.mask[l - 1][i] * rho(net.act_of(l), h(i, c));
        r = std::max(r, static_cast<double>(std::fabs(want - s_[l](i, c))));
      }
  }
  return r;
}

long Dreamer::contrast(const Net& net, int iterations, float rate, float prior, float beta, int free_steps, int nudged_steps,
                       float tol) {
  const int L = net.free_layers();
  Mat& x = s_[0];
  relax_.set_target(s_[L]);
  relax_.zero_state();
  long sweeps = 0;
  for (int it = 0; it < iterations; ++it) {
    relax_.set_input(net, x);
    sweeps += relax_.relax(net, 0.0f, free_steps, tol);
    for (int l = 1; l <= L; ++l) free_[l] = relax_.s(l);
    sweeps += relax_.relax(net, beta, nudged_steps, tol);
    plus_ = relax_.s(1);
    relax_.load_states(free_);
    sweeps += relax_.relax(net, -beta, nudged_steps, tol);
    plus_ -= relax_.s(1);
    grad_.noalias() = net.W[0].transpose() * plus_;
    relax_.load_states(free_);  // the next free phase starts from this one's fixed point
    for (int c = 0; c < columns_; ++c) {
      const float rms = std::sqrt(grad_.col(c).squaredNorm() / static_cast<float>(grad_.rows()));
      if (!(rms > 0.0f)) continue;  // no signal, or a non-finite one: this dream stays where it is
      float* xc = x.col(c).data();
      const float* gc = grad_.col(c).data();
      for (Eigen::Index i = 0; i < grad_.rows(); ++i) {
        const float pull = prior * (stats_.mean[i] - xc[i]);
        xc[i] = std::clamp(xc[i] + rate * gc[i] / rms + pull, stats_.lo[i], stats_.hi[i]);
      }
    }
  }
  for (int l = 1; l < L; ++l) s_[l] = free_[l];  // the last free phase's hidden layers (before the last step)
  return sweeps;
}

}  // namespace obs::eqprop
