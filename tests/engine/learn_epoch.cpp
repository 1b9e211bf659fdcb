// The learners' shared epoch bookkeeping: the cursor visits every training example once per
// epoch in full batches, the test pass sees every test example once, and the tally's means are
// those a hand count gives.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <vector>

#include "core/rng.hpp"
#include "learn/epoch_cursor.hpp"
#include "learn/epoch_tally.hpp"

TEST_CASE("epoch cursor: every training example once per epoch, the partial batch dropped, a new order each epoch") {
  obs::learn::EpochCursor cursor;
  obs::Rng rng(5);
  cursor.reset(103, 10, 25);  // 10 full batches; the last 3 examples of an epoch's order are not trained on
  CHECK(cursor.batches_per_epoch() == 10);
  std::vector<std::uint32_t> first_order;
  for (int epoch = 0; epoch < 2; ++epoch) {
    cursor.shuffle(rng);
    std::set<std::uint32_t> all(cursor.order().begin(), cursor.order().end());
    CHECK(all.size() == 103);  // a permutation
    std::multiset<std::uint32_t> trained;
    bool done = false;
    int batches = 0;
    while (!done) {
      CHECK(cursor.progress() == doctest::Approx(batches / 10.0));
      for (int b = 0; b < 10; ++b) trained.insert(cursor.batch_examples()[b]);
      ++batches;
      done = cursor.next_batch();
    }
    CHECK(batches == 10);
    CHECK(cursor.progress() == 1.0);
    CHECK(std::set<std::uint32_t>(trained.begin(), trained.end()).size() == 100);  // none twice
    if (epoch == 0) first_order.assign(cursor.order().begin(), cursor.order().end());
    else CHECK(std::vector<std::uint32_t>(cursor.order().begin(), cursor.order().end()) != first_order);
  }
}

TEST_CASE("epoch cursor: the test pass covers the test set once, in blocks of at most a batch") {
  obs::learn::EpochCursor cursor;
  cursor.reset(40, 10, 25);
  cursor.start_eval();
  std::vector<std::size_t> counts;
  std::size_t covered = 0;
  bool done = false;
  while (!done) {
    CHECK(cursor.eval_position() == covered);
    const std::size_t n = cursor.eval_count(10);
    counts.push_back(n);
    covered += n;
    done = cursor.advance_eval(n);
  }
  CHECK(counts == std::vector<std::size_t>{10, 10, 5});
  CHECK(cursor.eval_done());
  CHECK(cursor.eval_count(10) == 0);

  cursor.reset(40, 10, 0);  // no test set: the pass is over before it starts
  cursor.start_eval();
  CHECK(cursor.eval_done());
}

TEST_CASE("epoch tally: running means, the last epoch's between epochs, NaN before the first") {
  obs::learn::EpochTally t;
  CHECK(std::isnan(t.accuracy()));
  CHECK(std::isnan(t.loss()));
  t.add(3, 4, 2.0);  // 3 of 4 right, losses summing to 2
  t.add(1, 4, 6.0);
  CHECK(t.accuracy() == 0.5);  // 4 of 8
  CHECK(t.loss() == 1.0);      // 8 / 8
  t.close();
  CHECK(t.seen() == 0);
  CHECK(t.accuracy() == 0.5);  // between epochs: the last one's
  CHECK(t.last_accuracy() == 0.5);
  t.add(2, 2, 0.0);
  CHECK(t.accuracy() == 1.0);
  CHECK(t.last_accuracy() == 0.5);
  t.close();
  t.close();  // an epoch that saw nothing keeps the previous means
  CHECK(t.last_accuracy() == 1.0);
  CHECK(t.last_loss() == 0.0);
  t.clear();
  CHECK(std::isnan(t.last_accuracy()));
}
