#include "kuramoto/frequencies.hpp"

#include <cmath>
#include <numbers>

namespace obs::kuramoto {

double inverse_normal_cdf(double p) {
  if (p <= 0) return -INFINITY;
  if (p >= 1) return INFINITY;
  const double q = std::min(p, 1 - p);
  const double t = std::sqrt(-2 * std::log(q));
  double x = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  if (p < 0.5) x = -x;
  for (int i = 0; i < 3; ++i) {
    // Halley's method on f(x) = Phi(x) - p, with f' = pdf, f'' = -x pdf.
    const double f = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
    const double pdf = std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi);
    const double step = f / pdf;
    x -= step / (1 + 0.5 * x * step);
  }
  return x;
}

void sample_frequencies(std::span<float> out, Distribution d, double omega0, double width, bool quantile, Rng& rng) {
  const double n = static_cast<double>(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double u = quantile ? (static_cast<double>(i) + 0.5) / n : rng.uniform();
    double w;
    if (d == Distribution::Lorentzian) {
      w = omega0 + width * std::tan(std::numbers::pi * (u - 0.5));
    } else {
      w = omega0 + width * (quantile ? inverse_normal_cdf(u) : rng.normal());
    }
    out[i] = static_cast<float>(w);
  }
}

double critical_coupling(Distribution d, double width) {
  return d == Distribution::Lorentzian ? 2 * width : std::sqrt(8 / std::numbers::pi) * width;
}

double lorentzian_r_infinity(double K, double gamma) {
  return K > 2 * gamma ? std::sqrt(1 - 2 * gamma / K) : 0.0;
}

}  // namespace obs::kuramoto
