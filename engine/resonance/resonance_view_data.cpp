// The snapshot the carrier phase-wheel view draws (resonance_snapshot.hpp). O(nnz(P)) per call,
// off the stepping path's hot loop.
#include <algorithm>
#include <cmath>

#include "resonance/resonance_math.hpp"
#include "resonance/resonance_system.hpp"

namespace obs {
namespace {
constexpr int kSpectrumBins = 32;
constexpr int kPresenceRows = 64;
constexpr int kDotsPerCarrier = 256;
}  // namespace

std::shared_ptr<const Snapshot> ResonanceSystem::snapshot() const {
  using namespace resonance;
  auto s = std::make_shared<ResonanceSnapshot>();
  s->step = step_;
  s->time = time_;
  s->oscillators = n_live_;
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < cap_; ++i)
    if ((state_[i] == kAlive || state_[i] == kFrozen) && std::isfinite(omega_[i])) {
      lo = std::min(lo, static_cast<double>(omega_[i]));
      hi = std::max(hi, static_cast<double>(omega_[i]));
    }
  if (!(lo <= hi)) lo = hi = 0;
  if (hi - lo < 1e-6) {
    lo -= 0.5;
    hi += 0.5;
  }
  s->spectrum_min = lo;
  s->spectrum_max = hi;
  auto bin_of = [&](double w, int bins) { return std::clamp(static_cast<int>((w - lo) / (hi - lo) * bins), 0, bins - 1); };

  std::vector<int> column(mcap_, -1);  // carrier slot -> index in s->carriers
  for (std::size_t k = 0; k < static_cast<std::size_t>(k_hi_); ++k) {
    if (!calive_[k]) continue;
    column[k] = static_cast<int>(s->carriers.size());
    CarrierView v;
    v.id = cid_[k];
    v.psi = wrap(std::atan2(cim_[k], cre_[k]) + frame_angle_);
    v.magnitude = std::hypot(cre_[k], cim_[k]);
    v.frequency = com_[k];
    v.spectral_centre = centre_[k];
    v.gate_width = W_[k];
    v.intake = intake_[k];
    v.coherence = coh_[k];
    v.baseline = base_[k];
    v.D = D_[k];
    v.energy = intake_[k] * D_[k];  // effective intake I_k D_k (Eq. 24), the metabolic criterion
    v.bonds = bonds_[k];
    v.born_step = cborn_[k];
    v.origin = corigin_[k];
    v.refractory = step_ < refractory_until_[k];
    v.spectrum.assign(kSpectrumBins, 0.0f);
    s->carriers.push_back(std::move(v));
  }
  const std::size_t M = s->carriers.size();
  s->presence_rows = kPresenceRows;
  s->presence.assign(static_cast<std::size_t>(kPresenceRows) * M, 0.0f);
  std::vector<int> row_count(kPresenceRows, 0), dots(M, 0);
  for (std::size_t i = 0; i < cap_; ++i) {
    if (state_[i] != kAlive && state_[i] != kFrozen) continue;
    if (!std::isfinite(omega_[i]) || !std::isfinite(phase_[i])) continue;
    const int row = bin_of(omega_[i], kPresenceRows);
    ++row_count[static_cast<std::size_t>(row)];
    for (std::size_t j = 0; j < d_; ++j) {
      const int k = bk_[i * d_ + j];
      if (k < 0 || column[static_cast<std::size_t>(k)] < 0) continue;
      const auto col = static_cast<std::size_t>(column[static_cast<std::size_t>(k)]);
      const float P = bp_[i * d_ + j];
      const double T = tuning_ ? tuning(phase_[i], std::atan2(cim_[k], cre_[k]), W_[k]) : 1.0;
      s->carriers[col].spectrum[static_cast<std::size_t>(bin_of(omega_[i], kSpectrumBins))] += static_cast<float>(P * amp_[i] * T);
      s->presence[static_cast<std::size_t>(row) * M + col] += P;
      if (dots[col] < kDotsPerCarrier) {
        ++dots[col];
        s->dots.push_back({static_cast<std::uint32_t>(col), static_cast<std::uint32_t>(i),
                           static_cast<float>(wrap(static_cast<double>(phase_[i]) + frame_angle_)), static_cast<float>(P * T)});
      }
    }
  }
  for (int r = 0; r < kPresenceRows; ++r)  // mean presence of the oscillators in the row
    if (row_count[static_cast<std::size_t>(r)] > 0)
      for (std::size_t c = 0; c < M; ++c) s->presence[static_cast<std::size_t>(r) * M + c] /= static_cast<float>(row_count[static_cast<std::size_t>(r)]);

  s->lifetimes = lifetimes_;
  for (auto& l : s->lifetimes)
    if (l.fate == Fate::Alive) l.end_step = step_;

  s->R = R_;
  s->L_comp = compression_length();
  s->density = per_NM(static_cast<double>(nnz_));
  s->births = births_;
  s->deaths = deaths_;
  return s;
}

}  // namespace obs
