#include "eqprop/reference_gradient.hpp"

#include <algorithm>
#include <cmath>

namespace obs::eqprop {

void ReferenceGradient::resize(const Net& net, int batch) {
  const int L = net.free_layers();
  for (auto* v : {&d_, &lambda_, &delta_, &next_}) {
    v->assign(static_cast<std::size_t>(L + 1), Mat());
    for (int l = 1; l <= L; ++l) (*v)[l] = Mat::Zero(net.sizes[l], batch);
  }
}

int ReferenceGradient::compute(const Net& net, const std::vector<Mat>& s, const Eigen::Ref<const Mat>& y, Grad& grad,
                               int max_iterations, float tol) {
  const int L = net.free_layers();
  const float inv_b = 1.0f / static_cast<float>(y.cols());
  for (int l = 1; l <= L; ++l) {
    for (Eigen::Index c = 0; c < s[l].cols(); ++c)
      for (Eigen::Index i = 0; i < s[l].rows(); ++i)
        d_[l](i, c) = net.mask[l - 1][i] * rho_prime_of_state(net.act_of(l), s[l](i, c));
    lambda_[l].setZero();
  }
  converged_ = false;
  int it = 0;
  while (it < max_iterations) {
    ++it;
    for (int l = 1; l <= L; ++l) delta_[l] = d_[l].cwiseProduct(lambda_[l]);
    float change = 0, scale = 0;
    for (int l = 1; l <= L; ++l) {
      Mat& n = next_[l];
      if (l == L) n = s[L] - y;
      else n.setZero();
      // Layer l-1 reads layer l through F_{l-1} (W_{l-1}^T, or B_{l-1}); layer l+1 through W_l.
      if (l >= 2) add_feedback_transposed(net, l - 1, delta_[l - 1], n);
      if (l < L) n.noalias() += net.W[l].transpose() * delta_[l + 1];
      change = std::max(change, (n - lambda_[l]).cwiseAbs().maxCoeff());
      scale = std::max(scale, n.cwiseAbs().maxCoeff());
    }
    // Jacobi on every layer at once: all of next_ is built from the old lambda before swapping.
    for (int l = 1; l <= L; ++l) lambda_[l].swap(next_[l]);
    if (!(change > tol * std::max(scale, 1e-3f))) {
      converged_ = std::isfinite(change);
      break;
    }
  }
  for (int l = 1; l <= L; ++l) delta_[l] = d_[l].cwiseProduct(lambda_[l]);
  for (int l = 0; l < L; ++l) {
    grad.dW[l].noalias() = inv_b * delta_[l + 1] * s[l].transpose();
    // W_l also carries the feedback of the energy-based net (W_l^T); B is not W and not learned.
    if (l > 0 && !net.asymmetric()) grad.dW[l].noalias() += inv_b * s[l + 1] * delta_[l].transpose();
    grad.db[l] = inv_b * delta_[l + 1].rowwise().sum();
  }
  return it;
}

LayerAlignment align(const Mat& update, const Mat& grad) {
  LayerAlignment a;
  double dot = 0, nu = 0, ng = 0, nd = 0;
  std::size_t agree = 0;
  const Eigen::Index n = update.size();
  for (Eigen::Index k = 0; k < n; ++k) {
    const double u = update.data()[k], r = -static_cast<double>(grad.data()[k]);
    dot += u * r;
    nu += u * u;
    ng += r * r;
    nd += (u - r) * (u - r);
    agree += ((u > 0) - (u < 0)) == ((r > 0) - (r < 0));
  }
  nu = std::sqrt(nu);
  ng = std::sqrt(ng);
  a.cosine = (nu > 0 && ng > 0) ? dot / (nu * ng) : 0.0;
  const double m = std::max(nu, ng);
  a.normalised_error = m > 0 ? std::sqrt(nd) / m : 0.0;
  a.sign_agreement = n ? static_cast<double>(agree) / static_cast<double>(n) : 0.0;
  return a;
}

}  // namespace obs::eqprop
