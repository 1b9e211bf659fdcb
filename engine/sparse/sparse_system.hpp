#pragma once
// A sparse feed-forward network as a System (issue 14's first stage): a chain of truly sparse
// layers (sparse_chain.hpp) trained by SGD through its connections only, whose structure is
// either fixed at its random start ("static") or rewired every few steps by one of the two
// published baselines the evidence planner is to be measured against: SET (drop the smallest
// |w|, regrow at random) or RigL (drop the smallest |w|, regrow where the dense gradient is
// largest, a cosine-decayed fraction). The planner itself (Cold/Warm/Hot, growth by SNR and
// micro-rollout) is not here yet.
//
// One step() is one mini-batch; at the end of an epoch the test set is evaluated over a few
// steps, then the next epoch starts with a fresh shuffle (as eqprop).
#include <memory>
#include <vector>

#include "core/rng.hpp"
#include "learn/learner.hpp"
#include "sparse/layer_density.hpp"
#include "sparse/sparse_chain.hpp"
#include "sparse/sparse_snapshot.hpp"

namespace obs {

class SparseSystem final : public learn::Learner {
 public:
  SparseSystem();

  std::string_view kind() const override { return "sparse"; }
  std::uint64_t bytes_needed() const override;
  void step() override;
  std::shared_ptr<const Snapshot> snapshot() const override;
  std::vector<PerturbKind> supported_perturbations() const override;
  void perturb(const Perturbation& p) override;
  void dump(nlohmann::json& out) const override;
  std::uint64_t state_hash() const override;

  // Read-only, for tests.
  const sparse::SparseChain& chain() const { return *chain_; }
  double update_fraction() const;

  enum class Method { Static, Set, RigL };

 private:

  void restart() override;
  void params_changed() override;

  void train_batch();
  void eval_chunk();
  void rewire();
  // Removes every connection whose weight is not finite; returns how many went.
  std::size_t quarantine_non_finite();
  void count_dead_units();
  void fill(const data::Dataset& d, const std::uint32_t* idx, std::size_t first, std::size_t count);

  // Parameters (bound in the constructor).
  int hidden_1_ = 300, hidden_2_ = 100, batch_ = 32, max_epochs_ = 0, rewire_every_ = 100;
  std::int64_t rewire_end_ = 20000;
  double density_ = 0.05, lr_ = 0.05, rewire_fraction_ = 0.3;
  Method method_ = Method::Set;
  enum class Optimizer { Sgd, Adam };
  Optimizer optimizer_ = Optimizer::Sgd;
  sparse::DensityRule density_rule_ = sparse::DensityRule::ErdosRenyi;

  std::unique_ptr<sparse::SparseChain> chain_;  // rebuilt at every restart (its shape is a parameter)
  std::vector<int> sizes_;
  sparse::RowMat x_;                   // the batch, features x batch
  std::vector<std::uint8_t> labels_;
  std::uint64_t quarantined_ = 0, refused_ = 0, last_moved_ = 0;
  int dead_units_ = 0;
  std::vector<sparse::RewireEvent> rewires_;  // a ring of the last kRewireLog, oldest first
  Rng rng_;
};

}  // namespace obs
