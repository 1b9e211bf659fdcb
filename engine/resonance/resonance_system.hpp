#pragma once
// Resonant compression (../shared/design/resonant-compression.md, §4-§10): N oscillators
// (phi_i, omega_i, A_i) coupled only through M carriers c_k by a sparse presence matrix P.
//
// Layout, for a memory-bound sparse step: oscillators are structure-of-arrays over fixed slots
// (a slot is free, alive, frozen or quarantined; the stream reuses free slots); P is stored by
// rows with a fixed width d_max (carrier slot + value per entry, -1 = empty), so one sweep over
// oscillators computes g = P c for the phase update, scatters u = P^T z into per-block carrier
// partials (fixed block order: bit-identical whatever the thread count) and updates the bonds
// (Eq. 13) in place. Carriers are few: their state lives in small arrays indexed by slot, and the
// architecture (mitosis, metabolism, genesis, capture) runs every r_arch steps on that scale.
#include <complex>
#include <memory>
#include <string>
#include <vector>

#include "core/adaptive_team.hpp"
#include "core/rng.hpp"
#include "core/system.hpp"
#include "resonance/resonance_snapshot.hpp"

namespace obs {

class ResonanceSystem final : public System {
 public:
  using Fate = resonance::Fate;
  using Lifetime = resonance::Lifetime;
  using Origin = resonance::Origin;

  ResonanceSystem();

  std::string_view kind() const override { return "resonance"; }
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

  // §7.2 observe(): carrier observables and global metrics, read-only.
  struct CarrierObservation {
    std::uint32_t id;
    std::complex<double> c;
    double omega, intake, coherence, D, gate_width, spectral_centre, spectral_variance;
    int bonds;
  };
  std::vector<CarrierObservation> observe() const;
  // Eq. 33: soft assignment m_ik of oscillator slot i over carrier ids (empty when unbound).
  std::vector<std::pair<std::uint32_t, double>> soft_assignment(std::size_t i) const;

  double order_parameter() const { return R_; }
  std::size_t live_oscillators() const { return n_live_; }
  std::size_t live_carriers() const { return m_live_; }

  enum : std::uint8_t { kFree = 0, kAlive = 1, kFrozen = 2, kQuarantined = 3 };

 private:
  // The fields a checkpoint holds, listed once for writing and reading (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a);
  enum class Init { Random, SingleCarrier, TwoGroups, Stream };
  enum class Sampling { Quantile, Random };
  enum class CarrierModel { Integrated, QuasiSteady };
  enum class AmpModel { Fixed, Cubic, Leaky };
  enum class PhaseRep { Float, Int64 };
  enum class PerturbTarget { Oscillators, Carriers };
  enum class Kernel { Vector, Scalar };

  void check_params() const override;
  void restart() override;
  void params_changed() override;
  // Means over live carriers of D_k, coherence and gate width, and how many are active.
  struct CarrierMeans {
    double D = 0, coherence = 0, gate_width = 0, active = 0;
  };
  CarrierMeans carrier_means() const;
  mutable CarrierMeans read_means_;  // carrier_means() as of the current metrics read
  double compression_length() const;  // L_comp = nnz(P) + M_active (§7.2)
  double per_NM(double x) const;      // x / (N M), 0 when either is 0
  double phase_coupling_z() const;    // t statistic of the phase-coupling measurements
  // resonance_sweep.cpp: the per-step kernel and the carrier update.
  void prepare_carriers();
  void update_quasi_steady_carriers();
  void sweep();  // the chosen kernel: sweep_vector() or sweep_scalar()
  struct SweepArgs;  // resonance_sweep_args.hpp
  SweepArgs sweep_args();
  void sweep_scalar();  // one oscillator at a time: the reference the vector kernel is tested against
  void sweep_vector();  // resonance_sweep_vector.cpp: passes over kPass oscillators that vectorise
  void reduce_and_update_carriers();
  void handle_flagged();
  // resonance_architecture.cpp: §5 (mitosis, dissolution, genesis) and bond seeding.
  void architecture();
  double mode_alignment(std::size_t k) const;
  int unbound_slot(std::size_t i) const;  // the free bond slot of an active, unbound oscillator, or -1
  void capture_unbound();
  void genesis();
  bool try_mitosis(std::size_t k);
  void dissolve(std::size_t k, Fate fate);
  // parent: the id of the carrier a mitosis child split from (0 for none).
  int new_carrier(Origin origin, std::complex<double> c, double omega, double W, std::uint32_t parent = 0);
  void remove_bonds_of_carrier(std::size_t k);
  void remove_oscillator(std::size_t i, std::uint8_t state);
  int free_carrier_slot() const;
  // resonance_stream.cpp: §10 environment, §7 readouts (never feed back).
  void stream_step();
  void inject_group();
  void readout_groups();
  void measure_phase_coupling();
  double prototype_centre(int cls) const;
  // resonance_system.cpp
  void init_population();
  int add_oscillator(float phase, float omega, float A, float A0, float drive, std::uint64_t drive_until, int group);
  void set_phase(std::size_t i, double phi);  // any finite phi: reduced exactly to [-pi, pi]
  float phase_of(std::size_t i) const;  // in the rotating frame when one is used
  std::uint64_t increment_for(float omega) const;
  void check_carriers_finite();
  void update_global_metrics();
  // A noise kick's angle: Gaussian, or uniform beyond resonance::kUniformKick (then reported).
  double phase_kick(double amplitude);
  void warn_if_uniform_kick(double amplitude);

  static constexpr int F = 12;  // per-carrier partial sums, see sweep()
  static constexpr std::size_t kSweepBlock = 4096;  // oscillators per block of carrier partials
  static constexpr std::size_t kBlockScalars = 13;  // per block: see blk_
  static constexpr std::size_t kPass = 128;          // oscillators per pass of the vector kernel
  static constexpr std::size_t kPassOscFloats = 12;  // per oscillator in a pass: see sweep_vector()
  static constexpr std::size_t kPassBondFloats = 8;  // per bond in a pass (and one slot index)
  // Floats of one thread's pass scratch for rows of d bonds (its slot indices: kPass * d).
  static constexpr std::size_t pass_floats(std::size_t d) { return kPass * (kPassOscFloats + kPassBondFloats * d); }

  // Parameters (bound in the constructor).
  std::size_t cap_ = 0, d_ = 4, mcap_ = 64, M0_ = 0, bonds_init_ = 0, background_ = 0, stream_group_ = 0;
  Init init_{};
  std::string distribution_;
  Sampling sampling_{};
  CarrierModel carrier_model_{};
  AmpModel amp_model_{};
  PhaseRep phase_rep_{};
  PerturbTarget perturb_target_{};
  Kernel kernel_{};
  double omega0_ = 0, omega_width_ = 0, init_spread_ = 0, P_init_ = 0, group_gap_ = 0, group_phase_ = 0, group_spread_ = 0;
  double dt_ = 0.01, gamma_ = 1, beta_ = 0, kappa_ = 1, W_min_ = 0.3, W_max_ = 6.28, eta_n_ = 0, eta_w_ = 0;
  double tau_p_ = 1, alpha_p_ = 1, lambda_p_ = 0.5, eps_snap_ = 0.01, P_seed_ = 0.1, capture_band_ = 0.2;
  double alpha_A_ = 1, rho_ = 0, A_active_ = 0.3, P_min_ = 0.05, dither_ = 0, frame_omega_ = 0, intake_tau_ = 1;
  double theta_div_ = 0.95, T_div_ = 1, mm_min_std_ = 0.05, refractory_ = 5, I_min_ = 0.05, T_diss_ = 5;
  double A_pressure_ = 5, R_genesis_ = 0.5, phase_noise_ = 0.1, W0_ = 3.14, c_active_ = 1e-3;
  double stream_lo_ = 0, stream_hi_ = 0, stream_interval_ = 1, stream_freq_spread_ = 0, stream_phase_spread_ = 0;
  double stream_pulse_ = 0, stream_pulse_time_ = 0, background_amp_ = 0, A_retire_ = 0, readout_delay_ = 0;
  int stream_classes_ = 1, r_c_ = 1, r_P_ = 1, r_arch_ = 10, col_cap_ = 0, measure_every_ = 0;
  bool gate_ = true, tuning_ = true, frame_ = false, bonds_on_ = true;
  bool mitosis_on_ = true, genesis_on_ = true, dissolve_on_ = true, mode_instability_ = true;
  // Derived at reset from the restart parameters above.
  bool int_phase_ = false, stream_ = false;
  double Omega_ = 0;  // the frame's frequency (0 without a rotating frame)

  // Oscillators (slots).
  std::vector<float> phase_, omega_, amp_, amp0_, drive_;
  std::vector<std::uint64_t> acc_, inc_, drive_until_;
  std::vector<std::uint8_t> state_, flag_;
  std::vector<std::int32_t> group_;
  std::vector<std::int32_t> bk_;  // row-major N x d_max: carrier slot or -1
  std::vector<float> bp_;         // P_ik for the same entries
  std::vector<std::uint32_t> free_slots_;
  std::size_t n_live_ = 0;

  // Carriers (slots).
  std::vector<double> cre_, cim_, com_, W_, intake_, coh_, base_, D_, centre_, var_, wsum_;
  std::vector<std::int32_t> bonds_;
  std::vector<std::uint32_t> cid_;
  std::vector<std::uint8_t> calive_;
  // refractory_until_: no dissolution after any birth; split_refractory_until_: no mitosis after a mitosis.
  std::vector<std::uint64_t> cborn_, refractory_until_, split_refractory_until_;
  std::vector<Origin> corigin_;
  std::vector<int> div_count_, starve_count_, life_index_;
  std::vector<double> div_Dsum_;
  std::size_t m_live_ = 0;
  std::uint32_t next_id_ = 1;
  // Per-step carrier constants for the sweep (float, slot-indexed).
  std::vector<float> k_psi_, k_isig_, k_re_, k_im_, k_centre_;
  std::vector<float> k_gate_;  // 0 or 1, float so that the vector kernel gathers it with the rest
  int k_hi_ = 0;  // 1 + highest live carrier slot

  // Sweep partials: per block, per carrier slot, F floats; plus per-block scalars.
  std::vector<float> part_;
  AdaptiveTeam sweep_team_;  // threads of the sweep, chosen by timing it
  AdaptiveTeam drive_team_;  // threads of the quasi-steady drive pass
  std::vector<double> blk_;  // per block: R cos/sin, unbound A cos/sin/sum, apex A/index, bad, retire, snaps, stream cos/sin/count
  std::vector<double> sums_;  // reduced carrier sums, mcap x F
  // Vector kernel scratch, per thread: pass_floats(d) floats and kPass x d slots (23 KB at d = 4:
  // it stays in L1).
  std::vector<float> pass_f_;
  std::vector<std::int32_t> pass_k_;

  // Global observables.
  double time_ = 0, frame_angle_ = 0, R_ = 0, max_R_ = 0, RU_ = 0, AU_ = 0, R_stream_ = 0, max_R_stream_ = 0;
  std::int64_t apex_ = -1;
  std::uint64_t nnz_ = 0, births_ = 0, deaths_ = 0, mitoses_ = 0, geneses_ = 0, dissolutions_ = 0;
  std::uint64_t snaps_ = 0, seeds_ = 0, quarantined_osc_ = 0, quarantined_car_ = 0, retired_ = 0, injected_groups_ = 0;
  double mitosis_D_sum_ = 0;  // sum over mitoses of the mean min(D, mode alignment) over the persistence window
  std::uint64_t genesis_ready_ = 0;
  std::vector<Lifetime> lifetimes_;
  std::vector<std::uint64_t> scratch_;                  // mitosis / measurement gather (N x d_max)
  std::vector<std::pair<float, std::uint32_t>> wscratch_;  // (omega, entry) for the spectral split

  // Stream and readouts.
  struct Group {
    std::int32_t id = -1, cls = 0;
    std::uint64_t born = 0;
    bool evaluated = false;
  };
  std::vector<Group> groups_;  // ring
  std::int32_t next_group_ = 0;
  std::uint64_t next_injection_ = 0, readout_n_ = 0, readout_correct_ = 0, dropped_ = 0;
  double pd_shared_sum_ = 0, pd_random_sum_ = 0, pd_diff_sum_ = 0, pd_diff_sq_ = 0;
  std::uint64_t pd_checks_ = 0;

  Rng rng_;          // dynamics: initial state, mitosis kicks, perturbations
  Rng stream_rng_;   // the environment
  Rng measure_rng_;  // readouts only: drawing from it can never change the dynamics
};

}  // namespace obs
