#pragma once
// Where a learner is in its epoch: the order in which it visits the training examples (a
// uniform random permutation, reshuffled in place at every epoch, so the same seed visits the
// same examples whichever engine it is), which batch comes next, and how far the evaluation
// pass over the test set has got.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace obs::learn {

class EpochCursor {
 public:
  // Training examples 0 .. n-1 in batches of `batch` (the last partial batch of an epoch is
  // dropped: every update sees a full batch), over a test set of `tests` examples. The order
  // starts as 0, 1, ..., n-1; call shuffle() before the first epoch.
  void reset(std::size_t n, std::size_t batch, std::size_t tests) {
    order_.resize(n);
    for (std::size_t i = 0; i < n; ++i) order_[i] = static_cast<std::uint32_t>(i);
    batch_size_ = batch;
    batches_per_epoch_ = batch ? n / batch : 0;
    tests_ = tests;
    batch_ = eval_pos_ = 0;
  }
  // A new order for the epoch about to start (Fisher-Yates from the end: each of the n!
  // permutations equally likely), and back to its first batch.
  void shuffle(Rng& rng) {
    for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[static_cast<std::size_t>(rng.below(i))]);
    batch_ = 0;
  }

  // The training examples of the current batch.
  const std::uint32_t* batch_examples() const { return order_.data() + batch_ * batch_size_; }
  std::uint64_t batch() const { return batch_; }
  std::uint64_t batches_per_epoch() const { return batches_per_epoch_; }
  // Moves to the next batch; true when that was the epoch's last.
  bool next_batch() { return ++batch_ >= batches_per_epoch_; }
  // The share of the epoch's training batches done (1 while the test set is evaluated).
  double progress() const {
    return batches_per_epoch_ ? static_cast<double>(batch_) / static_cast<double>(batches_per_epoch_) : 0.0;
  }

  // The evaluation pass: the test examples [eval_position(), + eval_count(batch)) come next.
  void start_eval() { eval_pos_ = 0; }
  std::size_t eval_position() const { return eval_pos_; }
  std::size_t eval_count(std::size_t batch) const { return eval_pos_ < tests_ ? std::min(batch, tests_ - eval_pos_) : 0; }
  // Moves past `count` test examples; true when the whole test set has been seen.
  bool advance_eval(std::size_t count) { return (eval_pos_ += count) >= tests_; }
  bool eval_done() const { return eval_pos_ >= tests_; }

  std::span<const std::uint32_t> order() const { return order_; }
  // Checkpoints (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.order_, self.batch_size_, self.tests_, self.eval_pos_, self.batch_, self.batches_per_epoch_);
  }

 private:
  std::vector<std::uint32_t> order_;
  std::size_t batch_size_ = 0, tests_ = 0, eval_pos_ = 0;
  std::uint64_t batch_ = 0, batches_per_epoch_ = 0;
};

}  // namespace obs::learn
