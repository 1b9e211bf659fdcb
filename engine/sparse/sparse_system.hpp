#pragma once
// A sparse feed-forward network as a System (issue 14): a chain of truly sparse layers
// (sparse_chain.hpp) trained through its connections only, whose structure is either fixed at
// its random start ("static"), rewired every few steps by one of the two published baselines
// (SET: drop the smallest |w|, regrow at random; RigL: drop the smallest |w|, regrow where the
// dense gradient is largest, a cosine-decayed fraction), or changed by the evidence planner
// (evidence_planner.hpp: Cold/Warm/Hot, growth by SNR and micro-rollout under a budget, Cooling
// by the Taylor score).
//
// One step() is one mini-batch; at the end of an epoch the test set is evaluated over a few
// steps, then the next epoch starts with a fresh shuffle (as eqprop).
#include <memory>
#include <vector>

#include "core/deep_copy_ptr.hpp"
#include "core/rng.hpp"
#include "learn/learner.hpp"
#include "sparse/baseline_run.hpp"
#include "sparse/delta_log.hpp"
#include "sparse/evidence_planner.hpp"
#include "sparse/kernel_choice.hpp"
#include "sparse/layer_density.hpp"
#include "sparse/sparse_chain.hpp"
#include "sparse/sparse_snapshot.hpp"
#include "sparse/unit_history.hpp"

namespace obs {

class SparseSystem final : public learn::Learner {
 public:
  SparseSystem();

  std::string_view kind() const override { return "sparse"; }
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

  // Read-only, for tests.
  const sparse::SparseChain& chain() const { return *chain_; }
  // The Δ-state log, or null when it is off (delta_log = 0).
  const sparse::DeltaLog* delta_log() const { return delta_log_.get(); }
  double update_fraction() const;
  const sparse::UnitHistory& unit_history() const { return unit_history_; }
  // SET and RigL trained beside this network (the `baselines` parameter), else empty.
  const std::vector<sparse::BaselineRun>& baselines() const { return baselines_; }

  enum class Method { Static, Set, RigL, Evidence };

 private:
  // The fields a checkpoint holds, listed once for writing and reading (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a);

  void restart() override;
  void params_changed() override;

  void train_batch();
  void eval_chunk();
  void rewire();          // rewire_by_rule() or plan(), each unit's changes recorded
  void rewire_by_rule();  // SET or RigL
  // Removes every connection whose weight is not finite; returns how many went.
  std::size_t quarantine_non_finite();
  void count_dead_units();
  void plan();
  void configure_delta_log();
  sparse::BaselineSettings baseline_settings() const;
  // Puts each layer on the kernel the `kernel` parameter asks for (auto: the predicted faster).
  void choose_kernels();
  // Fills x and labels from d: examples idx[0..count) (or first.. when idx is null); columns past
  // count are zero padding.
  void fill(sparse::RowMat& x, std::vector<std::uint8_t>& labels, const data::Dataset& d, const std::uint32_t* idx,
            std::size_t first, std::size_t count) const;

  // Parameters (bound in the constructor).
  int hidden_1_ = 300, hidden_2_ = 100, batch_ = 32, max_epochs_ = 0, rewire_every_ = 100;
  std::int64_t rewire_end_ = 20000;
  double density_ = 0.05, lr_ = 0.05, rewire_fraction_ = 0.3;
  Method method_ = Method::Set;
  enum class Optimizer { Sgd, Adam };
  Optimizer optimizer_ = Optimizer::Sgd;
  sparse::DensityRule density_rule_ = sparse::DensityRule::ErdosRenyi;
  sparse::PlannerSettings planner_;  // the evidence method's parameters (bound in the constructor)

  DeepCopyPtr<sparse::SparseChain> chain_;  // rebuilt at every restart (its shape is a parameter)
  // Made at the first evidence cycle (its budgets are the connections then); kept while the
  // method is switched away and back, so Cooling carries on.
  DeepCopyPtr<sparse::EvidencePlanner> planner_engine_;
  std::vector<sparse::Probe> probes_;  // the last evidence cycle's
  enum class Kernel { Sparse, Dense, Auto };
  Kernel kernel_ = Kernel::Sparse;
  sparse::KernelCosts kernel_costs_;   // measured at the first auto choice
  bool kernels_calibrated_ = false;
  bool with_baselines_ = false;
  std::vector<sparse::BaselineRun> baselines_;  // SET, RigL: made at restart when with_baselines_
  int delta_log_steps_ = 0;            // the Δ-state log's ring (0: off)
  double delta_eps_ = 0;
  DeepCopyPtr<sparse::DeltaLog> delta_log_;
  std::uint64_t commits_ = 0;          // regions committed since the start
  std::uint64_t budget_moved_ = 0;     // tokens of budget moved between layers (CGPT) since the start
  std::uint64_t splits_ = 0, kept_splits_ = 0;  // clone-and-splits made, and kept when judged
  std::vector<int> sizes_;
  sparse::RowMat x_;                   // the batch, features x batch
  std::vector<std::uint8_t> labels_;
  std::uint64_t quarantined_ = 0, refused_ = 0, last_moved_ = 0;
  int dead_units_ = 0;
  sparse::UnitHistory unit_history_;  // each unit's recent rewirings, for the view's inspector
  std::vector<sparse::RewireEvent> rewires_;  // a ring of the last kRewireLog, oldest first
  Rng rng_;
};

}  // namespace obs
