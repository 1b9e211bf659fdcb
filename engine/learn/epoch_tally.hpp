#pragma once
// The running score of one pass over a data set: how many answers were right out of how many,
// and (for a learner that measures one) the summed loss. Between epochs, when nothing of the new
// one has been seen, it answers with the last epoch's means, so a plot does not drop to zero at
// every epoch boundary; before the first epoch closes it answers NaN, "not measured yet".
#include <cstdint>
#include <limits>

namespace obs::learn {

class EpochTally {
 public:
  // `hits` right out of `n` examples whose losses add up to `loss_sum`.
  void add(std::uint64_t hits, std::uint64_t n, double loss_sum = 0) {
    correct_ += hits;
    seen_ += n;
    loss_sum_ += loss_sum;
  }
  // The means so far; the last epoch's while nothing new has been seen.
  double accuracy() const { return seen_ ? static_cast<double>(correct_) / static_cast<double>(seen_) : last_accuracy_; }
  double loss() const { return seen_ ? loss_sum_ / static_cast<double>(seen_) : last_loss_; }
  // Ends the epoch: its means become the last epoch's and the count starts over. An epoch in
  // which nothing was seen (every batch discarded) keeps the previous means.
  void close() {
    if (seen_) {
      last_accuracy_ = accuracy();
      last_loss_ = loss();
    }
    correct_ = seen_ = 0;
    loss_sum_ = 0;
  }
  // Forgets everything: back to "not measured yet".
  void clear() { *this = EpochTally{}; }

  // The last closed epoch's means (a test pass reports these, not its running count).
  double last_accuracy() const { return last_accuracy_; }
  double last_loss() const { return last_loss_; }
  std::uint64_t seen() const { return seen_; }
  double loss_sum() const { return loss_sum_; }

 private:
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t correct_ = 0, seen_ = 0;
  double loss_sum_ = 0;
  double last_accuracy_ = kNaN, last_loss_ = kNaN;
};

}  // namespace obs::learn
