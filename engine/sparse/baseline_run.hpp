#pragma once
// A published baseline trained beside the sparse system's own network, in lockstep (issue 14's
// "density and accuracy curves of the planner against SET and RigL"): it starts as a copy of
// that network at step 0 (the same mask and weights), trains on the same batches with the same
// optimizer and rate, is scored on the same test chunks, and differs only in how it rewires:
// SET once per epoch (as its paper), RigL every rewire_every steps with its fraction decaying
// to 0 at rewire_end (as its paper), both at the system's rewire_fraction. SET's random regrowth draws from the run's own stream, so switching the
// baselines on changes nothing in the system's own run. Perturbations go to the system's network
// only: the baselines are the unperturbed reference.
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "learn/epoch_tally.hpp"
#include "sparse/sparse_chain.hpp"

namespace obs::sparse {

struct BaselineSettings {
  bool adam = false;
  float lr = 0.05f;
  int rewire_every = 100;  // RigL: steps between rewirings
  int set_every = 1875;    // SET: steps between rewirings (an epoch's batches)
  double fraction = 0.3;   // SET's zeta; RigL's alpha at step 0
  long rewire_end = 20000;  // RigL: the fraction reaches 0 here
};

class BaselineRun {
 public:
  // by_gradient: RigL, else SET. `seed` seeds the run's own random stream.
  BaselineRun(std::string name, bool by_gradient, const SparseChain& start, std::uint64_t seed);

  // Trains one batch as the system's step `step` (0-based) does, and rewires when that step is
  // one of its rewiring steps ((step + 1) % every == 0). A non-finite loss or gradient refuses the
  // update (counted in refused()).
  void train(const RowMat& x, const std::vector<std::uint8_t>& labels, const BaselineSettings& s, std::uint64_t step);
  // Scores the first `count` columns of x.
  void evaluate(const RowMat& x, const std::vector<std::uint8_t>& labels, std::size_t count);
  // Closes the epoch's train and test scores (their last means are what the metrics show).
  void end_epoch();

  const std::string& name() const { return name_; }
  const SparseChain& chain() const { return chain_; }
  double train_accuracy() const { return train_.accuracy(); }
  double test_accuracy() const { return test_.last_accuracy(); }
  double loss() const { return train_.loss(); }
  std::uint64_t refused() const { return refused_; }
  // Connections over the dense layers' weights.
  double density() const;

  // Checkpoints (core/state_archive.hpp); the name and rule are the restart's.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.chain_, self.rng_, self.train_, self.test_, self.refused_);
  }

 private:
  std::string name_;
  bool by_gradient_;
  SparseChain chain_;
  Rng rng_;
  learn::EpochTally train_, test_;
  std::uint64_t refused_ = 0;
};

}  // namespace obs::sparse
