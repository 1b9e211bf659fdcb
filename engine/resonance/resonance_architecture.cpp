// Architecture evolution (§5): spectral mitosis on persistent instability, coherence-weighted
// metabolism, phase-clustered genesis, and seeding of unbound oscillators onto carriers.
// Runs every r_arch steps; its cost is O(nnz(P)) at most, and only when something happens.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "resonance/resonance_math.hpp"
#include "resonance/resonance_system.hpp"

namespace obs {
namespace {
constexpr std::size_t kLifetimes = 4096;
}

int ResonanceSystem::free_carrier_slot() const {
  for (std::size_t k = 0; k < mcap_; ++k)
    if (!calive_[k]) return static_cast<int>(k);
  return -1;
}

int ResonanceSystem::new_carrier(Origin origin, std::complex<double> c, double omega, double W, std::uint32_t parent) {
  const int slot = free_carrier_slot();
  if (slot < 0) return -1;
  const auto k = static_cast<std::size_t>(slot);
  calive_[k] = 1;
  cre_[k] = c.real();
  cim_[k] = c.imag();
  com_[k] = omega;
  W_[k] = std::clamp(W, W_min_, W_max_);
  intake_[k] = coh_[k] = base_[k] = D_[k] = var_[k] = wsum_[k] = div_Dsum_[k] = 0;
  centre_[k] = omega;
  bonds_[k] = 0;
  div_count_[k] = starve_count_[k] = 0;
  cid_[k] = next_id_++;  // ids are never reused
  cborn_[k] = step_;
  corigin_[k] = origin;
  refractory_until_[k] = origin == Origin::Initial ? 0 : step_ + static_cast<std::uint64_t>(std::llround(refractory_ / dt_));
  split_refractory_until_[k] = 0;  // a mitosis sets it for both sides
  ++m_live_;
  k_hi_ = std::max(k_hi_, slot + 1);
  if (origin != Origin::Initial) ++births_;
  if (lifetimes_.size() == kLifetimes) {  // forget the oldest finished life; erase does not allocate
    auto it = std::find_if(lifetimes_.begin(), lifetimes_.end(), [](const Lifetime& l) { return l.fate != Fate::Alive; });
    if (it != lifetimes_.end()) lifetimes_.erase(it);
  }
  if (lifetimes_.size() < kLifetimes)
    lifetimes_.push_back({.id = cid_[k], .parent = parent, .born_step = step_, .end_step = step_, .origin = origin, .fate = Fate::Alive});
  return slot;
}

void ResonanceSystem::remove_bonds_of_carrier(std::size_t k) {
  const auto kk = static_cast<std::int32_t>(k);
  for (std::size_t e = 0; e < cap_ * d_; ++e)
    if (bk_[e] == kk) {
      bk_[e] = -1;
      bp_[e] = 0.0f;
    }
  bonds_[k] = 0;
}

void ResonanceSystem::dissolve(std::size_t k, Fate fate) {
  remove_bonds_of_carrier(k);
  calive_[k] = 0;
  cre_[k] = cim_[k] = 0;
  --m_live_;
  ++deaths_;
  if (fate == Fate::Dissolved) ++dissolutions_;
  for (auto& l : lifetimes_)
    if (l.id == cid_[k] && l.fate == Fate::Alive) {
      l.fate = fate;
      l.end_step = step_;
    }
}

void ResonanceSystem::remove_oscillator(std::size_t i, std::uint8_t new_state) {
  for (std::size_t j = 0; j < d_; ++j) {
    bk_[i * d_ + j] = -1;
    bp_[i * d_ + j] = 0.0f;
  }
  state_[i] = new_state;
  group_[i] = -1;
  amp_[i] = 0.0f;
  --n_live_;
  // Quarantined slots are never reused: the fault stays where it can be inspected.
  if (new_state == kFree) free_slots_.push_back(static_cast<std::uint32_t>(i));  // capacity reserved at reset
}

// A carrier's drive split by frequency at its spectral centre (Eq. 22) into a low and a high mode,
// u_lo and u_hi, with the spectral weights w = P A T of Eq. 21. Their alignment
// |u_lo + u_hi| / (|u_lo| + |u_hi|) is 1 when the modes add up and falls towards 0 as they cancel.
// Why Eq. 19 alone misses two clusters on the stream: each cluster is coherent, so the carrier's
// coherence stays far above the random baseline (D_k >> 1) except within about 0.2 rad of
// antiphase, and clusters 0.5 rad/s apart beat with a 12.6 s period while a carrier holds both
// for 1-3 s (measured: D_k < 0.95 at 2.9 % of those checks, window means 5.7-11). The alignment
// measures the cancellation between the modes themselves. For a unimodal carrier both halves
// share one phase and it stays near 1.
// Read on an architecture step only: the sweep before it summed the whole drive (S[0], S[1]) and
// its high mode (S[10], S[11]).
double ResonanceSystem::mode_alignment(std::size_t k) const {
  if (!mode_instability_) return 1.0;
  const double* S = &sums_[k * F];
  const double lo = std::hypot(S[0] - S[10], S[1] - S[11]), hi = std::hypot(S[10], S[11]);
  return lo > 0 && hi > 0 ? std::hypot(S[0], S[1]) / (lo + hi) : 1.0;
}

void ResonanceSystem::architecture() {
  const double h = dt_ * r_arch_;
  const std::size_t kh = static_cast<std::size_t>(k_hi_);
  for (std::size_t k = 0; k < kh; ++k) {
    if (!calive_[k]) continue;
    // Eq. 20: a counter of consecutive checks with D_k < theta_div, or with the modes cancelling
    // (mode_alignment); the mean of that instability over the window is what a mitosis records.
    const double instability = std::min(D_[k], mode_alignment(k));
    if (bonds_[k] > 0 && instability < theta_div_) {
      ++div_count_[k];
      div_Dsum_[k] += instability;
    } else {
      div_count_[k] = 0;
      div_Dsum_[k] = 0;
    }
    // Eq. 24: effective intake I_k D_k.
    if (intake_[k] * D_[k] < I_min_) ++starve_count_[k];
    else starve_count_[k] = 0;
  }
  for (std::size_t k = 0; k < kh; ++k) {
    if (!calive_[k]) continue;
    const bool refractory = step_ < refractory_until_[k];
    if (dissolve_on_ && !refractory && starve_count_[k] * h >= T_diss_) {
      dissolve(k, Fate::Dissolved);
      continue;
    }
    // Mitosis waits out a refractory time after a mitosis only (§10.5, over-mitosis): a carrier
    // nucleated by genesis over two arriving groups may split at once, and on the stream that
    // is when a carrier holds two clusters (for 1-3 s; the refractory time is 3 s).
    if (mitosis_on_ && step_ >= split_refractory_until_[k] && div_count_[k] > 0 && div_count_[k] * h >= T_div_ &&
        std::sqrt(var_[k]) >= mm_min_std_)
      try_mitosis(k);
  }
  capture_unbound();
  genesis();
}

// §5.3 spectral factorisation: split the bonded oscillators at the weighted median frequency;
// the high side's bonds move to a new carrier (partitioned, not copied); both recentre.
bool ResonanceSystem::try_mitosis(std::size_t k) {
  const auto kk = static_cast<std::int32_t>(k);
  const double psi = std::atan2(cim_[k], cre_[k]);
  std::size_t n = 0;
  for (std::size_t e = 0; e < cap_ * d_; ++e)
    if (bk_[e] == kk) wscratch_[n++] = {omega_[e / d_], static_cast<std::uint32_t>(e)};
  if (n < 4) return false;
  std::sort(wscratch_.begin(), wscratch_.begin() + static_cast<std::ptrdiff_t>(n));
  auto weight = [&](std::uint32_t e) {  // Eq. 21: w = P A T
    const std::size_t i = e / d_;
    const double T = tuning_ ? resonance::tuning(phase_[i], psi, W_[k]) : 1.0;
    return static_cast<double>(bp_[e]) * amp_[i] * T;
  };
  double total = 0;
  for (std::size_t q = 0; q < n; ++q) total += weight(wscratch_[q].second);
  if (!(total > 0)) return false;
  // Split where the spectrum has its widest gap within the central 80 % of the weight: for two
  // clusters of equal weight that is the weighted median of §5.3, and a unimodal profile shows
  // no gap wider than its own spread (below), where a median split of it always would.
  std::size_t m = 0;
  double best_gap = -1, run = weight(wscratch_[0].second);
  for (std::size_t q = 1; q < n; ++q) {
    if (run >= 0.1 * total && run <= 0.9 * total && wscratch_[q].first - wscratch_[q - 1].first > best_gap) {
      best_gap = wscratch_[q].first - wscratch_[q - 1].first;
      m = q;
    }
    run += weight(wscratch_[q].second);
  }
  if (m == 0) return false;
  auto moments = [&](std::size_t a, std::size_t b, double& mean, double& var) {
    double w = 0, s = 0, s2 = 0;
    for (std::size_t q = a; q < b; ++q) {
      const double x = wscratch_[q].first, wq = weight(wscratch_[q].second);
      w += wq;
      s += wq * x;
      s2 += wq * x * x;
    }
    mean = w > 0 ? s / w : 0;
    var = w > 0 ? std::max(0.0, s2 / w - mean * mean) : 0;
    return w;
  };
  double mL, vL, mH, vH;
  const double wL = moments(0, m, mL, vL), wH = moments(m, n, mH, vH);
  if (!(wL > 0) || !(wH > 0)) return false;
  // Multimodal: the halves are separated by more than their spreads (Ashman's D >= 2) and the
  // gap between them is empty over at least their pooled standard deviation.
  const double ashman = std::sqrt(2.0) * std::abs(mH - mL) / std::sqrt(std::max(vL + vH, 1e-30));
  if (ashman < 2 || best_gap < std::sqrt(0.5 * (vL + vH))) return false;
  const std::complex<double> c(cre_[k], cim_[k]);
  const auto child_c = c * std::polar(1.0, phase_noise_ * rng_.normal());
  const int child = new_carrier(Origin::Mitosis, child_c, mH, W_[k], cid_[k]);
  if (child < 0) return false;
  for (std::size_t q = m; q < n; ++q) bk_[wscratch_[q].second] = child;
  const auto parent_c = c * std::polar(1.0, phase_noise_ * rng_.normal());
  cre_[k] = parent_c.real();
  cim_[k] = parent_c.imag();
  com_[k] = mL;
  bonds_[k] = static_cast<int>(m);
  bonds_[static_cast<std::size_t>(child)] = static_cast<int>(n - m);
  mitosis_D_sum_ += div_Dsum_[k] / div_count_[k];
  ++mitoses_;
  const double meanD = div_Dsum_[k] / div_count_[k];
  div_count_[k] = 0;
  div_Dsum_[k] = 0;
  refractory_until_[k] = step_ + static_cast<std::uint64_t>(std::llround(refractory_ / dt_));
  split_refractory_until_[k] = split_refractory_until_[static_cast<std::size_t>(child)] = refractory_until_[k];
  emit(Event::Level::Info, "mitosis of carrier " + std::to_string(cid_[k]) + " (mean instability min(D, mode alignment) " +
                               std::to_string(meanD) + " over the window): " + std::to_string(m) + " bonds stay at omega " + std::to_string(mL) + ", " +
                               std::to_string(n - m) + " move to carrier " + std::to_string(cid_[static_cast<std::size_t>(child)]) +
                               " at omega " + std::to_string(mH));
  return true;
}

// An active oscillator no carrier holds (every presence below P_min) with a free bond slot:
// that slot; otherwise -1. Capture and genesis bond only such oscillators.
int ResonanceSystem::unbound_slot(std::size_t i) const {
  if (state_[i] != kAlive || !(amp_[i] > A_active_)) return -1;
  float maxP = 0;
  int free_j = -1;
  for (std::size_t j = 0; j < d_; ++j) {
    if (bk_[i * d_ + j] < 0) free_j = free_j < 0 ? static_cast<int>(j) : free_j;
    else maxP = std::max(maxP, bp_[i * d_ + j]);
  }
  return maxP >= P_min_ ? -1 : free_j;
}

// Seeding: an active, unbound oscillator gets one weak bond to the carrier whose gate is open,
// whose gate window holds its phase and whose frequency is within capture_band of its own.
// Seeding is selective, so P stays sparse (the authors seeded every arrival onto every carrier).
void ResonanceSystem::capture_unbound() {
  if (m_live_ == 0) return;
  const std::size_t kh = static_cast<std::size_t>(k_hi_);
  for (std::size_t i = 0; i < cap_; ++i) {
    const int free_j = unbound_slot(i);
    if (free_j < 0) continue;
    int best = -1;
    double best_dw = capture_band_;
    for (std::size_t k = 0; k < kh; ++k) {
      if (!calive_[k]) continue;
      if (col_cap_ > 0 && bonds_[k] >= col_cap_) continue;
      const double psi = std::atan2(cim_[k], cre_[k]);
      if (gate_ && !resonance::gate_open(psi + frame_angle_)) continue;
      if (std::abs(resonance::wrap(static_cast<double>(phase_[i]) - psi)) > 0.5 * W_[k]) continue;
      const double dw = std::abs(omega_[i] - com_[k]);
      bool already = false;
      for (std::size_t j = 0; j < d_; ++j) already |= bk_[i * d_ + j] == static_cast<std::int32_t>(k);
      if (dw < best_dw && !already) {
        best_dw = dw;
        best = static_cast<int>(k);
      }
    }
    if (best < 0) continue;
    bk_[i * d_ + static_cast<std::size_t>(free_j)] = best;
    bp_[i * d_ + static_cast<std::size_t>(free_j)] = static_cast<float>(P_seed_);
    ++bonds_[static_cast<std::size_t>(best)];
    ++seeds_;
  }
}

// §5.6: nucleate when unbound energy is high (sum A > A_pressure) and phase-clustered
// (R_U > R_genesis, Eq. 25-26). Apex-aligned: the carrier starts at the phase and frequency of
// the strongest unbound oscillator and bonds the unbound active oscillators inside its gate.
void ResonanceSystem::genesis() {
  if (!genesis_on_ || apex_ < 0 || !(AU_ > A_pressure_) || !(RU_ > R_genesis_)) return;
  const auto a = static_cast<std::size_t>(apex_);
  if (state_[a] != kAlive) return;
  const double psi = phase_[a];
  const int k = new_carrier(Origin::Genesis, std::polar(1.0, psi), omega_[a], W0_);
  if (k < 0) return;
  ++geneses_;
  const auto P0 = static_cast<float>(P_init_);
  int bonded = 0;
  for (std::size_t i = 0; i < cap_; ++i) {
    const int free_j = unbound_slot(i);
    if (free_j < 0) continue;
    if (std::abs(resonance::wrap(static_cast<double>(phase_[i]) - psi)) > 0.5 * W0_) continue;
    bk_[i * d_ + static_cast<std::size_t>(free_j)] = k;
    bp_[i * d_ + static_cast<std::size_t>(free_j)] = P0;
    ++bonded;
  }
  bonds_[static_cast<std::size_t>(k)] = bonded;
  emit(Event::Level::Info, "genesis of carrier " + std::to_string(cid_[static_cast<std::size_t>(k)]) + " (R_U " +
                               std::to_string(RU_) + ", unbound amplitude " + std::to_string(AU_) + "): " +
                               std::to_string(bonded) + " bonds");
}

}  // namespace obs
