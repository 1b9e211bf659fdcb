#include "core/state_archive.hpp"
#include "resonance/resonance_system.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include <omp.h>

#include "core/input_error.hpp"
#include "core/pick_distinct.hpp"
#include "core/state_hash.hpp"
#include "kuramoto/frequencies.hpp"
#include "resonance/resonance_math.hpp"

namespace obs {
namespace {

constexpr std::int64_t kMaxOscillators = 50'000'000;
constexpr std::size_t kLifetimes = 4096;
constexpr std::size_t kGroups = 256;
constexpr double kPi = std::numbers::pi;

}  // namespace

ResonanceSystem::ResonanceSystem() {
  // Population
  param(cap_, "N", 2000, 1, kMaxOscillators).restart().log_scale().help("oscillator capacity (all alive except in the stream)").group("Population");
  param(init_, "init", Init::Random, {"random", "single_carrier", "two_groups", "stream"}).restart()
      .help("random: M0 carriers, random bonds; single_carrier: one carrier bonded equally to all (the Kuramoto reduction, Eq. 29-32); two_groups: one carrier over two frequency groups in antiphase; stream: the §10 environment").group("Population");
  param(distribution_, "distribution", std::string("gaussian"), {"gaussian", "lorentzian", "uniform"}).restart().help("natural frequencies g(omega) (random and single_carrier)").group("Population");
  param(omega0_, "omega0", 1.0, -100, 100).restart().unit("rad/s").help("centre of g(omega)").group("Population");
  param(omega_width_, "omega_width", 0.5, 0, 100).restart().unit("rad/s").help("sigma (gaussian), gamma (lorentzian) or half-width (uniform)").group("Population");
  param(sampling_, "sampling", Sampling::Quantile, {"quantile", "random"}).restart().help("quantile: omega_i at the (i-1/2)/N quantile, as the kuramoto system").group("Population");
  param(init_spread_, "init_spread", 2 * kPi, 0, 2 * kPi).restart().unit("rad").help("initial phases uniform in [-spread/2, spread/2]").group("Population");
  param(M0_, "M0", 4, 0, 4096).restart().help("initial carriers (random init)").group("Population");
  param(mcap_, "M_max", 64, 1, 4096).restart().help("carrier capacity").group("Population");
  param(d_, "d_max", 4, 1, 64).restart().help("bonds per oscillator (row width of P)").group("Population");
  param(bonds_init_, "bonds_init", 2, 1, 64).restart().help("random init: bonds per oscillator (its nearest carrier in frequency, then random others)").group("Population");
  param(P_init_, "P_init", 0.5, 0, 1).restart().help("initial bond strength").group("Population");
  param(group_gap_, "group_gap", 0.5, 0, 100).restart().unit("rad/s").help("two_groups: frequency separation of the groups").group("Population");
  param(group_phase_, "group_phase", kPi, 0, 2 * kPi).restart().unit("rad").help("two_groups: phase separation of the groups (they sit at -/+ half of it around the carrier)").group("Population");
  param(group_spread_, "group_spread", 0.02, 0, 10).restart().unit("rad/s").help("two_groups: frequency spread within a group").group("Population");
  // Carriers (Eq. 5, 8, 10)
  param(gamma_, "gamma", 1.0, 0, 1e6).unit("1/s").help("carrier damping gamma_k").group("Carriers");
  param(beta_, "beta", 0.01, 0, 1e6).unit("1/s").help("carrier saturation beta_k").group("Carriers");
  param(kappa_, "kappa", 1.0, 0, 1e6).help("coupling scale of Eq. 40 (1 = Eq. 8 as written)").group("Carriers");
  param(carrier_model_, "carrier_model", CarrierModel::Integrated, {"integrated", "quasi_steady"}).help("integrated: Eq. 5 (linear part by Eq. 41, saturation by its exact flow); quasi_steady: Eq. 42 with the ungated drive").group("Carriers");
  param(gate_, "gate", true).help("half-cycle gate G(psi) of Eq. 4 on the drive and bond capture").group("Carriers");
  param(tuning_, "tuning", true).help("Gaussian tuning T_ik of Eq. 9 (off: T = 1)").group("Carriers");
  param(W0_, "W0", kPi, 0.01, 2 * kPi).unit("rad").help("gate width of a new carrier").group("Carriers");
  param(W_min_, "W_min", 0.5, 0.01, 2 * kPi).unit("rad").help("lower bound of W_k (Eq. 10)").group("Carriers");
  param(W_max_, "W_max", 2 * kPi, 0.01, 2 * kPi).unit("rad").help("upper bound of W_k (Eq. 10)").group("Carriers");
  param(eta_n_, "eta_narrow", 0.02, 0, 100).unit("1/s").help("narrowing rate for D_k > 1 (Eq. 10)").group("Carriers");
  param(eta_w_, "eta_widen", 0.2, 0, 100).unit("1/s").help("widening rate for D_k < 1 (Eq. 10)").group("Carriers");
  param(intake_tau_, "intake_tau", 1.0, 1e-3, 1e4).unit("s").help("time constant of the intake EMA I_k (Eq. 24)").group("Carriers");
  param(c_active_, "c_active", 1e-3, 0, 1e6).help("|c_k| above which a carrier counts in M_active (Eq. 49)").group("Carriers");
  // Amplitudes (Eq. 11/12)
  param(amp_model_, "amplitude", AmpModel::Cubic, {"fixed", "cubic", "leaky"}).help("fixed: A = 1; cubic: Eq. 11; leaky: Eq. 12").group("Amplitude");
  param(alpha_A_, "alpha_A", 0.5, 0, 1e3).unit("1/s").help("relaxation rate alpha of A_i toward A_i0").group("Amplitude");
  param(rho_, "rho", 0.01, 0, 1e3).help("cubic limiter rho (Eq. 11)").group("Amplitude");
  // Bonds (Eq. 13)
  param(bonds_on_, "bond_dynamics", true).help("evolve P by Eq. 13 (off: P frozen)").group("Bonds");
  param(tau_p_, "tau_p", 1.0, 1e-3, 1e6).unit("s").help("bond timescale tau_p").group("Bonds");
  param(alpha_p_, "alpha_P", 1.0, 0, 1e3).help("in-gate capture gain alpha").group("Bonds");
  param(lambda_p_, "lambda_P", 0.5, 0, 1e3).help("elastic decay lambda").group("Bonds");
  param(eps_snap_, "eps_snap", 0.01, 0, 1).help("snap threshold: P below it is set to 0 (bond removed)").group("Bonds");
  param(P_seed_, "P_seed", 0.1, 0, 1).help("strength of a bond seeded onto an unbound oscillator").group("Bonds");
  param(capture_band_, "capture_band", 0.15, 0, 100).unit("rad/s").help("an unbound oscillator is seeded onto carrier k only if |omega_i - omega_k| is below this").group("Bonds");
  param(col_cap_, "col_cap", 0, 0, 50'000'000).help("most bonds per carrier (0 = no cap; §8.3.4)").group("Bonds");
  // Architecture (§5)
  param(r_arch_, "r_arch", 10, 1, 100000).help("steps between architecture checks").group("Architecture");
  param(mitosis_on_, "mitosis", true).help("spectral mitosis (§5.3)").group("Architecture");
  param(dissolve_on_, "dissolution", true).help("coherence-weighted metabolism (§5.5)").group("Architecture");
  param(genesis_on_, "genesis", true).help("phase-clustered genesis (§5.6)").group("Architecture");
  param(theta_div_, "theta_div", 0.95, 0, 1).help("instability threshold: D_k < theta_div (Eq. 20)").group("Architecture");
  param(T_div_, "T_div", 0.5, 0, 1e4).unit("s").help("D_k < theta_div must persist this long").group("Architecture");
  param(mode_instability_, "mode_instability", true)
      .help("also unstable when the carrier's two spectral modes cancel: |u_lo + u_hi| / (|u_lo| + |u_hi|) < theta_div, split at the spectral centre")
      .group("Architecture");
  param(mm_min_std_, "multimodal_std", 0.05, 0, 100).unit("rad/s").help("multimodal: sqrt(Var_k) at least this, and the median split bimodal (Ashman D >= 2)").group("Architecture");
  param(refractory_, "refractory", 3.0, 0, 1e4).unit("s").help("no dissolution this long after a birth; no mitosis this long after a mitosis (parent and child)").group("Architecture");
  param(phase_noise_, "phase_noise", 0.1, 0, 10).unit("rad").help("phase kick given to offspring at mitosis").group("Architecture");
  param(I_min_, "I_min", 0.05, 0, 1e6).help("dissolve when I_k D_k (Eq. 24) stays below this").group("Architecture");
  param(T_diss_, "T_diss", 3.0, 0, 1e4).unit("s").help("persistence window of dissolution").group("Architecture");
  param(P_min_, "P_min", 0.05, 0, 1).help("unbound: strongest bond below this (§5.6)").group("Architecture");
  param(A_active_, "A_active", 0.3, 0, 1e3).help("an oscillator takes part in genesis and capture only with A_i above this").group("Architecture");
  param(A_pressure_, "A_pressure", 5.0, 0, 1e9).help("genesis: sum of unbound amplitude above this (Eq. 26)").group("Architecture");
  param(R_genesis_, "R_genesis", 0.5, 0, 1).help("genesis: R_U above this (Eq. 25-26)").group("Architecture");
  // Numerics (§8.3, §9.3)
  param(dt_, "dt", 0.01, 1e-5, 1).unit("s").log_scale().help("time step").group("Numerics");
  param(phase_rep_, "phase", PhaseRep::Float, {"float", "int64"}).restart().help("int64: Q = 64 integer phase accumulators (Eq. 45)").group("Numerics");
  param(dither_, "dither", 0.0, 0, 100).unit("rad/s").help("frequency dither sigma (Eq. 46)").group("Numerics");
  param(frame_, "rotating_frame", false).restart().help("simulate in a frame rotating at Omega (§8.3.1)").group("Numerics");
  param(frame_omega_, "Omega", 0.0, -1e4, 1e4).restart().unit("rad/s").help("frame frequency").group("Numerics");
  param(r_c_, "r_c", 1, 1, 1000).help("carrier update every r_c steps (§8.3.2)").group("Numerics");
  param(kernel_, "kernel", Kernel::Vector, {"vector", "scalar"})
      .help("vector: the sweep in short passes that the compiler vectorises (the default); scalar: one oscillator at a time, the reference it is tested against")
      .group("Numerics");
  param(r_P_, "r_P", 1, 1, 1000).help("bond update every r_P steps (§8.3.2)").group("Numerics");
  // Stream (§10)
  param(stream_classes_, "stream_classes", 4, 1, 64).restart().help("frequency clusters (prototypes) of the stream").group("Stream");
  param(stream_lo_, "stream_lo", 0.5, -100, 100).restart().unit("rad/s").help("lowest cluster band edge").group("Stream");
  param(stream_hi_, "stream_hi", 2.5, -100, 100).restart().unit("rad/s").help("highest cluster band edge").group("Stream");
  param(stream_group_, "stream_group", 40, 1, 100000).restart().help("oscillators per injected group").group("Stream");
  param(stream_interval_, "stream_interval", 2.0, 0.01, 1e4).restart().unit("s").help("time between injections").group("Stream");
  param(stream_freq_spread_, "stream_freq_spread", 0.05, 0, 10).restart().unit("rad/s").help("frequency spread within a group").group("Stream");
  param(stream_phase_spread_, "stream_phase_spread", 1.0, 0, 2 * kPi).restart().unit("rad").help("onset phase spread within a group").group("Stream");
  param(stream_pulse_, "stream_pulse", 1.0, 0, 1e3).restart().help("input drive I_i during the onset pulse").group("Stream");
  param(stream_pulse_time_, "stream_pulse_time", 1.0, 0, 1e3).restart().unit("s").help("onset pulse duration; then the group rings down").group("Stream");
  param(background_, "background", 300, 0, 10'000'000).restart().help("persistent incoherent background oscillators").group("Stream");
  param(background_amp_, "background_amp", 0.4, 0, 100).restart().help("their baseline amplitude A_i0").group("Stream");
  param(A_retire_, "A_retire", 0.02, 0, 100).restart().help("a rung-down stream oscillator is retired below this amplitude").group("Stream");
  param(readout_delay_, "readout_delay", 3.0, 0, 1e4).restart().unit("s").help("a group is classified this long after its onset").group("Stream");
  param(measure_every_, "measure_every", 100, 0, 1'000'000).help("steps between phase-coupling measurements (0 = off)").group("Stream");
  // Perturbations
  param(perturb_target_, "perturb_target", PerturbTarget::Oscillators, {"oscillators", "carriers"}).help("what Noise/Ablate/NaN/Inf hit").group("Perturbations");

  metrics_.before_read([this] { read_means_ = carrier_means(); });  // one pass over the carriers per read
  metrics_.add("R", "", [this] { return R_; });
  metrics_.add("max_R", "", [this] { return max_R_; });
  metrics_.add("L_comp", "", [this] { return static_cast<double>(nnz_) + read_means_.active; });
  metrics_.add("L_comp_per_NM", "", [this] { return per_NM(static_cast<double>(nnz_) + read_means_.active); });
  metrics_.add("N", "", [this] { return static_cast<double>(n_live_); });
  metrics_.add("M", "", [this] { return static_cast<double>(m_live_); });
  metrics_.add("M_active", "", [this] { return read_means_.active; });
  metrics_.add("nnz", "", [this] { return static_cast<double>(nnz_); });
  metrics_.add("density", "", [this] { return per_NM(static_cast<double>(nnz_)); });
  metrics_.add("mean_D", "", [this] { return read_means_.D; });
  metrics_.add("mean_coherence", "", [this] { return read_means_.coherence; });
  metrics_.add("mean_gate_width", "rad", [this] { return read_means_.gate_width; });
  metrics_.add("births", "", [this] { return static_cast<double>(births_); });
  metrics_.add("deaths", "", [this] { return static_cast<double>(deaths_); });
  metrics_.add("mitoses", "", [this] { return static_cast<double>(mitoses_); });
  metrics_.add("geneses", "", [this] { return static_cast<double>(geneses_); });
  metrics_.add("dissolutions", "", [this] { return static_cast<double>(dissolutions_); });
  metrics_.add("mitosis_mean_D", "", [this] { return mitoses_ ? mitosis_D_sum_ / static_cast<double>(mitoses_) : NAN; }, MetricTable::Unmeasured::Nan);
  metrics_.add("snaps", "", [this] { return static_cast<double>(snaps_); });
  metrics_.add("seeds", "", [this] { return static_cast<double>(seeds_); });
  metrics_.add("R_unbound", "", [this] { return RU_; });
  metrics_.add("phase_dist_shared", "rad", [this] { return pd_checks_ ? pd_shared_sum_ / static_cast<double>(pd_checks_) : NAN; }, MetricTable::Unmeasured::Nan);
  metrics_.add("phase_dist_random", "rad", [this] { return pd_checks_ ? pd_random_sum_ / static_cast<double>(pd_checks_) : NAN; }, MetricTable::Unmeasured::Nan);
  metrics_.add("phase_coupling_z", "", [this] { return phase_coupling_z(); }, MetricTable::Unmeasured::Nan);
  metrics_.add("readout_accuracy", "", [this] { return readout_n_ ? static_cast<double>(readout_correct_) / static_cast<double>(readout_n_) : NAN; }, MetricTable::Unmeasured::Nan);
  metrics_.add("readouts", "", [this] { return static_cast<double>(readout_n_); });
  metrics_.add("quarantined_oscillators", "", [this] { return static_cast<double>(quarantined_osc_); });
  metrics_.add("quarantined_carriers", "", [this] { return static_cast<double>(quarantined_car_); });
  metrics_.add("time", "s", [this] { return time_; });
  metrics_.add("R_stream", "", [this] { return R_stream_; });
  metrics_.add("max_R_stream", "", [this] { return max_R_stream_; });
  metrics_.add("retired", "", [this] { return static_cast<double>(retired_); });
  metrics_.add("groups", "", [this] { return static_cast<double>(injected_groups_); });
}

std::uint64_t ResonanceSystem::bytes_needed() const {
  const auto n = static_cast<std::uint64_t>(params_.integer("N"));
  const auto d = static_cast<std::uint64_t>(params_.integer("d_max"));
  const auto m = static_cast<std::uint64_t>(params_.integer("M_max"));
  const std::uint64_t blocks = (n + kSweepBlock - 1) / kSweepBlock;
  // Per oscillator: 5 floats, 3 u64, 2 u8, group, free slot; per entry: slot + P + scratch
  // gather (u64 + pair); partials per block; the snapshot's copy of dots is capped; the vector
  // kernel's scratch per thread.
  const auto threads = static_cast<std::uint64_t>(std::max(1, omp_get_max_threads()));
  return n * (5 * 4 + 3 * 8 + 2 + 4 + 4) + n * d * (4 + 4 + 8 + 8) + blocks * m * F * 4 + m * 256 +
         threads * (pass_floats(d) + kPass * d) * 4;
}

void ResonanceSystem::params_changed() {
  // The frame and the representation are restart parameters; increments follow dt.
  if (int_phase_)
    for (std::size_t i = 0; i < cap_; ++i)
      if (state_[i] != kFree) inc_[i] = increment_for(omega_[i]);
}

std::uint64_t ResonanceSystem::increment_for(float omega) const {
  return resonance::accumulator_increment((static_cast<double>(omega) - Omega_) * dt_);
}

void ResonanceSystem::check_params() const {
  const auto& p = params_;
  if (p.real("W_min") > p.real("W_max")) throw InputError("/params/W_min", "expected W_min <= W_max");
  if (p.choice("init") == "stream" && p.real("stream_lo") >= p.real("stream_hi"))
    throw InputError("/params/stream_lo", "expected stream_lo < stream_hi");
  if (p.choice("init") == "random" && p.integer("M0") > p.integer("M_max"))
    throw InputError("/params/M0", "expected M0 <= M_max");
  if (p.integer("bonds_init") > p.integer("d_max")) throw InputError("/params/bonds_init", "expected bonds_init <= d_max");
}

void ResonanceSystem::restart() {
  rng_.reseed(seed_);
  stream_rng_.reseed(seed_ ^ 0x53545245414dULL);
  measure_rng_.reseed(seed_ ^ 0x4d45415355524bULL);
  int_phase_ = phase_rep_ == PhaseRep::Int64;
  Omega_ = frame_ ? frame_omega_ : 0.0;
  stream_ = init_ == Init::Stream;

  phase_.assign(cap_, 0.0f);
  omega_.assign(cap_, 0.0f);
  amp_.assign(cap_, 0.0f);
  amp0_.assign(cap_, 0.0f);
  drive_.assign(cap_, 0.0f);
  acc_.assign(int_phase_ ? cap_ : 0, 0);
  inc_.assign(int_phase_ ? cap_ : 0, 0);
  drive_until_.assign(cap_, 0);
  state_.assign(cap_, kFree);
  flag_.assign(cap_, 0);
  group_.assign(cap_, -1);
  bk_.assign(cap_ * d_, -1);
  bp_.assign(cap_ * d_, 0.0f);
  free_slots_.clear();
  free_slots_.reserve(cap_);
  for (std::size_t i = cap_; i-- > 0;) free_slots_.push_back(static_cast<std::uint32_t>(i));
  n_live_ = 0;

  for (auto* v : {&cre_, &cim_, &com_, &W_, &intake_, &coh_, &base_, &D_, &centre_, &var_, &wsum_, &div_Dsum_}) v->assign(mcap_, 0.0);
  bonds_.assign(mcap_, 0);
  cid_.assign(mcap_, 0);
  calive_.assign(mcap_, 0);
  cborn_.assign(mcap_, 0);
  refractory_until_.assign(mcap_, 0);
  split_refractory_until_.assign(mcap_, 0);
  corigin_.assign(mcap_, Origin::Initial);
  div_count_.assign(mcap_, 0);
  starve_count_.assign(mcap_, 0);
  life_index_.assign(mcap_, -1);
  k_psi_.assign(mcap_, 0.0f);
  k_centre_.assign(mcap_, 0.0f);
  k_isig_.assign(mcap_, 0.0f);
  k_re_.assign(mcap_, 0.0f);
  k_im_.assign(mcap_, 0.0f);
  k_gate_.assign(mcap_, 0.0f);
  k_hi_ = 0;
  m_live_ = 0;
  next_id_ = 1;
  const std::size_t blocks = (cap_ + kSweepBlock - 1) / kSweepBlock;
  part_.assign(blocks * mcap_ * F, 0.0f);
  blk_.assign(blocks * kBlockScalars, 0.0);
  const auto threads = static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
  pass_f_.assign(threads * pass_floats(d_), 0.0f);
  pass_k_.assign(threads * kPass * d_, -1);
  sums_.assign(mcap_ * F, 0.0);

  time_ = frame_angle_ = R_ = max_R_ = RU_ = AU_ = R_stream_ = max_R_stream_ = 0;
  apex_ = -1;
  nnz_ = births_ = deaths_ = mitoses_ = geneses_ = dissolutions_ = 0;
  snaps_ = seeds_ = quarantined_osc_ = quarantined_car_ = retired_ = injected_groups_ = 0;
  mitosis_D_sum_ = 0;
  genesis_ready_ = 0;
  lifetimes_.clear();
  lifetimes_.reserve(kLifetimes);
  scratch_.assign(cap_ * d_, 0);
  wscratch_.assign(cap_ * d_, {0.0f, 0});
  groups_.assign(kGroups, Group{});
  next_group_ = 0;
  next_injection_ = 0;
  readout_n_ = readout_correct_ = dropped_ = 0;
  pd_shared_sum_ = pd_random_sum_ = pd_diff_sum_ = pd_diff_sq_ = 0;
  pd_checks_ = 0;

  params_changed();
  init_population();
  std::complex<double> z = 0;
  for (std::size_t i = 0; i < cap_; ++i)
    if (state_[i] == kAlive) z += std::polar(1.0, static_cast<double>(phase_[i]));
  R_ = n_live_ ? std::abs(z) / static_cast<double>(n_live_) : 0.0;
  update_global_metrics();
}

int ResonanceSystem::add_oscillator(float phase, float omega, float A, float A0, float drive, std::uint64_t drive_until, int group) {
  if (free_slots_.empty()) return -1;
  const std::uint32_t i = free_slots_.back();
  free_slots_.pop_back();
  omega_[i] = omega;
  amp_[i] = A;
  amp0_[i] = A0;
  drive_[i] = drive;
  drive_until_[i] = drive_until;
  group_[i] = group;
  state_[i] = kAlive;
  flag_[i] = 0;
  for (std::size_t j = 0; j < d_; ++j) {
    bk_[i * d_ + j] = -1;
    bp_[i * d_ + j] = 0.0f;
  }
  if (int_phase_) inc_[i] = increment_for(omega);
  set_phase(i, static_cast<double>(phase) - frame_angle_);
  ++n_live_;
  return static_cast<int>(i);
}

void ResonanceSystem::set_phase(std::size_t i, double phi) {
  const double r = resonance::reduce_phase(phi);
  if (int_phase_) acc_[i] = resonance::accumulator_increment(r);
  phase_[i] = int_phase_ ? resonance::accumulator_phase(acc_[i]) : resonance::wrap(static_cast<float>(r));
}

float ResonanceSystem::phase_of(std::size_t i) const { return phase_[i]; }

void ResonanceSystem::init_population() {
  const double W0 = W0_;
  if (init_ == Init::Stream) {
    const double lo = stream_lo_, hi = stream_hi_;
    const std::size_t bg = std::min(background_, cap_);
    const auto amp = static_cast<float>(background_amp_);
    for (std::size_t j = 0; j < bg; ++j) {
      const auto w = static_cast<float>(stream_rng_.uniform(lo, hi));
      const auto ph = static_cast<float>(stream_rng_.uniform(-kPi, kPi));
      add_oscillator(ph, w, amp, amp, 0.0f, 0, -1);
    }
    return;
  }
  std::vector<float> w(cap_);
  const double w0 = omega0_, width = omega_width_;
  const std::string& dist = distribution_;
  const bool quantile = sampling_ == Sampling::Quantile;
  if (init_ == Init::TwoGroups) {
    const double gap = group_gap_, spread = group_spread_;
    for (std::size_t i = 0; i < cap_; ++i) {
      const bool hi = i >= cap_ / 2;
      w[i] = static_cast<float>(w0 + (hi ? 0.5 : -0.5) * gap + spread * rng_.normal());
    }
  } else if (dist == "uniform") {
    for (std::size_t i = 0; i < cap_; ++i) {
      const double u = quantile ? (static_cast<double>(i) + 0.5) / static_cast<double>(cap_) : rng_.uniform();
      w[i] = static_cast<float>(w0 + width * (2 * u - 1));
    }
  } else {
    kuramoto::sample_frequencies(w, dist == "gaussian" ? kuramoto::Distribution::Gaussian : kuramoto::Distribution::Lorentzian,
                                 w0, width, quantile, rng_);
  }
  // Phases are drawn after the frequencies and in the same way as the kuramoto system, so the
  // same seed gives the same initial state in the reduction test.
  const double spread = init_spread_;
  const double offset = group_phase_;
  const auto P0 = static_cast<float>(P_init_);
  for (std::size_t i = 0; i < cap_; ++i) {
    double ph = spread * (rng_.uniform() - 0.5);
    // Groups sit symmetrically about the carrier's phase 0, group_phase apart.
    if (init_ == Init::TwoGroups) ph += (i >= cap_ / 2 ? 0.5 : -0.5) * offset;
    add_oscillator(static_cast<float>(ph), w[i], 1.0f, 1.0f, 0.0f, 0, -1);
  }
  // add_oscillator takes slots from the back of the free list, which was filled high to low:
  // oscillator i sits in slot i.
  if (init_ == Init::SingleCarrier || init_ == Init::TwoGroups) {
    const int k = new_carrier(Origin::Initial, std::polar(1.0, 0.0), w0, W0);
    for (std::size_t i = 0; i < cap_; ++i) {
      bk_[i * d_] = k;
      bp_[i * d_] = P0;
    }
  } else {
    const std::size_t M0 = M0_;
    for (std::size_t k = 0; k < M0; ++k) {
      const double wk = w0 + width * (M0 > 1 ? (2.0 * static_cast<double>(k) / static_cast<double>(M0 - 1) - 1) : 0.0);
      new_carrier(Origin::Initial, std::polar(1.0, rng_.uniform(-kPi, kPi)), wk, W0);
    }
    if (M0 > 0)
      for (std::size_t i = 0; i < cap_; ++i) {
        // Bond to the carrier nearest in frequency, then to distinct random others.
        std::size_t best = 0;
        for (std::size_t k = 1; k < M0; ++k)
          if (std::abs(com_[k] - w[i]) < std::abs(com_[best] - w[i])) best = k;
        bk_[i * d_] = static_cast<std::int32_t>(best);
        bp_[i * d_] = P0;
        const auto extra = std::min(bonds_init_, M0);
        for (std::size_t j = 1; j < extra;) {
          const auto k = static_cast<std::int32_t>(rng_.below(M0));
          bool dup = false;
          for (std::size_t q = 0; q < j; ++q) dup |= bk_[i * d_ + q] == k;
          if (!dup) {
            bk_[i * d_ + j] = k;
            bp_[i * d_ + j] = P0;
            ++j;
          }
        }
      }
  }
}

void ResonanceSystem::step() {
  check_carriers_finite();
  if (stream_) stream_step();
  prepare_carriers();
  if (carrier_model_ == CarrierModel::QuasiSteady && step_ % static_cast<std::uint64_t>(r_c_) == 0) update_quasi_steady_carriers();
  sweep();
  handle_flagged();
  reduce_and_update_carriers();
  time_ += dt_;
  frame_angle_ = resonance::wrap(frame_angle_ + Omega_ * dt_);
  ++step_;
  if (step_ % static_cast<std::uint64_t>(r_arch_) == 0) architecture();
  if (stream_) readout_groups();
  if (measure_every_ > 0 && step_ % static_cast<std::uint64_t>(measure_every_) == 0) measure_phase_coupling();
  update_global_metrics();
}

void ResonanceSystem::check_carriers_finite() {
  for (std::size_t k = 0; k < static_cast<std::size_t>(k_hi_); ++k) {
    if (!calive_[k]) continue;
    if (std::isfinite(cre_[k]) && std::isfinite(cim_[k]) && std::isfinite(com_[k]) && std::isfinite(W_[k])) continue;
    ++quarantined_car_;
    emit(Event::Level::Error, "carrier " + std::to_string(cid_[k]) +
                                  " has a non-finite state (NaN/Inf): quarantined (dissolved, its bonds cut) before it reached any oscillator");
    dissolve(k, Fate::Dissolved);
  }
}

void ResonanceSystem::update_global_metrics() {
  std::uint64_t nnz = 0;
  for (std::size_t k = 0; k < static_cast<std::size_t>(k_hi_); ++k)
    if (calive_[k]) nnz += static_cast<std::uint64_t>(bonds_[k]);
  nnz_ = nnz;
  if (step_ > 0) max_R_ = std::max(max_R_, R_);
  // Stream R counts once several groups overlap (5 injection intervals): a lone group is
  // one onset, not a synchrony collapse.
  if (stream_ && time_ >= 5 * stream_interval_) max_R_stream_ = std::max(max_R_stream_, R_stream_);
}

ResonanceSystem::CarrierMeans ResonanceSystem::carrier_means() const {
  CarrierMeans m;
  for (std::size_t k = 0; k < static_cast<std::size_t>(k_hi_); ++k) {
    if (!calive_[k]) continue;
    m.D += D_[k];
    m.coherence += coh_[k];
    m.gate_width += W_[k];
    if (std::hypot(cre_[k], cim_[k]) > c_active_) m.active += 1;
  }
  if (m_live_ > 0) {
    const double M = static_cast<double>(m_live_);
    m.D /= M;
    m.coherence /= M;
    m.gate_width /= M;
  }
  return m;
}

double ResonanceSystem::compression_length() const { return static_cast<double>(nnz_) + carrier_means().active; }

double ResonanceSystem::per_NM(double x) const {
  const double NM = static_cast<double>(n_live_) * static_cast<double>(m_live_);
  return NM > 0 ? x / NM : 0.0;
}

double ResonanceSystem::phase_coupling_z() const {
  if (pd_checks_ <= 1) return NAN;
  const double c = static_cast<double>(pd_checks_);
  const double mean = pd_diff_sum_ / c;
  const double var = std::max(0.0, (pd_diff_sq_ - c * mean * mean) / (c - 1));
  return var > 0 ? mean / std::sqrt(var / c) : NAN;
}

std::vector<ResonanceSystem::CarrierObservation> ResonanceSystem::observe() const {
  std::vector<CarrierObservation> out;
  for (std::size_t k = 0; k < static_cast<std::size_t>(k_hi_); ++k)
    if (calive_[k])
      out.push_back({cid_[k], {cre_[k], cim_[k]}, com_[k], intake_[k], coh_[k], D_[k], W_[k], centre_[k], var_[k], bonds_[k]});
  return out;
}

std::vector<std::pair<std::uint32_t, double>> ResonanceSystem::soft_assignment(std::size_t i) const {
  std::vector<std::pair<std::uint32_t, double>> m;
  if (i >= cap_ || state_[i] == kFree) return m;
  double total = 0;
  for (std::size_t j = 0; j < d_; ++j) {
    const int k = bk_[i * d_ + j];
    if (k < 0) continue;
    const double psi = std::atan2(cim_[k], cre_[k]);
    const double T = tuning_ ? resonance::tuning(phase_[i], psi, W_[k]) : 1.0;
    const double v = bp_[i * d_ + j] * T;
    m.emplace_back(cid_[k], v);
    total += v;
  }
  for (auto& e : m) e.second = total > 0 ? e.second / total : 0.0;
  return m;
}

std::vector<PerturbKind> ResonanceSystem::supported_perturbations() const {
  return {PerturbKind::Noise, PerturbKind::Ablate, PerturbKind::InjectNaN, PerturbKind::InjectInf};
}

double ResonanceSystem::phase_kick(double amplitude) {
  if (std::fabs(amplitude) > resonance::kUniformKick) return rng_.uniform(-kPi, kPi);
  return amplitude * rng_.normal();
}

void ResonanceSystem::warn_if_uniform_kick(double amplitude) {
  if (!(std::fabs(amplitude) > resonance::kUniformKick)) return;
  char text[200];  // %g: std::to_string would spell 1e300 out in 300 digits
  std::snprintf(text, sizeof text,
                "noise amplitude %.3g rad is beyond %.3g rad, where a wrapped Gaussian kick is uniform: the phases are randomised instead",
                amplitude, resonance::kUniformKick);
  emit(Event::Level::Warning, text);
}

void ResonanceSystem::perturb(const Perturbation& p) {
  if (!std::isfinite(p.amplitude)) throw InputError("/perturb/amplitude", "expected a finite amplitude");
  if (perturb_target_ == PerturbTarget::Carriers) {
    std::vector<std::size_t> live;
    for (std::size_t k = 0; k < static_cast<std::size_t>(k_hi_); ++k)
      if (calive_[k]) live.push_back(k);
    if (live.empty()) {
      emit(Event::Level::Info, "no carriers to perturb");
      return;
    }
    if (p.kind == PerturbKind::Noise) warn_if_uniform_kick(p.amplitude);
    const std::size_t hit = p.kind == PerturbKind::Noise ? live.size() : units_hit(p.fraction, live.size());
    const std::size_t n = pick_distinct(live, hit, rng_, [&](std::size_t k) {
      switch (p.kind) {
        case PerturbKind::Noise: {
          const auto c = std::polar(std::hypot(cre_[k], cim_[k]), std::atan2(cim_[k], cre_[k]) + phase_kick(p.amplitude));
          cre_[k] = c.real();
          cim_[k] = c.imag();
          break;
        }
        case PerturbKind::Ablate: dissolve(k, Fate::Dissolved); break;
        case PerturbKind::InjectNaN: cre_[k] = NAN; break;
        case PerturbKind::InjectInf: cim_[k] = INFINITY; break;
      }
    });
    emit(Event::Level::Info, std::string(perturb_kind_name(p.kind)) + " on " + std::to_string(n) + " carrier(s)");
    update_global_metrics();
    return;
  }
  std::vector<std::uint32_t> live;
  live.reserve(n_live_);
  for (std::size_t i = 0; i < cap_; ++i)
    if (state_[i] == kAlive || state_[i] == kFrozen) live.push_back(static_cast<std::uint32_t>(i));
  if (live.empty()) return;
  if (p.kind == PerturbKind::Noise) {
    warn_if_uniform_kick(p.amplitude);
    for (auto i : live) set_phase(i, static_cast<double>(phase_[i]) + phase_kick(p.amplitude));
    char text[120];
    std::snprintf(text, sizeof text, "phase kick of amplitude %.3g rad on %zu oscillators", p.amplitude, live.size());
    emit(Event::Level::Info, text);
    return;
  }
  const std::size_t n = pick_distinct(live, units_hit(p.fraction, live.size()), rng_, [&](std::uint32_t i) {
    switch (p.kind) {
      case PerturbKind::Ablate:
        if (p.mode == AblateMode::Remove) remove_oscillator(i, kFree);
        else state_[i] = kFrozen;
        break;
      // The int64 representation has no NaN: the fault goes into the amplitude instead.
      case PerturbKind::InjectNaN:
        if (int_phase_) amp_[i] = NAN;
        else phase_[i] = NAN;
        break;
      case PerturbKind::InjectInf: omega_[i] = INFINITY; break;
      case PerturbKind::Noise: break;
    }
  });
  emit(Event::Level::Info, std::string(perturb_kind_name(p.kind)) + " on " + std::to_string(n) + " oscillator(s)");
  if (p.kind == PerturbKind::Ablate) update_global_metrics();
}

void ResonanceSystem::dump(nlohmann::json& out) const {
  dump_header(out);
  std::vector<double> m(metric_names().size());
  metrics(m.data());
  auto& jm = out["metrics"];
  for (std::size_t j = 0; j < m.size(); ++j) jm[metric_names()[j]] = std::isfinite(m[j]) ? nlohmann::json(m[j]) : nlohmann::json(nullptr);
  auto& osc = out["oscillators"];
  osc = nlohmann::json::array();
  for (std::size_t i = 0; i < cap_; ++i) {
    if (state_[i] == kFree) continue;
    nlohmann::json bonds = nlohmann::json::array();
    for (std::size_t j = 0; j < d_; ++j)
      if (bk_[i * d_ + j] >= 0) bonds.push_back({cid_[bk_[i * d_ + j]], bp_[i * d_ + j]});
    osc.push_back({{"slot", i}, {"phase", resonance::wrap(static_cast<double>(phase_[i]) + frame_angle_)}, {"omega", omega_[i]},
                   {"A", amp_[i]}, {"state", state_[i]}, {"group", group_[i]}, {"bonds", bonds}});
    if (int_phase_) osc.back()["acc"] = acc_[i];
  }
  auto& car = out["carriers"];
  car = nlohmann::json::array();
  for (const auto& c : observe())
    car.push_back({{"id", c.id}, {"re", c.c.real()}, {"im", c.c.imag()}, {"omega", c.omega}, {"intake", c.intake},
                   {"coherence", c.coherence}, {"D", c.D}, {"W", c.gate_width}, {"centre", c.spectral_centre},
                   {"variance", c.spectral_variance}, {"bonds", c.bonds}});
  auto& life = out["lifetimes"];
  life = nlohmann::json::array();
  for (const auto& l : lifetimes_)
    life.push_back({{"id", l.id}, {"parent", l.parent}, {"born", l.born_step}, {"end", l.end_step}, {"origin", static_cast<int>(l.origin)}, {"fate", static_cast<int>(l.fate)}});
}

std::uint64_t ResonanceSystem::state_hash() const {
  StateHash h;
  h.value(step_);
  h.value(n_live_);
  h.value(m_live_);
  h.span(std::span<const float>(phase_));
  h.span(std::span<const float>(omega_));
  h.span(std::span<const float>(amp_));
  h.span(std::span<const std::uint64_t>(acc_));
  h.span(std::span<const std::uint8_t>(state_));
  h.span(std::span<const std::int32_t>(bk_));
  h.span(std::span<const float>(bp_));
  h.span(std::span<const double>(cre_));
  h.span(std::span<const double>(cim_));
  h.span(std::span<const double>(com_));
  h.span(std::span<const double>(W_));
  h.span(std::span<const std::uint32_t>(cid_));
  return h.digest();
}

// Left out: what restart() derives from the restart parameters and never changes (int_phase_,
// stream_, Omega_, life_index_, genesis_ready_), per-step scratch that prepare_carriers() and
// the sweep overwrite before reading (k_*, part_, blk_, sums_, scratch_, wscratch_), the metrics
// read cache (read_means_) and the thread team. inc_ is listed: an InjectInf perturbation
// changes omega_ without it, so it is not a function of omega_ alone.
template <class Self, class A>
void ResonanceSystem::state_io(Self& self, A& a) {
  // Slot order matters (free_slots_ is a stack the stream pops), so the arrays go as they are.
  a(self.phase_, self.omega_, self.amp_, self.amp0_, self.drive_, self.acc_, self.inc_, self.drive_until_, self.state_,
    self.flag_, self.group_, self.bk_, self.bp_, self.free_slots_, self.n_live_);
  a(self.cre_, self.cim_, self.com_, self.W_, self.intake_, self.coh_, self.base_, self.D_, self.centre_, self.var_,
    self.wsum_, self.bonds_, self.cid_, self.calive_, self.cborn_, self.refractory_until_, self.split_refractory_until_, self.corigin_, self.div_count_,
    self.starve_count_, self.div_Dsum_, self.m_live_, self.next_id_, self.k_hi_);
  a(self.time_, self.frame_angle_, self.R_, self.max_R_, self.RU_, self.AU_, self.R_stream_, self.max_R_stream_, self.apex_,
    self.nnz_, self.births_, self.deaths_, self.mitoses_, self.geneses_, self.dissolutions_, self.snaps_, self.seeds_,
    self.quarantined_osc_, self.quarantined_car_, self.retired_, self.injected_groups_, self.mitosis_D_sum_, self.lifetimes_);
  a(self.groups_, self.next_group_, self.next_injection_, self.readout_n_, self.readout_correct_, self.dropped_,
    self.pd_shared_sum_, self.pd_random_sum_, self.pd_diff_sum_, self.pd_diff_sq_, self.pd_checks_);
  a(self.rng_, self.stream_rng_, self.measure_rng_);
}

void ResonanceSystem::write_state(StateWriter& out) const { state_io(*this, out); }

void ResonanceSystem::read_state(StateReader& in) {
  state_io(*this, in);
  // The kernels index these by slot without bounds checks: a state shaped for other parameters
  // is refused here rather than read out of bounds later.
  const std::size_t n = cap_, e = cap_ * d_, m = mcap_;
  bool fits = state_.size() == n && bk_.size() == e && bp_.size() == e && groups_.size() == kGroups &&
              acc_.size() == (int_phase_ ? n : 0) && inc_.size() == acc_.size() && free_slots_.size() <= n &&
              n_live_ <= n && m_live_ <= m && k_hi_ >= 0 && static_cast<std::size_t>(k_hi_) <= m && lifetimes_.size() <= kLifetimes;
  for (const auto* v : {&phase_, &omega_, &amp_, &amp0_, &drive_}) fits &= v->size() == n;
  fits &= drive_until_.size() == n && flag_.size() == n && group_.size() == n;
  for (const auto* v : {&cre_, &cim_, &com_, &W_, &intake_, &coh_, &base_, &D_, &centre_, &var_, &wsum_, &div_Dsum_}) fits &= v->size() == m;
  fits &= bonds_.size() == m && cid_.size() == m && calive_.size() == m && cborn_.size() == m && refractory_until_.size() == m && split_refractory_until_.size() == m &&
          corigin_.size() == m && div_count_.size() == m && starve_count_.size() == m;
  for (auto s : free_slots_) fits &= s < n;
  for (auto k : bk_) fits &= k >= -1 && k < static_cast<std::int32_t>(m);
  // A parent is older than its child (ids are never reused) and only a mitosis has one. Lives
  // written before parents were recorded hold padding there.
  for (auto& l : lifetimes_)
    if (l.origin != Origin::Mitosis || l.parent >= l.id) l.parent = 0;
  if (!fits) throw CheckpointError("the resonance state does not fit its parameters (N " + std::to_string(n) + ", d_max " +
                                   std::to_string(d_) + ", M_max " + std::to_string(m) + ")");
}

}  // namespace obs
