// The per-step kernel: one sweep over oscillator rows does Eq. 36-40 and Eq. 13 together. This file
// holds the scalar form (sweep_scalar, the reference) and the carrier passes around it; the
// default, vectorised form of the same sweep is in resonance_sweep_vector.cpp.
//
// For each live oscillator i (phase phi, amplitude A) and each bond (k, P) of its row:
//   T = exp(-wrap(phi - psi_k)^2 / sigma_k)                     Eq. 9
//   g_i += T P c_k                                              Eq. 8 (back-influence)
//   partial u_k += T P A e^{i phi}     (gate applied per carrier after the sweep: Eq. 5)
//   partial coherence sums with w = P A (Eq. 14-18) and spectral sums with w = P A T (Eq. 21-23),
//   and before an architecture check the drive of the oscillators at or above the spectral centre
//   P <- Eq. 13 step, snapped below eps_snap
// then phi <- phi + dt (omega + kappa Im(g e^{-i phi})) (Eq. 40) and A by Eq. 11/12.
// Every carrier quantity is read from the state before this step (Algorithm 1 order).
#include <algorithm>
#include <cmath>
#include <numbers>

#include "kuramoto/fast_sincos.hpp"
#include "resonance/resonance_math.hpp"
#include "resonance/resonance_sweep_args.hpp"
#include "resonance/resonance_system.hpp"

namespace obs {
void ResonanceSystem::prepare_carriers() {
  int hi = 0;
  for (std::size_t k = 0; k < mcap_; ++k) {
    if (!calive_[k]) {
      k_re_[k] = k_im_[k] = k_isig_[k] = k_psi_[k] = k_centre_[k] = 0.0f;
      k_gate_[k] = 0;
      continue;
    }
    hi = static_cast<int>(k) + 1;
    const double psi = std::atan2(cim_[k], cre_[k]);
    k_psi_[k] = static_cast<float>(psi);
    k_centre_[k] = static_cast<float>(centre_[k]);
    k_re_[k] = static_cast<float>(cre_[k]);
    k_im_[k] = static_cast<float>(cim_[k]);
    k_isig_[k] = tuning_ ? static_cast<float>(1.0 / (0.25 * W_[k] * W_[k])) : 0.0f;
    // The gate reads the carrier's absolute phase; everything else is frame-invariant.
    k_gate_[k] = !gate_ || resonance::gate_open(psi + frame_angle_);
  }
  k_hi_ = hi;
}

// Eq. 42 in Algorithm 1's order (§8.4: u <- P^T z, then c, then g = P c and the phases): the drive
// of each quasi-steady carrier is summed from the oscillators as they are now, and
// c_k = u_k / (gamma + beta |u_k|^2) is set from it before the sweep that couples the phases to it.
// The drive is ungated: a quasi-steady carrier has no phase of its own to gate with. Tuning weighs
// each bond against the carrier's phase before this update (the drive defines that phase, so the
// previous one breaks the circle). Summing the drive inside the sweep instead, as the integrated
// model does, would couple each phase to the mean field of the step before: an O(dt) lag that made
// the Kuramoto reduction (Eq. 29-32) drift from the kuramoto system by |dr| = 0.027 in its
// transient.
void ResonanceSystem::update_quasi_steady_carriers() {
  const std::size_t blocks = (cap_ + kSweepBlock - 1) / kSweepBlock;
  const std::size_t d = d_, mcap = mcap_, kh = static_cast<std::size_t>(k_hi_);
  const float* kpsi = k_psi_.data();
  const float* kisig = k_isig_.data();
  const float* phase = phase_.data();
  const float* amp = amp_.data();
  const std::uint8_t* state = state_.data();
  const std::int32_t* bk = bk_.data();
  const float* bp = bp_.data();
  float* part = part_.data();
  const AdaptiveTeam::Run team(drive_team_, blocks >= 2);
#pragma omp parallel for schedule(static) num_threads(team.size())
  for (std::size_t b = 0; b < blocks; ++b) {
    float* acc_k = part + b * mcap * F;
    for (std::size_t k = 0; k < kh; ++k) acc_k[k * F] = acc_k[k * F + 1] = 0.0f;
    const std::size_t lo = b * kSweepBlock, hi = std::min(cap_, lo + kSweepBlock);
    for (std::size_t i = lo; i < hi; ++i) {
      const std::uint8_t st = state[i];
      if (st != kAlive && st != kFrozen) continue;
      const float phi = phase[i], A = amp[i];
      if (!resonance::phase_in_range(phi) || !std::isfinite(A)) continue;  // the sweep quarantines it
      float s, c;
      kuramoto::fast_sincos(phi, s, c);
      for (std::size_t j = 0; j < d; ++j) {
        const std::int32_t k = bk[i * d + j];
        if (k < 0) continue;
        const float dphi = resonance::wrap(phi - kpsi[k]);
        const float tpa = resonance::fast_exp_neg(-dphi * dphi * kisig[k]) * bp[i * d + j] * A;
        float* a = acc_k + static_cast<std::size_t>(k) * F;
        a[0] += tpa * c;
        a[1] += tpa * s;
      }
    }
  }
  for (std::size_t k = 0; k < kh; ++k) {
    if (!calive_[k]) continue;
    double ur = 0, ui = 0;
    for (std::size_t b = 0; b < blocks; ++b) {  // fixed order: same bits whatever the thread count
      ur += part[(b * mcap + k) * F];
      ui += part[(b * mcap + k) * F + 1];
    }
    const std::complex<double> u(ur, ui);
    const double den = gamma_ + beta_ * std::norm(u);
    const std::complex<double> c = den > 0 ? u / den : u;
    cre_[k] = c.real();
    cim_[k] = c.imag();
  }
  prepare_carriers();  // the sweep reads the carriers' float copies
}

ResonanceSystem::SweepArgs ResonanceSystem::sweep_args() {
  SweepArgs a{};
  a.d = d_;
  a.mcap = mcap_;
  a.kh = static_cast<std::size_t>(k_hi_);
  a.blocks = (cap_ + kSweepBlock - 1) / kSweepBlock;
  a.cap = cap_;
  a.do_bonds = bonds_on_ && step_ % static_cast<std::uint64_t>(r_P_) == 0;
  a.modes = mode_instability_ && (step_ + 1) % static_cast<std::uint64_t>(r_arch_) == 0;
  a.dt = static_cast<float>(dt_);
  a.hP = static_cast<float>(dt_ * r_P_);
  a.tau_p = static_cast<float>(tau_p_);
  a.alpha_p = static_cast<float>(alpha_p_);
  a.lambda_p = static_cast<float>(lambda_p_);
  a.eps = static_cast<float>(eps_snap_);
  a.kappa = static_cast<float>(kappa_);
  a.Om = static_cast<float>(Omega_);
  a.alphaA = static_cast<float>(alpha_A_);
  a.rho = static_cast<float>(rho_);
  a.Pmin = static_cast<float>(P_min_);
  a.A_retire = static_cast<float>(A_retire_);
  a.dither = static_cast<float>(dither_);
  a.amp_model = amp_model_;
  a.int_phase = int_phase_;
  a.stream = stream_;
  a.step = step_;
  a.seed = seed_;
  a.kpsi = k_psi_.data();
  a.kisig = k_isig_.data();
  a.kcentre = k_centre_.data();
  a.kre = k_re_.data();
  a.kim = k_im_.data();
  a.kgate = k_gate_.data();
  a.phase = phase_.data();
  a.amp = amp_.data();
  a.omega = omega_.data();
  a.amp0 = amp0_.data();
  a.drive = drive_.data();
  a.until = drive_until_.data();
  a.acc = acc_.data();
  a.inc = inc_.data();
  a.state = state_.data();
  a.flag = flag_.data();
  a.group = group_.data();
  a.bk = bk_.data();
  a.bp = bp_.data();
  a.part = part_.data();
  a.blk = blk_.data();
  return a;
}

void ResonanceSystem::sweep() {
  if (kernel_ == Kernel::Vector) sweep_vector();
  else sweep_scalar();
}

void ResonanceSystem::sweep_scalar() {
  const SweepArgs a = sweep_args();
  const std::size_t blocks = a.blocks, d = a.d, mcap = a.mcap, kh = a.kh;
  const bool do_bonds = a.do_bonds, modes = a.modes;
  const float dt = a.dt, hP = a.hP, tau_p = a.tau_p, alpha_p = a.alpha_p, lambda_p = a.lambda_p;
  const float eps = a.eps, kappa = a.kappa, Om = a.Om, alphaA = a.alphaA, rho = a.rho, Pmin = a.Pmin;
  const float A_retire = a.A_retire, dither = a.dither;
  const AmpModel amp_model = a.amp_model;
  const bool int_phase = a.int_phase, stream = a.stream;
  const std::uint64_t step = a.step, seed = a.seed;
  const float *kpsi = a.kpsi, *kisig = a.kisig, *kcentre = a.kcentre, *kre = a.kre, *kim = a.kim, *kgate = a.kgate;
  float *phase = a.phase, *amp = a.amp;
  const float *omega = a.omega, *amp0 = a.amp0, *drive = a.drive;
  const std::uint64_t* until = a.until;
  std::uint64_t* acc = a.acc;
  const std::uint64_t* inc = a.inc;
  const std::uint8_t* state = a.state;
  std::uint8_t* flag = a.flag;
  const std::int32_t* group = a.group;
  std::int32_t* bk = a.bk;
  float* bp = a.bp;
  float* part = a.part;
  double* blk = a.blk;

  const AdaptiveTeam::Run team(sweep_team_, blocks >= 2);
#pragma omp parallel for schedule(static) num_threads(team.size())
  for (std::size_t b = 0; b < blocks; ++b) {
    float* acc_k = part + b * mcap * F;
    std::fill(acc_k, acc_k + kh * F, 0.0f);
    float rc = 0, rs = 0, uc = 0, us = 0, ua = 0, apexA = -1;
    double apexI = -1, bad = 0, retire = 0, snaps = 0, gn = 0;
    float gc = 0, gs = 0;
    const std::size_t lo = b * kSweepBlock, hi = std::min(cap_, lo + kSweepBlock);
    for (std::size_t i = lo; i < hi; ++i) {
      const std::uint8_t st = state[i];
      if (st != kAlive && st != kFrozen) continue;
      const float phi = phase[i], A = amp[i], w = omega[i];
      // A finite phase outside [-pi, pi] is caught too: the float sin/cos below turns it into
      // NaN, which would reach R and every bonded carrier (and a frozen oscillator keeps it).
      if (!resonance::phase_in_range(phi) || !std::isfinite(A) || !std::isfinite(w)) {
        flag[i] = 1;  // quarantined after the sweep; it contributed nothing
        bad += 1;
        continue;
      }
      float s, c;
      kuramoto::fast_sincos(phi, s, c);
      float gr = 0, gi = 0, maxP = 0;
      for (std::size_t j = 0; j < d; ++j) {
        const std::int32_t k = bk[i * d + j];
        if (k < 0) continue;
        float P = bp[i * d + j];
        const float dphi = resonance::wrap(phi - kpsi[k]);
        const float T = resonance::fast_exp_neg(-dphi * dphi * kisig[k]);
        const float tp = T * P;
        gr += tp * kre[k];
        gi += tp * kim[k];
        add_bond_partials(acc_k + static_cast<std::size_t>(k) * F, T, P, A, c, s, w, modes && w >= kcentre[k]);
        if (do_bonds) {
          P = resonance::bond_step(P, kgate[k] != 0, kre[k] * c + kim[k] * s, alpha_p, lambda_p, tau_p, hP);
          if (P < eps) {
            bk[i * d + j] = -1;
            P = 0.0f;
            snaps += 1;
          }
          bp[i * d + j] = P;
        }
        maxP = std::max(maxP, P);
      }
      if (maxP < Pmin) {  // unbound (§5.6): feeds R_U and the genesis apex
        uc += A * c;
        us += A * s;
        ua += A;
        if (A > apexA) {
          apexA = A;
          apexI = static_cast<double>(i);
        }
      }
      if (st == kFrozen) {
        rc += c;
        rs += s;
        continue;
      }
      float v = kappa * (gi * c - gr * s);
      if (dither > 0) v += dither * resonance::counter_normal(seed, step, i);
      if (int_phase) {
        // The free-running part is the exact integer increment; only coupling and dither
        // go through floating point.
        const double dv = std::clamp(static_cast<double>(dt * v) * resonance::kAccumulatorPerRad, -4.0e18, 4.0e18);
        acc[i] += inc[i] + static_cast<std::uint64_t>(static_cast<std::int64_t>(dv));
        phase[i] = resonance::accumulator_phase(acc[i]);
      } else {
        phase[i] = resonance::wrap(phi + dt * (w - Om + v));
      }
      if (!resonance::phase_in_range(phase[i])) {
        // The increment was non-finite or beyond float resolution (a runaway coupling): the
        // oscillator is quarantined now, before its phase reaches R or, next step, a carrier.
        flag[i] = 1;
        bad += 1;
        continue;
      }
      // R of the phases after the step (as the kuramoto system reports it).
      kuramoto::fast_sincos(phase[i], s, c);
      rc += c;
      rs += s;
      if (group[i] >= 0) {  // stream oscillators only, without the background
        gc += c;
        gs += s;
        gn += 1;
      }
      const float I = step < until[i] ? drive[i] : 0.0f;
      float An = A;
      if (amp_model == AmpModel::Cubic) An = resonance::amplitude_cubic_step(A, amp0[i], I, alphaA, rho, dt);
      else if (amp_model == AmpModel::Leaky) An = resonance::amplitude_leaky_step(A, I, alphaA, dt);
      amp[i] = An;
      // A stream oscillator has rung down once its pulse is over and A is negligible.
      if (stream && group[i] >= 0 && step >= until[i] && An < A_retire) {
        flag[i] = 2;
        retire += 1;
      }
    }
    BlockSums{rc, rs, uc, us, ua, apexA, apexI, bad, retire, snaps, gc, gs, gn}.store(blk + b * kBlockScalars);
  }
}

void ResonanceSystem::handle_flagged() {
  const std::size_t blocks = (cap_ + kSweepBlock - 1) / kSweepBlock;
  double bad = 0, retire = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    bad += blk_[b * kBlockScalars + 7];
    retire += blk_[b * kBlockScalars + 8];
  }
  if (bad == 0 && retire == 0) return;
  std::size_t caught = 0;
  for (std::size_t i = 0; i < cap_; ++i) {
    if (flag_[i] == 1) {
      remove_oscillator(i, kQuarantined);
      ++caught;
    } else if (flag_[i] == 2) {
      remove_oscillator(i, kFree);
      ++retired_;
    }
    flag_[i] = 0;
  }
  if (caught) {
    quarantined_osc_ += caught;
    emit(Event::Level::Warning, "non-finite phase, amplitude or frequency (NaN/Inf), or a phase beyond float resolution, in " + std::to_string(caught) +
                                    " oscillator(s): quarantined (bonds cut) before reaching any carrier");
  }
}

void ResonanceSystem::reduce_and_update_carriers() {
  const std::size_t blocks = (cap_ + kSweepBlock - 1) / kSweepBlock;
  const std::size_t kh = static_cast<std::size_t>(k_hi_);
  double rc = 0, rs = 0, uc = 0, us = 0, ua = 0, apexA = -1, snaps = 0, gc = 0, gs = 0, gn = 0;
  std::int64_t apex = -1;
  std::fill(sums_.begin(), sums_.begin() + static_cast<std::ptrdiff_t>(kh * F), 0.0);
  for (std::size_t b = 0; b < blocks; ++b) {  // fixed order: same bits whatever the thread count
    const double* o = &blk_[b * kBlockScalars];
    rc += o[0];
    rs += o[1];
    uc += o[2];
    us += o[3];
    ua += o[4];
    if (o[5] > apexA) {
      apexA = o[5];
      apex = static_cast<std::int64_t>(o[6]);
    }
    snaps += o[9];
    gc += o[10];
    gs += o[11];
    gn += o[12];
    const float* p = &part_[b * mcap_ * F];
    for (std::size_t q = 0; q < kh * F; ++q) sums_[q] += p[q];
  }
  snaps_ += static_cast<std::uint64_t>(snaps);
  const double n = static_cast<double>(n_live_);
  R_ = n > 0 ? std::hypot(rc, rs) / n : 0.0;
  R_stream_ = gn > 0 ? std::hypot(gc, gs) / gn : 0.0;
  RU_ = ua > 0 ? std::hypot(uc, us) / ua : 0.0;
  AU_ = ua;
  apex_ = apex;

  const bool carrier_step = step_ % static_cast<std::uint64_t>(r_c_) == 0;
  const double h = dt_ * r_c_;
  for (std::size_t k = 0; k < kh; ++k) {
    if (!calive_[k]) continue;
    const double* S = &sums_[k * F];
    bonds_[k] = static_cast<int>(S[9]);
    coh_[k] = S[4] > 0 ? std::hypot(S[2], S[3]) / S[4] : 0.0;
    base_[k] = resonance::random_phase_baseline(S[4], S[5]);
    D_[k] = resonance::division_score(S[2], S[3], S[4], S[5]);
    wsum_[k] = S[6];
    if (S[6] > 0) {
      centre_[k] = S[7] / S[6];
      var_[k] = std::max(0.0, S[8] / S[6] - centre_[k] * centre_[k]);
    } else {
      centre_[k] = com_[k];
      var_[k] = 0;
    }
    const double G = k_gate_[k] ? 1.0 : 0.0;
    const std::complex<double> u(G * S[0], G * S[1]);
    intake_[k] += dt_ / intake_tau_ * (std::abs(u) - intake_[k]);
    if (carrier_step) {
      std::complex<double> c(cre_[k], cim_[k]);
      // A quasi-steady carrier was set from the oscillators before the sweep
      // (update_quasi_steady_carriers); only an integrated one evolves here.
      if (carrier_model_ == CarrierModel::Integrated) {
        const std::complex<double> rot = std::exp(std::complex<double>(-gamma_ * h, (com_[k] - Omega_) * h));
        const double phi1 = gamma_ > 0 ? -std::expm1(-gamma_ * h) / gamma_ : h;
        // Eq. 5 split: its linear part exactly (Eq. 41), then its cubic saturation exactly
        // (resonance::saturation_factor): stable for any fan-in, unlike the explicit cubic.
        c = rot * c + phi1 * u;
        c *= resonance::saturation_factor(std::norm(c), beta_, h);
      }
      cre_[k] = c.real();
      cim_[k] = c.imag();
    }
    if (bonds_[k] > 0) W_[k] = resonance::gate_width_step(W_[k], D_[k], dt_, eta_n_, eta_w_, W_min_, W_max_);
  }
}

}  // namespace obs
