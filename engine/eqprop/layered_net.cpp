#include "eqprop/layered_net.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace obs::eqprop {

void Net::init_shape(const std::vector<int>& layer_sizes, Activation hidden, Activation output) {
  act = hidden;
  out_act = output;
  sizes = layer_sizes;
  const int L = free_layers();
  W.assign(static_cast<std::size_t>(L), Mat());
  b.assign(static_cast<std::size_t>(L), Vec());
  mask.assign(static_cast<std::size_t>(L), Vec());
  B.clear();
  for (int l = 0; l < L; ++l) {
    W[l] = Mat::Zero(sizes[l + 1], sizes[l]);
    b[l] = Vec::Zero(sizes[l + 1]);
    mask[l] = Vec::Ones(sizes[l + 1]);
  }
}

double self_energy(Activation act, double s) {
  if (act != Activation::Tanh) return 0.5 * s * s;
  const double a = std::fabs(s);
  if (a >= 1.0) return std::log(2.0);  // the limit of s atanh(s) + ln(1 - s^2)/2 at |s| = 1
  return a * std::atanh(a) + 0.5 * std::log1p(-a * a);
}

void Relaxer::resize(const Net& net, int batch) {
  batch_ = batch;
  const int L = net.free_layers();
  s_.assign(static_cast<std::size_t>(L + 1), Mat());
  h_.assign(static_cast<std::size_t>(L + 1), Mat());
  for (int l = 0; l <= L; ++l) {
    s_[l] = Mat::Zero(net.sizes[l], batch);
    h_[l] = Mat::Zero(net.sizes[l], batch);
  }
  proj_ = Mat::Zero(net.sizes[1], batch);
  y_ = Mat::Zero(net.sizes[L], batch);
  col_delta_ = Eigen::VectorXf::Zero(batch);
  settle_.assign(static_cast<std::size_t>(batch), 0);
}

void Relaxer::set_input(const Net& net, const Eigen::Ref<const Mat>& x) {
  s_[0] = x;
  proj_.noalias() = net.W[0] * s_[0];
  macs_ += static_cast<std::uint64_t>(net.W[0].size()) * static_cast<std::uint64_t>(x.cols());
  proj_.colwise() += net.b[0];
}

std::size_t Relaxer::floats() const {
  std::size_t n = static_cast<std::size_t>(proj_.size() + y_.size());
  for (std::size_t l = 0; l < s_.size(); ++l) n += static_cast<std::size_t>(s_[l].size() + h_[l].size());
  return n;
}

void Relaxer::zero_state() {
  for (std::size_t l = 1; l < s_.size(); ++l) s_[l].setZero();
}

namespace {

// The exact minimiser over one output unit of G(s) - s h + beta (s - y)^2 / 2.
inline float nudged_output(Activation act, float h, float y, float beta) {
  if (act == Activation::HardSigmoid) return std::clamp((h + beta * y) / (1.0f + beta), 0.0f, 1.0f);
  if (act == Activation::Linear) return (h + beta * y) / (1.0f + beta);
  // u + beta tanh(u) = c is strictly increasing in u (slope >= 1 + min(beta, 0) > 0): Newton
  // from the linearised guess converges in a handful of steps.
  const float c = h + beta * y;
  float u = c / (1.0f + beta);
  for (int k = 0; k < 6; ++k) {
    const float t = std::tanh(u);
    u -= (u + beta * t - c) / (1.0f + beta * (1.0f - t * t));
  }
  return std::tanh(u);
}

}  // namespace

void Relaxer::update_layer(const Net& net, int l, float beta, Eigen::VectorXf& col_delta) {
  const int L = net.free_layers();
  Mat& h = h_[l];
  if (l == 1) {
    h = proj_;
  } else {
    h.noalias() = net.W[l - 1] * s_[l - 1];
    h.colwise() += net.b[l - 1];
  }
  if (l < L) add_feedback(net, l, s_[l + 1], h);
  // The drive from below (layer 1's is the projection, counted in set_input) and from above.
  macs_ += static_cast<std::uint64_t>((l > 1 ? net.W[l - 1].size() : 0) + (l < L ? net.W[l].size() : 0)) *
           static_cast<std::uint64_t>(batch_);

  Mat& s = s_[l];
  const float* m = net.mask[l - 1].data();
  const int rows = static_cast<int>(s.rows());
  const bool nudge = (l == L && beta != 0.0f);
  const Activation act = net.act_of(l);
  for (int c = 0; c < batch_; ++c) {
    float* sc = s.col(c).data();
    const float* hc = h.col(c).data();
    const float* yc = nudge ? y_.col(c).data() : nullptr;
    float d = col_delta[c];
    for (int i = 0; i < rows; ++i) {
      const float v = m[i] * (nudge ? nudged_output(act, hc[i], yc[i], beta) : rho(act, hc[i]));
      const float diff = std::fabs(v - sc[i]);
      // A NaN must propagate into the reported delta, so test "not smaller" rather than "larger".
      d = (diff <= d) ? d : diff;
      sc[i] = v;
    }
    col_delta[c] = d;
  }
}

float Relaxer::sweep(const Net& net, float beta) {
  const int L = net.free_layers();
  col_delta_.setZero();
  for (int parity = 1; parity >= 0; --parity)  // odd layers first, then even
    for (int l = 1; l <= L; ++l)
      if ((l & 1) == parity) update_layer(net, l, beta, col_delta_);
  float d = 0;
  for (int c = 0; c < batch_; ++c) d = (col_delta_[c] <= d) ? d : col_delta_[c];
  return d;
}

int Relaxer::relax(const Net& net, float beta, int max_steps, float tol) {
  std::fill(settle_.begin(), settle_.end(), max_steps);
  int t = 0;
  while (t < max_steps) {
    const float d = sweep(net, beta);
    ++t;
    for (int c = 0; c < batch_; ++c)
      if (settle_[c] == max_steps && col_delta_[c] < tol) settle_[c] = t;
    if (!(d >= tol)) break;  // settled, or NaN (the caller checks all_finite)
  }
  return t;
}

double Relaxer::energy(const Net& net, float beta) const {
  const int L = net.free_layers();
  double e = 0;
  for (int l = 1; l <= L; ++l) {
    const Mat& s = s_[l];
    for (Eigen::Index k = 0; k < s.size(); ++k) e += self_energy(net.act_of(l), s.data()[k]);
    // Coupling to the layer below and bias, in double to keep the monotonicity test honest.
    const Mat drive = (net.W[l - 1] * s_[l - 1]).colwise() + net.b[l - 1];
    e -= s.cast<double>().cwiseProduct(drive.cast<double>()).sum();
  }
  if (beta != 0.0f) e += beta * cost() * batch_;
  return e;
}

double Relaxer::residual(const Net& net, float beta) {
  const int L = net.free_layers();
  double r = 0;
  for (int l = 1; l <= L; ++l) {
    Mat h = (net.W[l - 1] * s_[l - 1]).colwise() + net.b[l - 1];
    if (l < L) add_feedback(net, l, s_[l + 1], h);
    for (int c = 0; c < batch_; ++c)
      for (int i = 0; i < h.rows(); ++i) {
        const float want = net.mask[l - 1][i] * ((l == L && beta != 0.0f) ? nudged_output(net.act_of(l), h(i, c), y_(i, c), beta)
                                                                            : rho(net.act_of(l), h(i, c)));
        r = std::max(r, static_cast<double>(std::fabs(want - s_[l](i, c))));
      }
  }
  return r;
}

double Relaxer::cost() const {
  const Mat& out = s_.back();
  double c = 0;
  for (Eigen::Index k = 0; k < out.size(); ++k) {
    const double d = static_cast<double>(out.data()[k]) - y_.data()[k];
    c += 0.5 * d * d;
  }
  return c / std::max(1, batch_);
}

bool Relaxer::all_finite() const {
  for (std::size_t l = 1; l < s_.size(); ++l)
    if (!s_[l].allFinite()) return false;
  return true;
}

}  // namespace obs::eqprop
