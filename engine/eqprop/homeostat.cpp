#include "eqprop/homeostat.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace obs::eqprop {
namespace {
// A layer of (almost) all zeros still has a finite velocity: its size counts as at least this.
constexpr double kNormFloor = 1e-6;
}  // namespace

void Homeostat::reset(std::size_t layers) {
  gain_.assign(layers, 1.0);
  velocity_.assign(layers, std::numeric_limits<double>::quiet_NaN());
  slope_.assign(layers > 0 ? layers - 1 : 0, std::numeric_limits<double>::quiet_NaN());
}

void Homeostat::regulate(const Net& net, const Grad& step, const Grad& velocity, float momentum, const std::vector<float>& lr,
                         double target, std::vector<float>& out) {
  const std::size_t layers = net.W.size();
  if (gain_.size() != layers) reset(layers);
  out.resize(layers);
  for (std::size_t l = 0; l < layers; ++l) {
    // |d_l|^2 without forming d_l = momentum v + u (an Eigen reduction over the expression).
    double d2 = 0;
    if (momentum > 0) {
      d2 = static_cast<double>((momentum * velocity.dW[l] + step.dW[l]).squaredNorm()) +
           static_cast<double>((momentum * velocity.db[l] + step.db[l]).squaredNorm());
    } else {
      d2 = static_cast<double>(step.dW[l].squaredNorm()) + static_cast<double>(step.db[l].squaredNorm());
    }
    const double size = std::max(kNormFloor, std::sqrt(static_cast<double>(net.W[l].squaredNorm()) +
                                                        static_cast<double>(net.b[l].squaredNorm())));
    double g = gain_[l];
    const double r = static_cast<double>(lr[l]) * g * std::sqrt(d2) / size;
    if (r > kBand * target) g *= kBand * target / r;
    else if (r < target / kBand) g *= kBoost;
    g = std::clamp(g, kGainMin, kGainMax);
    velocity_[l] = gain_[l] > 0 ? r * g / gain_[l] : 0.0;
    gain_[l] = g;
    out[l] = static_cast<float>(static_cast<double>(lr[l]) * g);
  }
}

void Homeostat::scale_synapses(Net& net, const std::vector<Mat>& states, double min_slope) {
  const int L = net.free_layers();
  if (static_cast<int>(slope_.size()) != L - 1) slope_.assign(static_cast<std::size_t>(std::max(L - 1, 0)), 0.0);
  for (int l = 1; l < L; ++l) {
    const Mat& s = states[static_cast<std::size_t>(l)];
    double sum = 0;
    for (Eigen::Index j = 0; j < s.cols(); ++j)
      for (Eigen::Index i = 0; i < s.rows(); ++i) sum += rho_prime_of_state(net.act, s(i, j));
    const double slope = s.size() > 0 ? sum / static_cast<double>(s.size()) : 0.0;
    slope_[static_cast<std::size_t>(l - 1)] = slope;
    if (slope < min_slope) {
      net.W[static_cast<std::size_t>(l - 1)] *= static_cast<float>(kShrink);
      net.b[static_cast<std::size_t>(l - 1)] *= static_cast<float>(kShrink);
    }
  }
}

}  // namespace obs::eqprop
