#include "eqprop/lipschitz.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // see eigen_types.hpp
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"

namespace obs::eqprop {
namespace {
constexpr int kMaxIterations = 200;
}  // namespace

void LipschitzProjector::resize(const Net& net, std::uint64_t seed) {
  Rng rng(seed ^ 0x5eed11b5c417a1ULL);
  const int L = net.free_layers();
  v_.assign(static_cast<std::size_t>(L + 1), Vec());
  u_.assign(static_cast<std::size_t>(L + 1), Vec());
  w_.assign(static_cast<std::size_t>(L + 1), Vec());
  for (int l = 1; l <= L; ++l) {
    v_[l] = Vec(net.sizes[l]);
    for (Eigen::Index i = 0; i < v_[l].size(); ++i) v_[l][i] = static_cast<float>(rng.normal());
    u_[l] = Vec::Zero(net.sizes[l]);
    w_[l] = Vec::Zero(net.sizes[l]);
  }
  right_.assign(static_cast<std::size_t>(L), Vec());
  left_.assign(static_cast<std::size_t>(L), Vec());
  for (int l = 0; l < L; ++l) {
    right_[l] = Vec(net.sizes[l]);
    for (Eigen::Index i = 0; i < right_[l].size(); ++i) right_[l][i] = static_cast<float>(rng.normal());
    left_[l] = Vec::Zero(net.sizes[l + 1]);
  }
  norms_.assign(static_cast<std::size_t>(L), 0.0);
  bound_ = 0;
}

void LipschitzProjector::apply_m(const Net& net, const std::vector<Vec>& v, std::vector<Vec>& out) const {
  const int L = net.free_layers();
  for (int l = 1; l <= L; ++l) {
    out[l].setZero();
    if (l >= 2) out[l].noalias() += net.W[l - 1] * v[l - 1];
    if (l < L) add_feedback(net, l, v[l + 1], out[l]);
  }
}

void LipschitzProjector::apply_mt(const Net& net, const std::vector<Vec>& u, std::vector<Vec>& out) const {
  const int L = net.free_layers();
  for (int l = 1; l <= L; ++l) {
    out[l].setZero();
    if (l >= 2) add_feedback_transposed(net, l - 1, u[l - 1], out[l]);
    if (l < L) out[l].noalias() += net.W[l].transpose() * u[l + 1];
  }
}

double LipschitzProjector::estimate(const Net& net, int iterations) {
  const int L = net.free_layers();
  auto norm_of = [&](const std::vector<Vec>& x) {
    double n2 = 0;
    for (int l = 1; l <= L; ++l) n2 += static_cast<double>(x[l].squaredNorm());
    return std::sqrt(n2);
  };
  double sigma = 0;
  double vn = norm_of(v_);
  if (!(vn > 0) || !std::isfinite(vn)) {  // a lost vector (zero or non-finite): restart it
    for (int l = 1; l <= L; ++l) v_[l].setOnes();
    vn = norm_of(v_);
  }
  for (int l = 1; l <= L; ++l) v_[l] /= static_cast<float>(vn);
  // At least `iterations` steps, then on until two successive estimates agree to 1e-4 (the
  // estimate rises towards ||M|| from below, so stopping early would under-project).
  double prev = 0;
  for (int it = 0; it < std::max(iterations, kMaxIterations); ++it) {
    apply_m(net, v_, u_);
    if (net.asymmetric()) {
      // |M v| with v the unit top right-singular vector of M is ||M||; the next v is M^T M v, normalised.
      sigma = norm_of(u_);
      apply_mt(net, u_, w_);
      const double wn = norm_of(w_);
      if (!(sigma > 0) || !(wn > 0)) return 0.0;
      for (int l = 1; l <= L; ++l) v_[l] = w_[l] / static_cast<float>(wn);
      if (it + 1 >= iterations && std::fabs(sigma - prev) <= 1e-4 * sigma) break;
      prev = sigma;
      continue;
    }
    sigma = norm_of(u_);
    if (!(sigma > 0)) return 0.0;
    for (int l = 1; l <= L; ++l) v_[l] = u_[l] / static_cast<float>(sigma);
    if (it + 1 >= iterations && std::fabs(sigma - prev) <= 1e-4 * sigma) break;
    prev = sigma;
  }
  return sigma;
}

double LipschitzProjector::project(Net& net, double target, int iterations) {
  const int L = net.free_layers();
  const double sigma = estimate(net, iterations);
  double bound = sigma;
  if (sigma > target) {
    const float scale = static_cast<float>(target / sigma);
    for (int l = 1; l < L; ++l) net.W[l] *= scale;
    if (net.asymmetric())
      for (int l = 1; l < L; ++l) net.B[l] *= scale;
    bound = target;
  }
  bound_ = bound;
  for (int l = 0; l < L; ++l) {  // ||W_l||_2 by one warm-started step of power iteration on W^T W
    const float rn = right_[l].norm();
    if (!(rn > 0) || !std::isfinite(rn)) right_[l].setOnes();
    right_[l].normalize();
    left_[l].noalias() = net.W[l] * right_[l];
    norms_[l] = left_[l].norm();
    right_[l].noalias() = net.W[l].transpose() * left_[l];
  }
  return bound;
}

double exact_coupling_norm(const Net& net) {
  const int L = net.free_layers();
  int n = 0;
  std::vector<int> offset(static_cast<std::size_t>(L + 2), 0);
  for (int l = 1; l <= L; ++l) {
    offset[l] = n;
    n += net.sizes[l];
  }
  Eigen::MatrixXd M = Eigen::MatrixXd::Zero(n, n);
  for (int l = 1; l < L; ++l) {  // block (l+1, l) = W_l and its transpose
    M.block(offset[l + 1], offset[l], net.sizes[l + 1], net.sizes[l]) = net.W[l].cast<double>();
    M.block(offset[l], offset[l + 1], net.sizes[l], net.sizes[l + 1]) =
        net.asymmetric() ? net.B[l].cast<double>() : Eigen::MatrixXd(net.W[l].transpose().cast<double>());
  }
  if (net.asymmetric()) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(M);
    return svd.singularValues()(0);
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(M, Eigen::EigenvaluesOnly);
  return es.eigenvalues().cwiseAbs().maxCoeff();
}

}  // namespace obs::eqprop
