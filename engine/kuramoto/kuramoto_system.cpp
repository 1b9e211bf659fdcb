#include "kuramoto/kuramoto_system.hpp"

#include "core/state_archive.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>

#include "core/input_error.hpp"
#include "core/pick_distinct.hpp"
#include "core/state_hash.hpp"
#include "kuramoto/fast_sincos.hpp"

namespace obs {
namespace {

constexpr std::size_t kBlock = 4096;             // oscillators per partial sum
constexpr std::size_t kParallelMinBlocks = 16;   // below this, threads cost more than they save
constexpr std::int64_t kMaxOscillators = 50'000'000;

}  // namespace

KuramotoSystem::KuramotoSystem() {
  using kuramoto::Distribution;
  param(n_, "N", 10000, 2, kMaxOscillators).restart().log_scale().help("number of oscillators").group("Population");
  param(distribution_, "distribution", Distribution::Lorentzian, {"lorentzian", "gaussian"}).restart()
      .help("natural-frequency distribution g(omega)").group("Population");
  param(gamma_, "gamma", 0.5, 0, 10).restart().unit("rad/s").help("Lorentzian half-width gamma (K_c = 2 gamma)").group("Population");
  param(sigma_, "sigma", 0.5, 0, 10).restart().unit("rad/s").help("Gaussian standard deviation sigma (K_c = sqrt(8/pi) sigma)").group("Population");
  param(omega0_, "omega0", 0, -10, 10).restart().unit("rad/s").help("centre of the frequency distribution").group("Population");
  param(sampling_, "sampling", Sampling::Quantile, {"quantile", "random"}).restart()
      .help("quantile: omega_i at the (i-1/2)/N quantile (no sampling noise); random: i.i.d. draws").group("Population");
  param(init_spread_, "init_spread", 2 * std::numbers::pi, 0, 2 * std::numbers::pi).restart().unit("rad")
      .help("initial phases uniform in [-spread/2, spread/2]; 2 pi = incoherent start").group("Population");
  param(K_, "K", 1.2, 0, 50).unit("rad/s").help("coupling strength K").group("Dynamics");
  param(integrator_, "integrator", Integrator::Rk4, {"euler", "rk4"}).help("time stepper: euler (fast) or classic RK4").group("Dynamics");
  param(dt_, "dt", 0.05, 1e-4, 1).unit("s").log_scale().help("time step").group("Dynamics");

  // r, psi and mean_freq come from float sums over the oscillators (a float per phase and
  // velocity, summed per block): their last bits move from step to step by ~1e-7 (measured:
  // mean_freq +-7e-7 rad/s in scenes/default.json, whose true mean frequency is 0). The
  // resolutions sit above that with room for wider distributions.
  constexpr double kFloatSumRes = 1e-6, kFreqRes = 1e-5;
  metrics_.add("r", "", [this] { return r_; }, MetricTable::Unmeasured::Never, kFloatSumRes);
  metrics_.add("psi", "rad", [this] { return psi_; }, MetricTable::Unmeasured::Never, kFloatSumRes);
  metrics_.add("mean_freq", "rad/s", [this] { return mean_freq_; }, MetricTable::Unmeasured::Never, kFreqRes);
  metrics_.add("active", "", [this] { return static_cast<double>(n_active_); });
  metrics_.add("quarantined", "", [this] { return static_cast<double>(quarantined_); });
}

double KuramotoSystem::width() const { return distribution_ == kuramoto::Distribution::Lorentzian ? gamma_ : sigma_; }

std::uint64_t KuramotoSystem::bytes_needed() const {
  // phase + omega, two RK4 scratch arrays, and two snapshot copies (phase + omega).
  return static_cast<std::uint64_t>(params_.integer("N")) * (4 + 4 + 8 + 16);
}

void KuramotoSystem::restart() {
  quarantined_ = 0;
  rng_.reseed(seed_);
  phase_.assign(n_, 0.0f);
  omega_.assign(n_, 0.0f);
  partial_.assign(3 * ((n_ + kBlock - 1) / kBlock), 0.0);
  n_moving_ = n_active_ = n_;
  frozen_c_ = frozen_s_ = 0;
  // Scratch sized for an old N must not survive: swap_units() indexes it whenever non-empty.
  k_last_.clear();
  k_sum_.clear();

  kuramoto::sample_frequencies(omega_, distribution_, omega0_, width(), sampling_ == Sampling::Quantile, rng_);
  for (auto& p : phase_) p = kuramoto::wrap_phase(static_cast<float>(init_spread_ * (rng_.uniform() - 0.5)));
  params_changed();
  refresh_mean_field();
  mean_freq_ = 0;
}

void KuramotoSystem::params_changed() {
  if (integrator_ == Integrator::Rk4 && k_last_.size() != n_) {  // allocated on switching, never inside step()
    k_last_.assign(n_, 0.0f);
    k_sum_.assign(n_, 0.0f);
  }
}

void KuramotoSystem::step() {
  if (integrator_ == Integrator::Rk4) {
    for (int stage = 1; stage <= 4; ++stage) rk4_pass(stage);
  } else {
    euler_pass();
  }
  ++step_;
}

// Mean field of the moving oscillators' latest sums plus the frozen ones, as the pair
// (K Zx, K Zy) that the kernels use: K r sin(psi - phi) = K (Zy cos phi - Zx sin phi).
#define OBS_KURAMOTO_FIELD                                                         \
  const double inv_n = n_active_ ? 1.0 / static_cast<double>(n_active_) : 0.0;     \
  const float kzx = static_cast<float>(K_ * (sum_c_ + frozen_c_) * inv_n);         \
  const float kzy = static_cast<float>(K_ * (sum_s_ + frozen_s_) * inv_n);         \
  const std::size_t blocks = (n_moving_ + kBlock - 1) / kBlock;

void KuramotoSystem::euler_pass() {
  OBS_KURAMOTO_FIELD
  const float dt = static_cast<float>(dt_);
  float* phase = phase_.data();
  const float* omega = omega_.data();
  double* partial = partial_.data();
  const AdaptiveTeam::Run team(euler_team_, blocks >= kParallelMinBlocks);
#pragma omp parallel for schedule(static) num_threads(team.size())
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t lo = b * kBlock, hi = std::min(n_moving_, lo + kBlock);
    float ac = 0, as = 0, av = 0;
#pragma omp simd reduction(+ : ac, as, av)
    for (std::size_t i = lo; i < hi; ++i) {
      float s, c;
      kuramoto::fast_sincos(phase[i], s, c);
      const float v = omega[i] + (kzy * c - kzx * s);
      const float p = kuramoto::wrap_phase(phase[i] + dt * v);
      phase[i] = p;
      kuramoto::fast_sincos(p, s, c);
      ac += c;
      as += s;
      av += v;
    }
    partial[3 * b] = ac;
    partial[3 * b + 1] = as;
    partial[3 * b + 2] = av;
  }
  finish_sums();
}

// Classic RK4 in four sweeps. Stage j evaluates k_j at phi + a_j k_{j-1} (a = 0, dt/2,
// dt/2, dt) with the mean field of those stage phases, which the previous sweep summed.
void KuramotoSystem::rk4_pass(int stage) {
  OBS_KURAMOTO_FIELD
  const float dt = static_cast<float>(dt_);
  const float a_here = stage == 1 ? 0.0f : (stage == 4 ? dt : 0.5f * dt);
  const float a_next = stage == 3 ? dt : 0.5f * dt;
  const float weight = (stage == 1 || stage == 4) ? 1.0f : 2.0f;
  float* phase = phase_.data();
  const float* omega = omega_.data();
  float* k_last = k_last_.data();
  float* k_sum = k_sum_.data();
  double* partial = partial_.data();
  const AdaptiveTeam::Run team(rk4_team_, blocks >= kParallelMinBlocks);
#pragma omp parallel for schedule(static) num_threads(team.size())
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t lo = b * kBlock, hi = std::min(n_moving_, lo + kBlock);
    float ac = 0, as = 0, av = 0;
#pragma omp simd reduction(+ : ac, as, av)
    for (std::size_t i = lo; i < hi; ++i) {
      float s, c;
      // Stage arguments are wrapped too: far-tail oscillators (|omega| ~ 1e5) would otherwise
      // reach arguments where the float range reduction loses all accuracy.
      kuramoto::fast_sincos(kuramoto::wrap_phase(phase[i] + a_here * k_last[i]), s, c);
      const float k = omega[i] + (kzy * c - kzx * s);
      const float total = (stage == 1 ? 0.0f : k_sum[i]) + weight * k;
      float next;
      if (stage == 4) {
        next = kuramoto::wrap_phase(phase[i] + dt / 6.0f * total);
        phase[i] = next;
        av += total / 6.0f;
      } else {
        k_sum[i] = total;
        k_last[i] = k;
        next = kuramoto::wrap_phase(phase[i] + a_next * k);
      }
      kuramoto::fast_sincos(next, s, c);
      ac += c;
      as += s;
    }
    partial[3 * b] = ac;
    partial[3 * b + 1] = as;
    partial[3 * b + 2] = av;
  }
  finish_sums();
}
#undef OBS_KURAMOTO_FIELD

void KuramotoSystem::finish_sums() {
  const std::size_t blocks = (n_moving_ + kBlock - 1) / kBlock;
  double c = 0, s = 0, v = 0;
  for (std::size_t b = 0; b < blocks; ++b) {  // fixed order: same bits whatever the thread count
    c += partial_[3 * b];
    s += partial_[3 * b + 1];
    v += partial_[3 * b + 2];
  }
  sum_c_ = c;
  sum_s_ = s;
  // A NaN or Inf in any moving oscillator shows up here, before the next pass would feed
  // it into every other oscillator through the mean field.
  if (!std::isfinite(c) || !std::isfinite(s) || !std::isfinite(v)) {
    quarantine_non_finite();
    refresh_mean_field();
    return;
  }
  mean_freq_ = n_moving_ ? v / static_cast<double>(n_moving_) : 0.0;
  const double inv_n = n_active_ ? 1.0 / static_cast<double>(n_active_) : 0.0;
  const double zx = (sum_c_ + frozen_c_) * inv_n, zy = (sum_s_ + frozen_s_) * inv_n;
  r_ = std::hypot(zx, zy);
  psi_ = std::atan2(zy, zx);
}

void KuramotoSystem::refresh_mean_field() {
  double c = 0, s = 0;
  bool finite = true;
  for (std::size_t i = 0; i < n_active_; ++i) finite &= std::isfinite(phase_[i]) && std::isfinite(omega_[i]);
  if (!finite) quarantine_non_finite();
  recompute_frozen_sums();
  for (std::size_t i = 0; i < n_moving_; ++i) {
    c += std::cos(static_cast<double>(phase_[i]));
    s += std::sin(static_cast<double>(phase_[i]));
  }
  sum_c_ = c;
  sum_s_ = s;
  const double inv_n = n_active_ ? 1.0 / static_cast<double>(n_active_) : 0.0;
  const double zx = (sum_c_ + frozen_c_) * inv_n, zy = (sum_s_ + frozen_s_) * inv_n;
  r_ = std::hypot(zx, zy);
  psi_ = std::atan2(zy, zx);
}

void KuramotoSystem::quarantine_non_finite() {
  std::size_t caught = 0;
  for (std::size_t i = n_active_; i-- > 0;) {
    if (!std::isfinite(phase_[i]) || !std::isfinite(omega_[i])) {
      remove_at(i);
      ++caught;
    }
  }
  if (caught == 0) return;
  quarantined_ += caught;
  emit(Event::Level::Warning, "non-finite phase or frequency (NaN/Inf) in " + std::to_string(caught) +
                                  " oscillator(s): quarantined (removed from the dynamics) before it reached the mean field");
}

void KuramotoSystem::swap_units(std::size_t a, std::size_t b) {
  std::swap(phase_[a], phase_[b]);
  std::swap(omega_[a], omega_[b]);
  if (!k_last_.empty()) {  // a quarantine can land between RK4 stages
    std::swap(k_last_[a], k_last_[b]);
    std::swap(k_sum_[a], k_sum_[b]);
  }
}

void KuramotoSystem::remove_at(std::size_t i) {
  // [moving | frozen | removed]: move i to the end of its run, then across the boundary.
  if (i < n_moving_) {
    swap_units(i, n_moving_ - 1);
    i = --n_moving_;
  }
  swap_units(i, n_active_ - 1);
  --n_active_;
}

void KuramotoSystem::freeze_at(std::size_t i) {
  swap_units(i, n_moving_ - 1);
  --n_moving_;
}

void KuramotoSystem::recompute_frozen_sums() {
  frozen_c_ = frozen_s_ = 0;
  for (std::size_t i = n_moving_; i < n_active_; ++i) {
    frozen_c_ += std::cos(static_cast<double>(phase_[i]));
    frozen_s_ += std::sin(static_cast<double>(phase_[i]));
  }
}

std::vector<PerturbKind> KuramotoSystem::supported_perturbations() const {
  return {PerturbKind::Noise, PerturbKind::Ablate, PerturbKind::InjectNaN, PerturbKind::InjectInf};
}

void KuramotoSystem::perturb(const Perturbation& p) {
  switch (p.kind) {
    case PerturbKind::Noise: {
      if (!std::isfinite(p.amplitude)) throw InputError("/perturb/amplitude", "expected a finite noise amplitude");
      for (std::size_t i = 0; i < n_moving_; ++i)
        phase_[i] = kuramoto::wrap_phase(static_cast<float>(phase_[i] + p.amplitude * rng_.normal()));
      emit(Event::Level::Info, "phase kick of amplitude " + std::to_string(p.amplitude) + " rad on " +
                                   std::to_string(n_moving_) + " oscillators");
      break;
    }
    case PerturbKind::Ablate: {
      const std::size_t k = p.fraction > 0 ? units_hit(p.fraction, n_moving_) : 0;
      for (std::size_t j = 0; j < k; ++j) {
        const std::size_t i = static_cast<std::size_t>(rng_.below(n_moving_));
        if (p.mode == AblateMode::Remove) remove_at(i);
        else freeze_at(i);
      }
      emit(Event::Level::Info, std::string(p.mode == AblateMode::Remove ? "removed " : "froze ") +
                                   std::to_string(k) + " oscillators");
      break;
    }
    case PerturbKind::InjectNaN:
    case PerturbKind::InjectInf: {
      // k distinct units, each hit parked at the end of the moving run.
      const std::size_t k = pick_distinct(n_moving_, units_hit(p.fraction, n_moving_), rng_,
                                          [&](std::size_t a, std::size_t b) { swap_units(a, b); }, [&](std::size_t i) {
        if (p.kind == PerturbKind::InjectNaN) phase_[i] = NAN;
        else omega_[i] = INFINITY;
      });
      emit(Event::Level::Info, "injected " + std::string(p.kind == PerturbKind::InjectNaN ? "NaN phase" : "Inf frequency") +
                                   " into " + std::to_string(k) + " oscillator(s)");
      // Detection happens where it would in a real fault: in the next step's sums.
      return;
    }
  }
  refresh_mean_field();
}

std::shared_ptr<const Snapshot> KuramotoSystem::snapshot() const {
  auto s = std::make_shared<KuramotoSnapshot>();
  s->step = step_;
  s->phase.assign(phase_.begin(), phase_.begin() + static_cast<std::ptrdiff_t>(n_active_));
  s->omega.assign(omega_.begin(), omega_.begin() + static_cast<std::ptrdiff_t>(n_active_));
  s->moving = n_moving_;
  s->removed = n_ - n_active_;
  s->r = r_;
  s->psi = psi_;
  const double span = width() > 0 ? 3 * width() : 1.0;
  s->omega_lo = omega0_ - span;
  s->omega_hi = omega0_ + span;
  s->K = K_;
  s->Kc = kuramoto::critical_coupling(distribution_, width());
  return s;
}

void KuramotoSystem::dump(nlohmann::json& out) const {
  dump_header(out);
  out["r"] = r_;
  out["psi"] = psi_;
  out["mean_freq"] = mean_freq_;
  out["moving"] = n_moving_;
  out["frozen"] = n_active_ - n_moving_;
  out["removed"] = n_ - n_active_;
  out["quarantined"] = quarantined_;
  out["phase"] = std::vector<float>(phase_.begin(), phase_.begin() + static_cast<std::ptrdiff_t>(n_active_));
  out["omega"] = std::vector<float>(omega_.begin(), omega_.begin() + static_cast<std::ptrdiff_t>(n_active_));
}

template <class Self, class A>
void KuramotoSystem::state_io(Self& self, A& a) {
  // The order of units matters (removal swaps them to the end), so it is the arrays as they are.
  a(self.phase_, self.omega_, self.partial_, self.n_, self.n_moving_, self.n_active_, self.frozen_c_, self.frozen_s_,
    self.sum_c_, self.sum_s_, self.sum_v_, self.r_, self.psi_, self.mean_freq_, self.quarantined_, self.rng_);
}
void KuramotoSystem::write_state(StateWriter& out) const { state_io(*this, out); }
void KuramotoSystem::read_state(StateReader& in) {
  const std::size_t n = n_;  // what the reset built for the checkpoint's parameters
  state_io(*this, in);
  if (n_ != n || phase_.size() != n || omega_.size() != n || n_active_ > n || n_moving_ > n_active_)
    throw CheckpointError("kuramoto state of " + std::to_string(phase_.size()) + " oscillators does not fit N = " + std::to_string(n));
}

std::uint64_t KuramotoSystem::state_hash() const {
  StateHash h;
  h.value(step_);
  h.value(n_moving_);
  h.value(n_active_);
  h.span(std::span<const float>(phase_));
  h.span(std::span<const float>(omega_));
  return h.digest();
}

}  // namespace obs
