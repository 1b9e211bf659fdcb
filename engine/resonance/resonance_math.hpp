#pragma once
// The pointwise formulas of the resonant-compression model (../shared/design/resonant-compression.md),
// one place for the kernel and the tests: the gate (Eq. 4), tuning (Eq. 9), the random-phase
// baseline (Eq. 16-18), the division score (Eq. 19), gate-width flow (Eq. 10), amplitude steps
// (Eq. 11/12), the elastic bond step (Eq. 13) and the 64-bit phase accumulator (Eq. 45).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "kuramoto/fast_sincos.hpp"

namespace obs::resonance {

inline constexpr double kTwoPi = 2 * std::numbers::pi;
inline constexpr double kSqrtPiOver4 = 0.88622692545275801365;  // sqrt(pi/4), Eq. 16

// exp(x) for x <= 0 in float, branch-free so it vectorises: 2^(x log2 e) split into an integer
// power (built in the exponent bits) and 2^f, f in [-1/2, 1/2], by a degree-6 Taylor polynomial
// (relative error < 2e-7, below float resolution). Tuning only needs exp of -d^2/sigma.
inline float fast_exp_neg(float x) {
  // Below e^-50 (2e-22) the result is 0: a tuning weight that small, multiplied by a bond and an
  // amplitude, would land in the subnormal range, where every multiply-add costs ~100 cycles
  // (measured: a resonance step at N = 1e6 slowed from 55 to 350 ms as gates narrowed).
  const float tiny = x < -50.0f ? 0.0f : 1.0f;
  x = std::max(x, -87.0f);
  const float t = x * 1.44269504088896341f;
  const float n = __builtin_rintf(t);
  const float f = (t - n) * 0.693147180559945309f;  // f in [-ln2/2, ln2/2]
  const float p = 1.0f + f * (1.0f + f * (0.5f + f * (1.6666667e-1f + f * (4.1666668e-2f + f * (8.3333338e-3f + f * 1.3888889e-3f)))));
  const auto bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(n) + 127) << 23;
  return tiny * (p * std::bit_cast<float>(bits));
}

// Shortest signed angle, in [-pi, pi].
inline float wrap(float p) { return kuramoto::wrap_phase(p); }  // one float path for both systems
inline double wrap(double p) { return p - kTwoPi * std::nearbyint(p / kTwoPi); }
// The same reduction, exact for every finite p: wrap() subtracts a rounded multiple of 2 pi, whose
// rounding error grows with |p| (at 1e20 rad the result is thousands of radians off and no longer a
// phase), while the IEEE remainder is computed without rounding. For phases from outside the
// kernel (a noise kick), where |p| is not bounded by one step's increment.
inline double reduce_phase(double p) { return std::remainder(p, kTwoPi); }
// A wrapped phase lies in [-pi, pi]; anything else (NaN included) has lost its meaning, and the
// float sin/cos of the kernel turns it into NaN. Compared with a margin for float rounding.
inline bool phase_in_range(float p) { return std::fabs(p) <= 3.5f; }
// A Gaussian kick this wide, wrapped onto the circle, is uniform: its first Fourier mode has
// weight exp(-sigma^2 / 2) < 1e-34. A wider kick is drawn as a uniform phase instead, which
// never needs the huge intermediate values (1e300 * N(0, 1) may overflow).
inline constexpr double kUniformKick = 2 * kTwoPi;

// Eq. 4: the half-cycle gate G(psi) = [cos psi >= 0].
inline bool gate_open(double psi) { return std::cos(psi) >= 0; }

// Eq. 9 with sigma_k = (W_k / 2)^2: T = exp(-dphi^2 / sigma_k), dphi wrapped to [-pi, pi].
inline double tuning(double phi, double psi, double W) {
  const double d = wrap(phi - psi);
  return std::exp(-d * d / (0.25 * W * W));
}

// Eq. 17/18: expected coherence of independent uniform phases with weights w (sum_w, sum_w2).
inline double random_phase_baseline(double sum_w, double sum_w2) {
  return sum_w > 0 ? kSqrtPiOver4 * std::sqrt(sum_w2) / sum_w : 0.0;
}

// Eq. 15 and 19: coh = |u| / sum w, D = coh / b. D = 0 for a carrier with no weight.
inline double division_score(double u_re, double u_im, double sum_w, double sum_w2) {
  if (!(sum_w > 0)) return 0.0;
  const double coh = std::hypot(u_re, u_im) / sum_w;
  const double b = random_phase_baseline(sum_w, sum_w2);
  return b > 0 ? coh / b : 0.0;
}

// Eq. 10, one explicit Euler step of length h, clamped to [W_min, W_max].
inline double gate_width_step(double W, double D, double h, double eta_narrow, double eta_widen, double W_min, double W_max) {
  const double dW = D > 1 ? -eta_narrow * (D - 1) * W : eta_widen * (1 - D) * W;
  return std::clamp(W + h * dW, W_min, W_max);
}

// Eq. 11: dA/dt = -alpha (A - A0) + I - rho A^3, explicit Euler, A kept >= 0.
inline float amplitude_cubic_step(float A, float A0, float I, float alpha, float rho, float h) {
  return std::max(0.0f, A + h * (-alpha * (A - A0) + I - rho * A * A * A));
}
// Eq. 12: leaky integration with rectification.
inline float amplitude_leaky_step(float A, float I, float alpha, float h) {
  return std::max(0.0f, (1 - alpha * h) * A + h * I);
}

// Eq. 13, one explicit step of length h: tau_p dP/dt = alpha G P max(0, Re(c e^{-i phi})) - lambda P,
// kept in [0, 1]. `re` is Re(c_k e^{-i phi_i}) = c_re cos phi + c_im sin phi.
inline float bond_step(float P, bool gate, float re, float alpha, float lambda, float tau_p, float h) {
  const float capture = gate ? alpha * P * std::max(0.0f, re) : 0.0f;
  return std::clamp(P + h / tau_p * (capture - lambda * P), 0.0f, 1.0f);
}

// The saturation part of Eq. 5, dc/dt = -beta |c|^2 c, solved exactly over h: the phase is kept and
// |c|^2 obeys d|c|^2/dt = -2 beta |c|^4, so |c(h)|^2 = |c|^2 / (1 + 2 beta h |c|^2). The explicit term
// of Eq. 41 (c - h beta |c|^2 c) is unstable once h beta |c|^2 > 2: the drive u_k is a sum over every
// bonded oscillator (Eq. 5 is not normalised by the fan-in), so a carrier holding ~10^4 in-phase
// oscillators is kicked past that limit and the cubic then grows without bound (the 10^5 scene turned
// NaN in 13 steps). The exact flow is monotone, never changes sign and bounds |c|^2 < 1 / (2 beta h)
// whatever the drive; it agrees with the explicit term to O(h^2) per step.
inline double saturation_factor(double norm_c, double beta, double h) {
  return 1.0 / std::sqrt(1.0 + 2.0 * beta * h * norm_c);
}

// Eq. 45 with Q = 64: phi = 2 pi Phi / 2^64. Unsigned arithmetic wraps mod 2^64 by definition,
// so one step is exact and n steps of a constant increment equal the closed form below.
inline constexpr double kAccumulatorPerRad = 18446744073709551616.0 / kTwoPi;  // 2^64 / 2 pi
inline std::uint64_t accumulator_increment(double radians) {
  // Reduce first so the conversion cannot overflow: an increment is only defined mod 2 pi.
  const double r = wrap(radians);
  return static_cast<std::uint64_t>(std::llround(r * kAccumulatorPerRad * 0.5)) * 2u;
}
inline std::uint64_t accumulator_after(std::uint64_t start, std::uint64_t increment, std::uint64_t n) {
  return start + increment * n;  // mod 2^64
}
inline float accumulator_phase(std::uint64_t acc) {
  // Signed view: [-2^63, 2^63) maps to [-pi, pi).
  return static_cast<float>(static_cast<double>(static_cast<std::int64_t>(acc)) / kAccumulatorPerRad);
}

// Counter-based noise for dither (Eq. 46): the same value for (seed, step, i) whatever the
// thread layout. Irwin-Hall sum of four uniforms, rescaled to unit variance.
inline float counter_normal(std::uint64_t seed, std::uint64_t step, std::uint64_t i) {
  std::uint64_t z = seed ^ (step * 0x9e3779b97f4a7c15ULL) ^ (i * 0xd1b54a32d192ed03ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  const float a = static_cast<float>(z & 0xffff), b = static_cast<float>((z >> 16) & 0xffff);
  const float c = static_cast<float>((z >> 32) & 0xffff), d = static_cast<float>(z >> 48);
  return ((a + b + c + d) * (1.0f / 65536.0f) - 2.0f) * 1.7320508f;
}

}  // namespace obs::resonance
