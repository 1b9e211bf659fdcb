// The default per-step kernel: the same sweep as sweep_scalar() (resonance_sweep.cpp, Eq. 36-40
// and Eq. 13), reorganised so that GCC runs most of the arithmetic on 8 oscillators at once
// (32-byte vectors).
//
// The scalar kernel spends ~50 cycles per bond on one oscillator at a time (tuning exponential,
// wrap, bond step, two sin/cos per oscillator, branches), which is why a step at N = 1e6 moved
// only ~2.4 GB/s. Here each block of kSweepBlock oscillators is cut into passes of kPass (the
// pass's scratch stays in L1), and each pass runs six loops:
//   A  per oscillator (simd): validity, sin/cos of the phase, sanitised phase/A/omega
//   G  per oscillator and bond: the row of bonds transposed to slot-major scratch, with the
//      carrier constants of each bond looked up (the only indirect loads)
//   B  per bond slot j, per oscillator (simd, contiguous): T, g = P c, Eq. 13
//   C  per oscillator and bond, in the scalar kernel's order: the carrier partial sums, the
//      genesis apex (a scatter to carrier slots) and the bonds written back
//   D1 per oscillator (simd): the phase step, R, what escaped
//   D2 per oscillator (scalar: its data are of mixed widths): the amplitude step, the stream's
//      sums, the flags
// Reading the rows with stride d inside B instead made GCC 12 version the loop on d == 1 and run
// the scalar fallback (measured: no faster than the scalar kernel).
// Invalid oscillators and empty bond entries are masked rather than skipped. The carrier sums get
// the same contributions in the same order as in the scalar kernel; only the per-oscillator sums
// (R, unbound drive) are added in a different order, so the two kernels agree to float rounding
// (tests/engine/resonance_kernels.cpp), and each is deterministic whatever the thread count.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kuramoto/fast_sincos.hpp"
#include "resonance/resonance_math.hpp"
#include "resonance/resonance_sweep_args.hpp"
#include "resonance/resonance_system.hpp"

namespace obs {
namespace {

// What one pass of the phase step adds to its block's sums (see ResonanceSystem::blk_).
struct PassSums {
  float rc, rs, uc, us, ua, bad;
};

}  // namespace

void ResonanceSystem::sweep_vector() {
  const SweepArgs a = sweep_args();
  const std::size_t d = a.d, S = kPass;
  const std::size_t per_f = pass_floats(d), per_k = S * d;
  const AdaptiveTeam::Run team(sweep_team_, a.blocks >= 2);
  const auto threads = static_cast<std::size_t>(team.size());
  if (pass_f_.size() < threads * per_f) {  // only if the team outgrew omp_get_max_threads() at reset
    pass_f_.resize(threads * per_f);
    pass_k_.resize(threads * per_k);
  }
  float* const pass_f = pass_f_.data();
  std::int32_t* const pass_k = pass_k_.data();
  // The step's constants and arrays as locals: a store through a float pointer could otherwise
  // alias the float members of `a`, and every loop would reload them.
  const bool do_bonds = a.do_bonds, modes = a.modes, int_phase = a.int_phase, stream = a.stream;
  const float dt = a.dt, hP = a.hP, tau_p = a.tau_p, alpha_p = a.alpha_p, lambda_p = a.lambda_p, eps = a.eps;
  const float kappa = a.kappa, Om = a.Om, alphaA = a.alphaA, rho = a.rho, Pmin = a.Pmin, A_retire = a.A_retire, dither = a.dither;
  const bool cubic = a.amp_model == AmpModel::Cubic, leaky = a.amp_model == AmpModel::Leaky;
  const std::uint64_t step = a.step, seed = a.seed;
  const float *const kpsi = a.kpsi, *const kisig = a.kisig, *const kcentre = a.kcentre, *const kre = a.kre, *const kim = a.kim,
              *const kgate = a.kgate;
  float *const phase = a.phase, *const amp = a.amp;
  const float *const omega = a.omega, *const amp0 = a.amp0, *const drive = a.drive;
  const std::uint64_t* const until = a.until;
  std::uint64_t* const acc = a.acc;
  const std::uint64_t* const inc = a.inc;
  const std::uint8_t* const state = a.state;
  std::uint8_t* const flag = a.flag;
  const std::int32_t* const group = a.group;
  std::int32_t* const bk = a.bk;
  float* const bp = a.bp;

#pragma omp parallel for schedule(static) num_threads(team.size())
  for (std::size_t b = 0; b < a.blocks; ++b) {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    // Per oscillator of the pass: phase (0 when invalid), cos, sin (after D1: of the new phase), A
    // and omega (0 when invalid), valid, moving (alive and valid), g re/im, strongest bond after
    // Eq. 13, flagged (live but invalid; after D1 also escaped), stepped by D1; the flags are 0/1
    // floats so that every loop has one lane width. Per bond, at [j * S + q]: T, P before and
    // after Eq. 13 (-1 when it snapped), the carrier's psi, 1/sigma, c re/im and gate, and the
    // carrier slot (-1 for no bond, or an invalid oscillator).
    float* const o_phi = pass_f + t * per_f;
    float* const o_c = o_phi + S;
    float* const o_s = o_c + S;
    float* const o_A = o_s + S;
    float* const o_w = o_A + S;
    float* const o_ok = o_w + S;
    float* const o_gr = o_ok + S;
    float* const o_gi = o_gr + S;
    float* const o_maxP = o_gi + S;
    float* const o_mv = o_maxP + S;
    float* const o_bad = o_mv + S;
    float* const o_stp = o_bad + S;
    float* const b_T = o_phi + kPassOscFloats * S;
    float* const b_P = b_T + d * S;
    float* const b_Pn = b_P + d * S;
    float* const b_psi = b_Pn + d * S;
    float* const b_isig = b_psi + d * S;
    float* const b_re = b_isig + d * S;
    float* const b_im = b_re + d * S;
    float* const b_gate = b_im + d * S;
    std::int32_t* const b_k = pass_k + t * per_k;

    float* const acc_k = a.part + b * a.mcap * F;
    std::fill(acc_k, acc_k + a.kh * F, 0.0f);
    float rc = 0, rs = 0, uc = 0, us = 0, ua = 0, gc = 0, gs = 0, apexA = -1;
    double apexI = -1;
    std::int64_t bad = 0, retire = 0, snaps = 0, gn = 0;
    const std::size_t lo = b * kSweepBlock, hi = std::min(a.cap, lo + kSweepBlock);
    for (std::size_t p0 = lo; p0 < hi; p0 += S) {
      const std::size_t n = std::min(S, hi - p0);

      // A: oscillators.
#pragma omp simd
      for (std::size_t q = 0; q < n; ++q) {
        const std::size_t i = p0 + q;
        const std::uint8_t st = state[i];
        const float phi = phase[i], A = amp[i], w = omega[i];
        // As in the scalar kernel: a phase outside [-pi, pi] (or NaN) would turn sin/cos into NaN.
        // Combined bitwise, not short-circuit: a branch per lane would stop the vectoriser.
        const bool live = (st == kAlive) | (st == kFrozen), in_range = resonance::phase_in_range(phi);
        const bool finite = std::isfinite(A), finite_w = std::isfinite(w);
        const bool ok = live & in_range & finite & finite_w;
        const float ph = ok ? phi : 0.0f;
        float s, c;
        kuramoto::fast_sincos(ph, s, c);
        o_phi[q] = ph;
        o_c[q] = c;
        o_s[q] = s;
        o_A[q] = ok ? A : 0.0f;
        o_w[q] = ok ? w : 0.0f;
        o_ok[q] = ok ? 1.0f : 0.0f;
        o_mv[q] = (ok & (st == kAlive)) ? 1.0f : 0.0f;
        o_bad[q] = ((!ok) & live) ? 1.0f : 0.0f;
        o_gr[q] = o_gi[q] = o_maxP[q] = 0.0f;
      }

      // G: the pass's bonds, slot-major, with their carriers' constants.
      for (std::size_t q = 0; q < n; ++q) {
        const bool ok = o_ok[q] != 0.0f;
        for (std::size_t j = 0; j < d; ++j) {
          const std::size_t e = (p0 + q) * d + j, x = j * S + q;
          const std::int32_t k = bk[e];
          const bool has = ok && k >= 0;
          const std::int32_t kk = has ? k : 0;  // slot 0 exists (M_max >= 1); its values are masked
          b_k[x] = has ? k : -1;
          b_P[x] = bp[e];
          b_psi[x] = kpsi[kk];
          b_isig[x] = kisig[kk];
          b_re[x] = kre[kk];
          b_im[x] = kim[kk];
          b_gate[x] = kgate[kk];
        }
      }

      // B: T, the back-influence g and Eq. 13, slot by slot so that the oscillators are the lanes.
      // Eq. 13 is computed in every lane and kept only where it applies: no branch in the loop.
      for (std::size_t j = 0; j < d; ++j) {
        const std::size_t x0 = j * S;
#pragma omp simd reduction(+ : snaps)
        for (std::size_t q = 0; q < n; ++q) {
          const std::size_t x = x0 + q;
          const bool has = b_k[x] >= 0;
          const float P = b_P[x], kr = b_re[x], ki = b_im[x];
          const float dphi = resonance::wrap(o_phi[q] - b_psi[x]);
          const float T = resonance::fast_exp_neg(-dphi * dphi * b_isig[x]);
          const float tp = has ? T * P : 0.0f;
          o_gr[q] += tp * kr;
          o_gi[q] += tp * ki;
          b_T[x] = T;
          const float stepped = resonance::bond_step(P, b_gate[x] != 0.0f, kr * o_c[q] + ki * o_s[q], alpha_p, lambda_p, tau_p, hP);
          const bool update = has & do_bonds;
          const bool snap = update & (stepped < eps);
          snaps += snap ? 1 : 0;
          const float Pn = update ? (snap ? 0.0f : stepped) : P;
          b_Pn[x] = snap ? -1.0f : Pn;
          const float strongest = o_maxP[q];  // a value: std::max of the array element itself
          o_maxP[q] = std::max(strongest, has ? Pn : 0.0f);  // compiles to a masked gather
        }
      }

      // C: carrier partials, oscillator by oscillator and bond by bond as in the scalar kernel
      // (which adds them with P before Eq. 13), and the bonds written back.
      for (std::size_t q = 0; q < n; ++q) {
        if (o_ok[q] == 0.0f) continue;
        const float c = o_c[q], s = o_s[q], A = o_A[q], w = o_w[q];
        for (std::size_t j = 0; j < d; ++j) {
          const std::size_t x = j * S + q;
          const std::int32_t k = b_k[x];
          if (k < 0) continue;
          if (do_bonds) {
            const std::size_t e = (p0 + q) * d + j;
            const float Pn = b_Pn[x];
            bp[e] = Pn < 0.0f ? 0.0f : Pn;
            if (Pn < 0.0f) bk[e] = -1;  // snapped
          }
          add_bond_partials(acc_k + static_cast<std::size_t>(k) * F, b_T[x], b_P[x], A, c, s, w, modes && w >= kcentre[k]);
        }
        if (o_maxP[q] < Pmin && A > apexA) {  // the genesis apex: the first largest unbound A
          apexA = A;
          apexI = static_cast<double>(p0 + q);
        }
      }

      // D1: the phase step (Eq. 40) and R. The lambda takes its inputs by value and sums into its
      // own locals (through a reference capture every pointer would be reloaded after each
      // store); the phase representation and dither are template arguments, since a branch in the
      // loop stops GCC's vectoriser (as do lanes of mixed width: every flag here is a float).
      const auto phase_pass = [=](auto int64_phase, auto dithered) {
        float rc = 0, rs = 0, uc = 0, us = 0, ua = 0, bad = 0;
#pragma omp simd reduction(+ : rc, rs, uc, us, ua, bad)
        for (std::size_t q = 0; q < n; ++q) {
          const std::size_t i = p0 + q;
          const bool ok = o_ok[q] != 0.0f, moving = o_mv[q] != 0.0f, frozen = ok & !moving;
          const float c = o_c[q], s = o_s[q], A = o_A[q], w = o_w[q];
          const bool unbound = ok & (o_maxP[q] < Pmin);  // §5.6: feeds R_U and the genesis apex
          uc += unbound ? A * c : 0.0f;
          us += unbound ? A * s : 0.0f;
          ua += unbound ? A : 0.0f;
          float v = kappa * (o_gi[q] * c - o_gr[q] * s);
          if constexpr (decltype(dithered)::value) v += dither * resonance::counter_normal(seed, step, i);
          float np;
          if constexpr (decltype(int64_phase)::value) {
            const double dv = std::clamp(static_cast<double>(dt * v) * resonance::kAccumulatorPerRad, -4.0e18, 4.0e18);
            const std::uint64_t was = acc[i];
            const std::uint64_t na = was + inc[i] + static_cast<std::uint64_t>(static_cast<std::int64_t>(dv));
            acc[i] = moving ? na : was;
            np = resonance::accumulator_phase(na);
          } else {
            np = resonance::wrap(o_phi[q] + dt * (w - Om + v));
          }
          const float was_phase = phase[i];
          phase[i] = moving ? np : was_phase;
          // A runaway increment (non-finite, or beyond float resolution) quarantines the oscillator
          // now, before its phase reaches R or, next step, a carrier; so does an invalid input.
          const bool escaped = moving & !resonance::phase_in_range(np);
          const bool flagged = (o_bad[q] != 0.0f) | escaped;
          bad += flagged ? 1.0f : 0.0f;
          o_bad[q] = flagged ? 1.0f : 0.0f;
          const bool stepped = moving & !escaped;
          o_stp[q] = stepped ? 1.0f : 0.0f;
          float s2, c2;
          kuramoto::fast_sincos(stepped ? np : 0.0f, s2, c2);
          o_c[q] = c2;
          o_s[q] = s2;
          rc += frozen ? c : (stepped ? c2 : 0.0f);  // R of the phases after the step
          rs += frozen ? s : (stepped ? s2 : 0.0f);
        }
        return PassSums{rc, rs, uc, us, ua, bad};
      };
      const PassSums ps = int_phase ? (dither > 0 ? phase_pass(std::true_type{}, std::true_type{}) : phase_pass(std::true_type{}, std::false_type{}))
                                    : (dither > 0 ? phase_pass(std::false_type{}, std::true_type{}) : phase_pass(std::false_type{}, std::false_type{}));
      rc += ps.rc;
      rs += ps.rs;
      uc += ps.uc;
      us += ps.us;
      ua += ps.ua;
      bad += static_cast<std::int64_t>(ps.bad);  // at most kPass: exact in a float

      // D2: the amplitude step (Eq. 11/12), the stream's sums and what is flagged (no trigonometry
      // left: scalar, in the scalar kernel's order).
      for (std::size_t q = 0; q < n; ++q) {
        const std::size_t i = p0 + q;
        if (o_bad[q] != 0.0f) flag[i] = 1;  // quarantined after the sweep
        if (o_stp[q] == 0.0f) continue;
        const float A = o_A[q];
        if (group[i] >= 0) {  // stream oscillators only, without the background
          gc += o_c[q];
          gs += o_s[q];
          gn += 1;
        }
        const float I = step < until[i] ? drive[i] : 0.0f;
        float An = A;
        if (cubic) An = resonance::amplitude_cubic_step(A, amp0[i], I, alphaA, rho, dt);
        else if (leaky) An = resonance::amplitude_leaky_step(A, I, alphaA, dt);
        amp[i] = An;
        // A stream oscillator has rung down once its pulse is over and A is negligible.
        if (stream && group[i] >= 0 && step >= until[i] && An < A_retire) {
          flag[i] = 2;
          retire += 1;
        }
      }
    }
    const auto count = [](std::int64_t n) { return static_cast<double>(n); };
    BlockSums{rc, rs, uc, us, ua, apexA, apexI, count(bad), count(retire), count(snaps), gc, gs, count(gn)}.store(a.blk + b * kBlockScalars);
  }
}

}  // namespace obs
