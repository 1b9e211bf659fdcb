#include "pump/pump_system.hpp"

#include "core/state_archive.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "core/input_error.hpp"
#include "core/pick_distinct.hpp"
#include "core/state_hash.hpp"

namespace obs {
namespace {

using pump::Exact;
using pump::kVoxels;

constexpr std::int64_t kMaxWalkers = 1'000'000;
constexpr double kFluxSmoothing = 1.0 / 64;  // walker flux: exponential average over ~64 steps
constexpr long kNoiseDen = 1 << 15;          // exact noise draws are multiples of 1/2^15

}  // namespace

PumpSystem::PumpSystem() {
  rational_param(lambda_, "lambda", "1", 0, 1000).restart().unit("1/barrier")
      .help("valve strength lambda: reverse edges pass rho = 1/(1 + lambda A)").group("Valve");
  rational_param(A0_, "A0", "1", 0, 1000).restart().unit("barrier")
      .help("reverse-edge barrier scale: A = A0 s chi on edges against the winding").group("Valve");
  rational_param(spread_, "spread", "3/4", 0, 1).restart()
      .help("spread s_ij of every edge (the Frame-5 baseline is 3/4)").group("Valve");
  param(chiral_depth_, "chiral_depth", 3, 1, 3).restart()
      .help("chiral depth SK_l = active arms: 1 = x, 2 = x,y, 3 = x,y,z").group("Valve");
  rational_param(w_min_, "w_min", "1/4", 0, 1).restart()
      .help("inner edge of the Derrick annulus for w_i (0 < w_min < w_max)").group("Spinors");
  rational_param(w_max_, "w_max", "3/4", 0, 1).restart()
      .help("outer edge of the Derrick annulus for w_i (w_max < 1); the seed draws the field").group("Spinors");
  param(walker_count_, "walkers", 512, 0, kMaxWalkers).restart().log_scale().unit("walkers")
      .help("walkers sampling their next voxel from K, to show the current").group("Dynamics");
  param(exact_steps_, "exact_steps", 16, 0, 64).unit("steps")
      .help("steps of p(t+1) = p(t) K done in exact rationals before switching to doubles").group("Dynamics");
  param(start_, "start", Start::Corner, {"corner", "core", "uniform", "stationary"}).restart()
      .help("p(0): all mass on voxel (0,0,0), uniform on the core, uniform, or pi").group("Dynamics");

  // Before the first step builds the model (construction is free), every metric reads 0.
  auto built = [this](std::function<double()> f) { return [this, f] { return model_ ? f() : 0.0; }; };
  metrics_.add("J0", "", built([this] { return model_->info->J0; }));
  metrics_.add("J_plus", "", built([this] { return model_->info->J_plus; }));
  metrics_.add("entropy_production", "", built([this] { return model_->info->entropy_production; }));
  metrics_.add("tv_to_pi", "", built([this] { return tv_; }));
  metrics_.add("exact_mode", "", built([this] { return exact_ ? 1.0 : 0.0; }));
  metrics_.add("walker_flux", "moves/step", built([this] { return flux_; }));
  metrics_.add("core_mass", "", built([this] { return core_mass_; }));
  metrics_.add("parity_p", "", built([this] { return p_parity_ ? 1.0 : 0.0; }));
  metrics_.add("walkers_moving", "walkers", built([this] { return static_cast<double>(moving_); }));
  metrics_.add("quarantined", "", built([this] { return static_cast<double>(quarantined_); }));
}

std::uint64_t PumpSystem::bytes_needed() const {
  // The exact model is fixed-size (64 rows of at most 7 candidates, pi of ~10^4 bits per
  // entry): a few MiB at most. Walkers: position, previous position, two snapshot copies.
  return (8ULL << 20) + static_cast<std::uint64_t>(params_.integer("walkers")) * 4;
}

pump::PumpConfig PumpSystem::read_config() const {
  auto exact = [&](const char* name, const std::string& text) {
    const auto v = Exact::parse(text);
    if (!v) throw InputError(std::string("/params/") + name, "expected an exact fraction such as \"3/4\"");
    return *v;
  };
  pump::PumpConfig cfg;
  cfg.annulus = {exact("w_min", w_min_), exact("w_max", w_max_)};
  cfg.valve = {exact("lambda", lambda_), exact("A0", A0_), exact("spread", spread_), chiral_depth_};
  if (cfg.annulus.w_min.sign() <= 0) throw InputError("/params/w_min", "expected w_min > 0 (w = 0 is the delta collapse the annulus excludes)");
  if (cfg.annulus.w_max >= Exact(1)) throw InputError("/params/w_max", "expected w_max < 1 (w = 1 is uniform diffusion)");
  if (cfg.annulus.w_min >= cfg.annulus.w_max)
    throw InputError("/params/w_min", "expected w_min < w_max, got " + cfg.annulus.w_min.str() + " >= " + cfg.annulus.w_max.str());
  return cfg;
}

void PumpSystem::restart() {
  const pump::PumpConfig cfg = read_config();
  try {
    model_ = pump::build_pump_model(cfg, seed_);
  } catch (const std::invalid_argument& e) {
    throw InputError("/params", e.what());
  } catch (const std::runtime_error& e) {
    throw InputError("/params", e.what());
  }
  quarantined_ = 0;
  rng_.reseed(seed_);
  exact_ = true;
  start_distribution();
  if (exact_steps_ == 0) exact_ = false;  // horizon 0: doubles from the first step
  start_walkers();
  flux_ = 0;
  refresh_metrics();
}

void PumpSystem::start_distribution() {
  p_exact_.assign(kVoxels, mpq_class(0));
  p_exact_next_.assign(kVoxels, mpq_class(0));
  if (start_ == Start::Corner) {
    p_exact_[0] = 1;
  } else if (start_ == Start::Core) {
    for (int v : pump::core_voxels()) p_exact_[static_cast<std::size_t>(v)] = mpq_class(1, pump::kCoreVoxels);
  } else if (start_ == Start::Uniform) {
    for (auto& v : p_exact_) v = mpq_class(1, kVoxels);
  } else {
    for (std::size_t i = 0; i < kVoxels; ++i) p_exact_[i] = model_->pi[i].mpq();
  }
  mirror_exact();
}

void PumpSystem::start_walkers() {
  const std::size_t n = walker_count_;
  walkers_.assign(n, 0);
  walkers_prev_.assign(n, 0);
  for (auto& w : walkers_) {
    double u = rng_.uniform(), acc = 0;
    std::size_t v = 0;
    for (; v + 1 < kVoxels; ++v) {
      acc += p_[v];
      if (u < acc) break;
    }
    w = static_cast<std::uint8_t>(v);
  }
  walkers_prev_ = walkers_;
  moving_ = alive_ = n;
}

void PumpSystem::mirror_exact() {
  for (std::size_t i = 0; i < kVoxels; ++i) p_[i] = p_exact_[i].get_d();
}

void PumpSystem::step() {
  if (!model_) reset(seed_);  // built lazily: constructing a PumpSystem costs nothing
  guard_non_finite();
  if (exact_ && step_ >= exact_steps_) {
    exact_ = false;
    emit(Event::Level::Info, "exact horizon reached after " + std::to_string(step_) +
                                 " steps: p(t) continues in doubles (the parity badge of p may now fail)");
  }
  if (exact_) step_exact();
  else step_double();
  step_walkers();
  ++step_;
  refresh_metrics();
}

void PumpSystem::step_exact() {
  for (auto& v : p_exact_next_) mpq_set_ui(v.get_mpq_t(), 0, 1);
  for (std::size_t i = 0; i < kVoxels; ++i) {
    if (sgn(p_exact_[i]) == 0) continue;
    const pump::KernelRow& r = model_->kernel.rows[i];
    for (int c = 0; c < r.count; ++c) {
      const auto s = static_cast<std::size_t>(c);
      mpq_mul(term_.get_mpq_t(), p_exact_[i].get_mpq_t(), r.K[s].mpq().get_mpq_t());
      mpq_class& dst = p_exact_next_[static_cast<std::size_t>(r.to[s])];
      mpq_add(dst.get_mpq_t(), dst.get_mpq_t(), term_.get_mpq_t());
    }
  }
  p_exact_.swap(p_exact_next_);
  mirror_exact();
}

void PumpSystem::step_double() {
  p_next_.fill(0.0);
  for (std::size_t i = 0; i < kVoxels; ++i) {
    const int count = model_->kernel.rows[i].count;
    for (int c = 0; c < count; ++c)
      p_next_[static_cast<std::size_t>(model_->kernel.rows[i].to[static_cast<std::size_t>(c)])] +=
          p_[i] * model_->K_double[i][static_cast<std::size_t>(c)];
  }
  p_.swap(p_next_);
}

void PumpSystem::step_walkers() {
  std::copy(walkers_.begin(), walkers_.end(), walkers_prev_.begin());
  long long net = 0;
  for (std::size_t w = 0; w < moving_; ++w) {
    const std::size_t v = walkers_[w];
    const auto& cum = model_->cumulative[v];
    const double u = rng_.uniform();
    int c = 0;
    while (u >= cum[static_cast<std::size_t>(c)]) ++c;  // cum's last entry is 1 > u
    walkers_[w] = static_cast<std::uint8_t>(model_->kernel.rows[v].to[static_cast<std::size_t>(c)]);
    net += model_->move_sign[v][static_cast<std::size_t>(c)];
  }
  if (moving_ > 0) {
    const double rate = static_cast<double>(net) / static_cast<double>(moving_);
    flux_ = step_ == 0 ? rate : flux_ + kFluxSmoothing * (rate - flux_);
  }
}

void PumpSystem::guard_non_finite() {
  std::size_t bad = 0;
  for (double v : p_) bad += !std::isfinite(v);
  if (bad == 0) return;
  quarantined_ += bad;
  if (exact_) {
    mirror_exact();  // the exact state is the authority; the doubles are only its picture
    emit(Event::Level::Warning, "NaN/Inf in " + std::to_string(bad) +
                                    " voxel(s) of p(t): restored from the exact state before the step");
    return;
  }
  for (auto& v : p_)
    if (!std::isfinite(v)) v = 0.0;
  if (renormalise_double()) {
    emit(Event::Level::Warning, "NaN/Inf in " + std::to_string(bad) +
                                    " voxel(s) of p(t): zeroed and the rest renormalised before the step");
  } else {
    restore_from_pi("NaN/Inf left no finite mass in p(t)");
  }
}

bool PumpSystem::renormalise_exact() {
  mpq_class total = 0;
  for (const auto& v : p_exact_) total += v;
  if (sgn(total) <= 0) return false;
  for (auto& v : p_exact_) v /= total;
  mirror_exact();
  return true;
}

bool PumpSystem::renormalise_double() {
  double total = 0;
  for (double v : p_) total += v;
  if (!(total > 0) || !std::isfinite(total)) return false;
  for (auto& v : p_) v /= total;
  return true;
}

void PumpSystem::restore_from_pi(const char* why) {
  for (std::size_t i = 0; i < kVoxels; ++i) p_exact_[i] = model_->pi[i].mpq();
  if (exact_) mirror_exact();
  else p_ = model_->pi_double;
  emit(Event::Level::Warning, std::string(why) + ": p(t) restarted from the exact stationary pi");
}

std::vector<PerturbKind> PumpSystem::supported_perturbations() const {
  return {PerturbKind::Noise, PerturbKind::Ablate, PerturbKind::InjectNaN, PerturbKind::InjectInf};
}

void PumpSystem::perturb(const Perturbation& p) {
  if (!model_) reset(seed_);
  switch (p.kind) {
    case PerturbKind::Noise: {
      if (!std::isfinite(p.amplitude)) throw InputError("/perturb/amplitude", "expected a finite noise amplitude");
      const double a = std::clamp(p.amplitude, 0.0, 1.0);
      if (exact_) {
        // Each voxel's mass is scaled by 1 + a xi, xi uniform in [-1, 1], both rational
        // (a to 1/1024, xi to 1/2^15) so the exact state stays exact.
        mpq_class amp(static_cast<long>(std::lround(a * 1024)), 1024L);
        amp.canonicalize();
        for (auto& v : p_exact_) {
          const long xi = static_cast<long>(rng_.below(2 * kNoiseDen + 1)) - kNoiseDen;
          mpq_class f(xi, kNoiseDen);
          f.canonicalize();
          v *= 1 + amp * f;
        }
        if (!renormalise_exact()) restore_from_pi("noise removed all mass");
      } else {
        for (auto& v : p_) v *= 1.0 + a * (2.0 * rng_.uniform() - 1.0);
        if (!renormalise_double()) restore_from_pi("noise removed all mass");
      }
      emit(Event::Level::Info, "relative noise of amplitude " + std::to_string(a) + " on p(t), renormalised " +
                                   (exact_ ? "exactly" : "in doubles"));
      break;
    }
    case PerturbKind::Ablate: {
      // Walkers [0, moving_) move, [moving_, alive_) are frozen. Each chosen walker is parked at
      // the end of the moving run, which then shrinks past it (frozen); removal then swaps it
      // past the end of the frozen run too.
      auto swap_walkers = [&](std::size_t a, std::size_t b) {
        std::swap(walkers_[a], walkers_[b]);
        std::swap(walkers_prev_[a], walkers_prev_[b]);
      };
      const std::size_t kw = pick_distinct(moving_, alive_ ? units_hit(p.fraction, moving_) : 0, rng_, swap_walkers, [&](std::size_t) {
        --moving_;
        if (p.mode == AblateMode::Remove) swap_walkers(moving_, --alive_);
      });
      if (p.mode == AblateMode::Remove) {
        // Zero the mass of a share of the voxels too, then renormalise what is left.
        const std::size_t kv = units_hit(p.fraction, kVoxels);
        for (std::size_t j = 0; j < kv; ++j) {
          const auto v = static_cast<std::size_t>(rng_.below(kVoxels));
          p_exact_[v] = 0;
          p_[v] = 0.0;
        }
        const bool ok = exact_ ? renormalise_exact() : renormalise_double();
        if (!ok) restore_from_pi("ablation removed all mass");
        emit(Event::Level::Info, "removed " + std::to_string(kw) + " walkers and the mass of " + std::to_string(kv) + " voxel draw(s)");
      } else {
        emit(Event::Level::Info, "froze " + std::to_string(kw) + " walkers");
      }
      break;
    }
    case PerturbKind::InjectNaN:
    case PerturbKind::InjectInf: {
      const std::size_t k = units_hit(p.fraction, kVoxels);
      for (std::size_t j = 0; j < k; ++j)
        p_[static_cast<std::size_t>(rng_.below(kVoxels))] = p.kind == PerturbKind::InjectNaN ? NAN : INFINITY;
      emit(Event::Level::Info, "injected " + std::string(p.kind == PerturbKind::InjectNaN ? "NaN" : "Inf") +
                                   " into " + std::to_string(k) + " voxel draw(s) of the double p(t)");
      return;  // caught where a real fault would be: at the start of the next step
    }
  }
  refresh_metrics();
}

void PumpSystem::refresh_metrics() {
  double tv = 0, core = 0;
  for (std::size_t i = 0; i < kVoxels; ++i) {
    tv += std::fabs(p_[i] - model_->pi_double[i]);
    if (pump::is_core(static_cast<int>(i))) core += p_[i];
  }
  tv_ = tv / 2;
  core_mass_ = core;
  if (exact_) {
    std::vector<Exact> x;
    x.reserve(kVoxels);
    for (const auto& v : p_exact_) x.push_back(Exact::from_mpq(v));
    p_parity_ = pump::parity(std::span<const Exact>(x)).holds;
  } else {
    p_parity_ = pump::parity_holds_fast(p_);
  }
}

std::shared_ptr<const Snapshot> PumpSystem::snapshot() const {
  auto s = std::make_shared<PumpSnapshot>();
  s->step = step_;
  if (!model_) return s;
  s->info = model_->info;
  s->p = p_;
  s->exact_mode = exact_;
  s->exact_steps = exact_steps_;
  s->walkers.assign(walkers_.begin(), walkers_.begin() + static_cast<std::ptrdiff_t>(alive_));
  s->walkers_prev.assign(walkers_prev_.begin(), walkers_prev_.begin() + static_cast<std::ptrdiff_t>(alive_));
  s->moving_walkers = moving_;
  s->tv_to_pi = tv_;
  s->walker_flux = flux_;
  s->core_mass = core_mass_;
  s->p_parity_holds = p_parity_;
  return s;
}

std::vector<Exact> PumpSystem::exact_distribution() const {
  std::vector<Exact> out;
  if (!exact_) return out;
  for (const auto& v : p_exact_) out.push_back(Exact::from_mpq(v));
  return out;
}

void PumpSystem::dump(nlohmann::json& out) const {
  dump_header(out);
  if (!model_) return;
  const pump::PumpModel& m = *model_;
  nlohmann::json rows = nlohmann::json::array();
  for (int i = 0; i < kVoxels; ++i) {
    const pump::KernelRow& r = m.kernel.rows[static_cast<std::size_t>(i)];
    const pump::Spinor& q = m.field.q[static_cast<std::size_t>(i)];
    nlohmann::json cands = nlohmann::json::array();
    for (int c = 0; c < r.count; ++c) {
      const auto s = static_cast<std::size_t>(c);
      cands.push_back({{"to", r.to[s]}, {"chi", r.chi[s]}, {"Q_h", r.qh[s].str()}, {"logit", r.logit[s].str()},
                       {"A", r.A[s].str()}, {"rho", r.rho[s].str()}, {"P", r.P[s].str()}, {"B", r.base_p[s].str()},
                       {"W", r.W[s].str()}, {"K", r.K[s].str()}});
    }
    rows.push_back({{"voxel", i}, {"core", pump::is_core(i)}, {"w", q.w.str()},
                    {"m", {q.m[0].str(), q.m[1].str(), q.m[2].str()}}, {"beta", r.beta.str()},
                    {"beta_eff", r.beta_eff.str()}, {"tau", r.tau.str()}, {"support_size", r.support_size},
                    {"candidates", cands}});
  }
  out["kernel"] = {{"D", m.kernel.D.str()}, {"relaxation", m.kernel.relaxation}, {"rows", rows}};
  nlohmann::json pi = nlohmann::json::array();
  for (const auto& v : m.pi) pi.push_back(v.str());
  out["pi"] = pi;
  nlohmann::json J = nlohmann::json::array();
  for (const auto& e : m.currents.edges) J.push_back({{"a", e.a}, {"b", e.b}, {"J", e.J.str()}, {"drive", e.drive}});
  out["J"] = J;
  out["J0"] = m.currents.J0.str();
  out["J_plus"] = m.currents.J_plus.str();
  out["entropy_production"] = m.currents.entropy_production;
  out["badges"] = {{"rows_sum_to_one", m.rows_ok}, {"pi_K_equals_pi", m.stationary_ok},
                   {"J0_positive", m.currents.J0.sign() > 0}, {"parity_holds", m.info->badges.parity_holds}};
  out["parity"] = {{"L", m.parity_pi.L.get_str()}, {"winding", m.parity_pi.winding.get_str()},
                   {"winding_mod7", m.parity_pi.winding_mod7}, {"core", m.parity_pi.core}};
  out["octet"] = m.octet.residuals();
  out["exact_mode"] = exact_;
  if (exact_) {
    nlohmann::json p = nlohmann::json::array();
    for (const auto& v : p_exact_) p.push_back(v.get_str());
    out["p"] = p;
  } else {
    out["p"] = p_;
  }
  out["walkers"] = std::vector<int>(walkers_.begin(), walkers_.begin() + static_cast<std::ptrdiff_t>(alive_));
  out["walkers_moving"] = moving_;
  out["quarantined"] = quarantined_;
}

std::uint64_t PumpSystem::state_hash() const {
  StateHash h;
  h.value(step_);
  h.value(exact_);
  if (exact_) {
    for (const auto& v : p_exact_) h.text(v.get_str());
  } else {
    h.bytes(p_.data(), sizeof p_);
  }
  h.bytes(walkers_.data(), walkers_.size());
  h.value(moving_);
  h.value(alive_);
  if (model_)
    for (const auto& row : model_->info->rows) h.text(row.pi);  // the kernel, through its exact pi
  return h.digest();
}

template <class Self, class A>
void PumpSystem::state_io(Self& self, A& a) {
  // The model (kernel, pi) is rebuilt by reset from the parameters and seed and never changes.
  a(self.p_exact_, self.p_, self.exact_, self.walkers_, self.walkers_prev_, self.moving_, self.alive_, self.flux_,
    self.tv_, self.core_mass_, self.p_parity_, self.quarantined_, self.rng_);
}
void PumpSystem::write_state(StateWriter& out) const { state_io(*this, out); }
void PumpSystem::read_state(StateReader& in) {
  state_io(*this, in);
  if (p_exact_.size() != kVoxels || walkers_.size() != walker_count_ || walkers_prev_.size() != walker_count_ ||
      alive_ > walker_count_ || moving_ > alive_)
    throw CheckpointError("pump state does not fit its parameters: " + std::to_string(p_exact_.size()) + " voxels, " +
                          std::to_string(walkers_.size()) + " walkers");
}

}  // namespace obs
