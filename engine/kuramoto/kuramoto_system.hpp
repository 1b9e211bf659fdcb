#pragma once
// The classic mean-field Kuramoto model (Kuramoto 1975):
//   d(phi_i)/dt = omega_i + K r sin(psi - phi_i),   r e^{i psi} = (1/N) sum_j e^{i phi_j}.
// O(N) per step: each pass updates every phase with the previous mean field and, in the
// same sweep, accumulates the mean field of the new phases for the next pass.
//
// Oscillators are stored in three runs: [moving | frozen | removed]. Frozen ones keep
// their phase and still pull on the mean field; removed ones (ablated or quarantined for
// NaN/Inf) take no further part. Keeping the runs contiguous keeps the kernel a plain
// vectorisable loop with no per-element mask.
#include <memory>
#include <vector>

#include "core/adaptive_team.hpp"
#include "core/rng.hpp"
#include "core/system.hpp"
#include "kuramoto/frequencies.hpp"

namespace obs {

struct KuramotoSnapshot : Snapshot {
  std::vector<float> phase, omega;  // active oscillators: moving first, then frozen
  std::size_t moving = 0;           // phase[moving..] are frozen
  std::size_t removed = 0;
  double r = 0, psi = 0;
  double omega_lo = -1, omega_hi = 1;  // colour range for natural frequency
  double K = 0, Kc = 0;
};

class KuramotoSystem final : public System {
 public:
  KuramotoSystem();

  std::string_view kind() const override { return "kuramoto"; }
  std::uint64_t bytes_needed() const override;
  void step() override;
  std::shared_ptr<const Snapshot> snapshot() const override;
  std::unique_ptr<System> clone() const override { return clone_of(*this); }
  std::vector<PerturbKind> supported_perturbations() const override;
  void perturb(const Perturbation& p) override;
  void dump(nlohmann::json& out) const override;
  std::uint64_t state_hash() const override;
  void write_state(StateWriter& out) const override;
  void read_state(StateReader& in) override;

  // For tests and benchmarks.
  double order_parameter() const { return r_; }
  double mean_phase() const { return psi_; }
  std::size_t moving() const { return n_moving_; }
  std::size_t active() const { return n_active_; }
  kuramoto::Distribution distribution() const { return distribution_; }

 private:
  // The fields a checkpoint holds, listed once for writing and reading (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a);
  enum class Sampling { Quantile, Random };
  enum class Integrator { Euler, Rk4 };

  void restart() override;
  void params_changed() override;
  double width() const;  // of the frequency distribution: gamma or sigma
  void euler_pass();
  void rk4_pass(int stage);
  void refresh_mean_field();  // recompute sums from scratch, quarantining non-finite units
  void finish_sums();         // reduce block partials, detect NaN, set r and psi
  void quarantine_non_finite();
  void swap_units(std::size_t a, std::size_t b);
  void remove_at(std::size_t i);
  void freeze_at(std::size_t i);
  void recompute_frozen_sums();

  // Parameters (bound in the constructor).
  kuramoto::Distribution distribution_{};
  Sampling sampling_{};
  Integrator integrator_{};
  double gamma_ = 0, sigma_ = 0, omega0_ = 0, init_spread_ = 0, K_ = 0, dt_ = 0;

  std::vector<float> phase_, omega_;
  std::vector<float> k_last_, k_sum_;  // RK4 stage scratch
  std::vector<double> partial_;        // per-block (cos, sin, velocity) sums, fixed order
  AdaptiveTeam euler_team_, rk4_team_;  // threads per sweep, chosen by timing (the RK4 stages cost alike)
  std::size_t n_ = 0, n_moving_ = 0, n_active_ = 0;
  double frozen_c_ = 0, frozen_s_ = 0;
  double sum_c_ = 0, sum_s_ = 0, sum_v_ = 0;  // over moving oscillators, of the last pass
  double r_ = 0, psi_ = 0, mean_freq_ = 0;
  std::uint64_t quarantined_ = 0;
  Rng rng_;
};

}  // namespace obs
