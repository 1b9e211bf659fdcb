// §10 the stream, and §7 readouts.
//
// The environment injects groups of transient oscillators: a group draws one of
// stream_classes frequency clusters (the prototypes), starts phase-clustered around a random
// onset phase (an onset is a common event), is driven by an input pulse (Eq. 11's I_i) and then
// rings down with A_i0 = 0 until it is retired. A persistent incoherent background keeps the
// field from ever being a handful of oscillators.
//
// Readouts measure and never feed back: they use their own random stream (measure_rng_) and
// only read the state, so switching them off leaves the dynamics bit-identical.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "resonance/resonance_math.hpp"
#include "resonance/resonance_system.hpp"

namespace obs {

double ResonanceSystem::prototype_centre(int cls) const {
  const double lo = stream_lo_, hi = stream_hi_;
  const auto classes = static_cast<double>(stream_classes_);
  return lo + (cls + 0.5) * (hi - lo) / classes;
}

void ResonanceSystem::stream_step() {
  if (step_ < next_injection_) return;
  inject_group();
  next_injection_ = step_ + static_cast<std::uint64_t>(std::max<long long>(1, std::llround(stream_interval_ / dt_)));
}

void ResonanceSystem::inject_group() {
  const int cls = static_cast<int>(stream_rng_.below(static_cast<std::uint64_t>(stream_classes_)));
  const double centre = prototype_centre(cls);
  const double onset = stream_rng_.uniform(-std::numbers::pi, std::numbers::pi);
  const double spread = stream_phase_spread_, fs = stream_freq_spread_;
  const auto pulse = static_cast<float>(stream_pulse_);
  const std::uint64_t until = step_ + static_cast<std::uint64_t>(std::llround(stream_pulse_time_ / dt_));
  Group& g = groups_[static_cast<std::size_t>(next_group_) % groups_.size()];
  g = Group{next_group_, cls, step_, false};
  const auto n = static_cast<std::int64_t>(stream_group_);
  for (std::int64_t j = 0; j < n; ++j) {
    const auto ph = static_cast<float>(onset + spread * (stream_rng_.uniform() - 0.5));
    const auto w = static_cast<float>(centre + fs * stream_rng_.normal());
    if (add_oscillator(ph, w, 0.0f, 0.0f, pulse, until, next_group_) < 0) ++dropped_;
  }
  ++next_group_;
  ++injected_groups_;
}

// Prototype classification of stream groups (Eq. 34): once a group is readout_delay old, its
// score for class j is sum_k |c_k| a_k sim(k, j), with a_k the group's summed soft assignment
// (Eq. 33) and sim a Gaussian in the distance between carrier k's spectral centre and
// prototype j. The prototypes are the environment's cluster centres; the engine never sees them.
void ResonanceSystem::readout_groups() {
  const auto delay = static_cast<std::uint64_t>(std::llround(readout_delay_ / dt_));
  const int classes = stream_classes_;
  const double s = 0.5 * (stream_hi_ - stream_lo_) / classes;
  for (auto& g : groups_) {
    if (g.id < 0 || g.evaluated || step_ < g.born + delay) continue;
    g.evaluated = true;
    std::array<double, 64> score{};
    for (std::size_t i = 0; i < cap_; ++i) {
      if (group_[i] != g.id || state_[i] == kFree) continue;
      double total = 0;
      for (std::size_t j = 0; j < d_; ++j) {
        const int k = bk_[i * d_ + j];
        if (k < 0) continue;
        const double T = tuning_ ? resonance::tuning(phase_[i], std::atan2(cim_[k], cre_[k]), W_[k]) : 1.0;
        total += bp_[i * d_ + j] * T;
      }
      if (!(total > 0)) continue;
      for (std::size_t j = 0; j < d_; ++j) {
        const int k = bk_[i * d_ + j];
        if (k < 0) continue;
        const double T = tuning_ ? resonance::tuning(phase_[i], std::atan2(cim_[k], cre_[k]), W_[k]) : 1.0;
        const double m = bp_[i * d_ + j] * T / total;
        const double mag = std::hypot(cre_[k], cim_[k]);
        for (int c = 0; c < classes; ++c) {
          const double dw = centre_[k] - prototype_centre(c);
          score[static_cast<std::size_t>(c)] += mag * m * std::exp(-dw * dw / (2 * s * s));
        }
      }
    }
    int best = -1;
    double best_score = 0;
    for (int c = 0; c < classes; ++c)
      if (score[static_cast<std::size_t>(c)] > best_score) {
        best_score = score[static_cast<std::size_t>(c)];
        best = c;
      }
    ++readout_n_;
    if (best == g.cls) ++readout_correct_;
  }
}

// Is the phase coupling real? Mean |phi_i - phi_j| over pairs bonded to a common carrier
// against random pairs of live oscillators (uniform phases give pi/2). Each measurement adds
// one difference; metrics() reports the t statistic of those differences across measurements.
void ResonanceSystem::measure_phase_coupling() {
  std::size_t n = 0;
  for (std::size_t e = 0; e < cap_ * d_; ++e)
    if (bk_[e] >= 0) scratch_[n++] = (static_cast<std::uint64_t>(bk_[e]) << 32) | static_cast<std::uint64_t>(e / d_);
  if (n < 2 || n_live_ < 2) return;
  std::sort(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(n));
  constexpr int kSamples = 256;
  double shared = 0, random = 0;
  int ns = 0, nr = 0;
  for (int t = 0; t < 4 * kSamples && ns < kSamples; ++t) {
    const std::size_t r = static_cast<std::size_t>(measure_rng_.below(n));
    const std::uint64_t key = scratch_[r] >> 32;
    const auto lo = std::lower_bound(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(n), key << 32);
    const auto hi = std::lower_bound(lo, scratch_.begin() + static_cast<std::ptrdiff_t>(n), (key + 1) << 32);
    const auto size = static_cast<std::size_t>(hi - lo);
    if (size < 2) continue;
    const std::size_t r2 = static_cast<std::size_t>(lo - scratch_.begin()) + static_cast<std::size_t>(measure_rng_.below(size));
    if (r2 == r) continue;
    const std::size_t i = scratch_[r] & 0xffffffffULL, j = scratch_[r2] & 0xffffffffULL;
    shared += std::abs(resonance::wrap(static_cast<double>(phase_[i]) - phase_[j]));
    ++ns;
  }
  for (int t = 0; t < 64 * kSamples && nr < kSamples; ++t) {
    const std::size_t i = static_cast<std::size_t>(measure_rng_.below(cap_)), j = static_cast<std::size_t>(measure_rng_.below(cap_));
    if (i == j || (state_[i] != kAlive && state_[i] != kFrozen) || (state_[j] != kAlive && state_[j] != kFrozen)) continue;
    random += std::abs(resonance::wrap(static_cast<double>(phase_[i]) - phase_[j]));
    ++nr;
  }
  if (ns < 16 || nr < 16) return;
  const double ms = shared / ns, mr = random / nr;
  pd_shared_sum_ += ms;
  pd_random_sum_ += mr;
  pd_diff_sum_ += mr - ms;
  pd_diff_sq_ += (mr - ms) * (mr - ms);
  ++pd_checks_;
}

}  // namespace obs
