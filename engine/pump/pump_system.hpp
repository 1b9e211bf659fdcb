#pragma once
// obs::PumpSystem, kind "pump": the torsional Markov pump with hyperbolic sparsemax on the
// 4x4x4 voxel packet, in exact rational arithmetic (design: hyperbolic-sparsemax-pump.md).
//
// reset() builds the whole exact model once (spinors, K, pi, currents, badges: see
// pump_model.hpp). step() then evolves a distribution p(t+1) = p(t) K, exactly in GMP
// rationals for the first `exact_steps` steps and in doubles after that (the switch is an
// Info event, the `exact_mode` metric and PumpSnapshot::exact_mode), and moves the
// walkers, each sampling its next voxel from its row of K, so the current can be watched.
//
// Allocation: the double path and the walkers allocate nothing in step(). The exact path
// reuses its GMP values, but GMP itself reallocates limbs as the fractions grow; that is
// the accepted price of exactness, and it stops at the horizon.
#include <gmpxx.h>

#include <array>
#include <memory>
#include <vector>

#include "core/rng.hpp"
#include "core/system.hpp"
#include "pump/pump_model.hpp"
#include "pump/pump_snapshot.hpp"

namespace obs {

class PumpSystem final : public System {
 public:
  PumpSystem();

  std::string_view kind() const override { return "pump"; }
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
  const pump::PumpModel& model() const { return *model_; }
  bool exact_mode() const { return exact_; }
  const std::array<double, pump::kVoxels>& distribution() const { return p_; }
  std::vector<pump::Exact> exact_distribution() const;  // empty once in doubles
  std::size_t walkers_alive() const { return alive_; }
  std::size_t walkers_moving() const { return moving_; }
  const std::vector<std::uint8_t>& walkers() const { return walkers_; }

 private:
  // The fields a checkpoint holds, listed once for writing and reading (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a);
  enum class Start { Corner, Core, Uniform, Stationary };

  void restart() override;
  pump::PumpConfig read_config() const;
  void start_distribution();
  void start_walkers();
  void guard_non_finite();
  void step_exact();
  void step_double();
  void step_walkers();
  void mirror_exact();  // p_ <- doubles of p_exact_
  bool renormalise_exact();
  bool renormalise_double();
  void restore_from_pi(const char* why);
  void refresh_metrics();

  std::shared_ptr<const pump::PumpModel> model_;
  std::vector<mpq_class> p_exact_, p_exact_next_;
  mpq_class term_;  // scratch for the exact product
  std::array<double, pump::kVoxels> p_{}, p_next_{};
  bool exact_ = true;

  // Parameters (bound in the constructor); the rationals stay exact text until read_config.
  std::string lambda_, A0_, spread_, w_min_, w_max_;
  int chiral_depth_ = 3;
  std::size_t walker_count_ = 0;
  std::uint64_t exact_steps_ = 0;
  Start start_{};

  std::vector<std::uint8_t> walkers_, walkers_prev_;  // [moving | frozen | removed]
  std::size_t moving_ = 0, alive_ = 0;
  double flux_ = 0;  // walker net forward moves per moving walker per step, smoothed

  double tv_ = 0, core_mass_ = 0;
  bool p_parity_ = false;
  std::uint64_t quarantined_ = 0;
  Rng rng_;
};

}  // namespace obs
