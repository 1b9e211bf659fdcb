#pragma once
// What every system that learns from a data set shares (cube and eqprop today; sparse and emx
// next): the data parameters, declared once with each engine's defaults; the loaded split; the
// epoch cursor; the running scores; the learning metrics; and the end of an epoch with its
// report. An engine derives from Learner instead of System and keeps only what is its own: the
// model, its relaxation or forward pass, and its update.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/rng.hpp"
#include "core/state_hash.hpp"
#include "core/system.hpp"
#include "data/dataset.hpp"
#include "learn/data_source.hpp"
#include "learn/epoch_cursor.hpp"
#include "learn/epoch_tally.hpp"

namespace obs::learn {

class Learner : public System {
 public:
  // Read-only, for tests and benchmarks.
  int epoch() const { return epoch_; }
  double train_accuracy() const { return train_.accuracy(); }
  double test_accuracy() const { return test_.last_accuracy(); }
  // A clone shares the data set (data_ below): its bytes are the rest of bytes_needed().
  std::uint64_t clone_bytes() const override {
    const std::uint64_t all = bytes_needed(), data = data_bytes();
    return all > data ? all - data : 0;
  }

 protected:
  // Each engine's defaults for the shared data parameters.
  struct DataDefaults {
    std::size_t train_size = 1000, test_size = 500;
    double data_noise = 0.1;
    int spiral_arms = 2;
  };
  // Declares dataset, train_size, test_size, data_noise and spiral_arms (group "Data"), bound to
  // data_spec_. Call it where the engine wants them in its parameter list.
  void declare_data_params(const DataDefaults& defaults);
  // Declares train_accuracy, test_accuracy (NaN until the first epoch ends), epoch,
  // epoch_progress, epoch_seconds, and `loss` for a learner that measures one (with_loss).
  void declare_learning_metrics(bool with_loss);

  // The bytes the data set the parameters name will take (for bytes_needed; reads params_,
  // which may differ from what is loaded), and the length of one of its examples.
  std::uint64_t data_bytes() const;
  static int example_dim(const std::string& dataset);

  // Loads data_ from the bound data parameters, seeded by seed_ (InputError naming the parameter
  // when it cannot be had), then starts the first epoch's bookkeeping: the cursor over the
  // training set in batches of `batch` (InputError when not one full batch fits), scores
  // cleared, epoch 0. The order is shuffled by start_epoch(), which the engine calls when its
  // own random draws of the restart are done.
  void load_data(std::size_t batch);
  // A fresh order for the next epoch, and its clock started.
  void start_epoch(Rng& rng);
  // Ends the epoch whose test pass just finished: closes both scores, emits the report (test
  // and train accuracy, loss where measured, seconds) and counts the epoch.
  void end_epoch();

  // For a learner that trains an epoch in batches and then evaluates the test set over a few
  // steps (eqprop, sparse): where it is, and the moves between the phases.
  enum class Phase { Training, Evaluating, Finished };
  // After the test pass: end_epoch(), the next epoch's order, and Finished once max_epochs are
  // done (0 = never).
  void next_epoch(Rng& rng, int max_epochs);
  // Training again when the epoch limit was raised past the epochs done (an edit between steps).
  void resume_if_raised(int max_epochs);
  // The phase in words, for a snapshot's status line.
  std::string phase_text() const;
  // The learning position into a state hash: step, epoch, batch, test position, phase.
  void hash_progress(StateHash& h) const;
  // The learning position for a checkpoint (core/state_archive.hpp); each engine's state_io
  // calls it first. The data set is not in it: restart loads it again from the parameters.
  template <class Self, class A>
  static void learner_io(Self& self, A& a) {
    a(self.cursor_, self.train_, self.test_, self.epoch_, self.epoch_seconds_, self.phase_);
  }

  DataSpec data_spec_;
  // Loaded at restart and never written after: a clone shares it (a Fashion-MNIST split is
  // 200 MB, a rewind history holds hundreds of clones).
  const data::Split& data() const { return *data_; }
  std::shared_ptr<const data::Split> data_ = std::make_shared<const data::Split>();
  EpochCursor cursor_;
  EpochTally train_, test_;
  int epoch_ = 0;
  double epoch_seconds_ = 0;
  Phase phase_ = Phase::Training;

 private:
  std::chrono::steady_clock::time_point epoch_start_{};
  bool with_loss_ = false;
};

}  // namespace obs::learn
