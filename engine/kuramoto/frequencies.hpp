#pragma once
// Natural-frequency samplers for the Kuramoto model, random or deterministic
// (quantile-sampled: the i-th of N values sits at the (i - 1/2)/N quantile, which removes
// sampling noise from the finite-N comparison with mean-field theory).
#include <span>

#include "core/rng.hpp"

namespace obs::kuramoto {

enum class Distribution { Lorentzian, Gaussian };

// Inverse of the standard normal CDF, accurate to ~1e-15 (Halley refinement of the
// Abramowitz & Stegun 26.2.23 starting value).
double inverse_normal_cdf(double p);

// Fills `out` with N natural frequencies centred at omega0 with width `width`
// (half-width gamma for the Lorentzian, standard deviation sigma for the Gaussian).
void sample_frequencies(std::span<float> out, Distribution d, double omega0, double width, bool quantile, Rng& rng);

// Mean-field theory (Kuramoto 1975; Strogatz 2000, "From Kuramoto to Crawford"):
// K_c = 2 / (pi g(0)), so K_c = 2 gamma (Lorentzian) and sqrt(8/pi) sigma (Gaussian).
double critical_coupling(Distribution d, double width);
// Lorentzian only: r_inf = sqrt(1 - 2 gamma / K) above K_c, 0 below.
double lorentzian_r_infinity(double K, double gamma);

}  // namespace obs::kuramoto
