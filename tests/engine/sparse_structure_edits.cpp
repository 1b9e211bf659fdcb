// Clone-and-split, re-merge and the nascent identity layer: each keeps the logits to 1e-5 at the
// moment it happens (the bar), leaves the chain trainable, and a split's unequal shares
// let the twins part under training where equal halves would keep them identical forever.
#include <doctest/doctest.h>

#include <stdexcept>

#include "core/rng.hpp"
#include "sparse/sparse_chain.hpp"
#include "sparse/structure_edits.hpp"
#include "sparse_test_util.hpp"

using namespace obs;
using namespace obs::sparse;

namespace {

struct Fixture {
  Rng rng{5};
  SparseChain chain{{16, 12, 8, 4}, 0.5, rng};
  RowMat x = test::random_batch(16, 10, rng);
  std::vector<std::uint8_t> labels{0, 1, 2, 3, 0, 1, 2, 3, 0, 1};

  Fixture() {
    // Some training first, so that biases and weights are not the initial draw.
    for (int i = 0; i < 20; ++i) chain.train_step(x, labels, 0.1f);
  }
  Eigen::MatrixXf logits() { return chain.predict(x); }
};

float max_diff(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) { return (a - b).cwiseAbs().maxCoeff(); }

// Unit u's incoming weights in layer l, as a dense row.
Eigen::RowVectorXf incoming(const SparseChain& c, std::size_t l, int u) { return to_dense(c.layers()[l]).row(u); }

}  // namespace

TEST_CASE("clone-and-split keeps the logits (to 1e-5), at equal or unequal shares, in every hidden layer") {
  for (const float share : {0.5f, 0.6f}) {
    for (const std::size_t l : {std::size_t{0}, std::size_t{1}}) {
      CAPTURE(share);
      CAPTURE(l);
      Fixture f;
      const Eigen::MatrixXf before = f.logits();
      const int rows = f.chain.layers()[l].rows;
      const int clone = split_unit(f.chain, l, 3, share);
      CHECK(clone == rows);
      CHECK(f.chain.layers()[l].rows == rows + 1);
      CHECK(f.chain.layers()[l + 1].cols == rows + 1);
      CHECK(incoming(f.chain, l, clone) == incoming(f.chain, l, 3));
      CHECK(f.chain.layers()[l].bias.back() == f.chain.layers()[l].bias[3]);
      CHECK(max_diff(f.logits(), before) <= 1e-5f);
      // The outgoing weights: share and 1 - share of the old one, on the same rows.
      const Eigen::MatrixXf next = to_dense(f.chain.layers()[l + 1]);
      for (Eigen::Index r = 0; r < next.rows(); ++r)
        CHECK(next(r, clone) == doctest::Approx((1 - share) / share * next(r, 3)).epsilon(1e-6));
    }
  }
}

TEST_CASE("re-merge right after a split restores the logits and the weights") {
  Fixture f;
  const Eigen::MatrixXf before = f.logits();
  const Eigen::MatrixXf w0 = to_dense(f.chain.layers()[0]), w1 = to_dense(f.chain.layers()[1]);
  const int clone = split_unit(f.chain, 0, 5, 0.5f);
  merge_units(f.chain, 0, 5, clone);
  CHECK(max_diff(f.logits(), before) <= 1e-5f);
  CHECK(to_dense(f.chain.layers()[0]) == w0);
  CHECK(to_dense(f.chain.layers()[1]) == w1);  // w/2 + w/2 is w exactly in binary floating point
}

TEST_CASE("merging two units whose activations are equal keeps the logits, and renumbers later inputs") {
  // Merge the original into its clone (keep the clone, drop the original): the inputs after the
  // dropped unit shift down by one.
  Fixture f;
  const Eigen::MatrixXf before = f.logits();
  const int clone = split_unit(f.chain, 1, 2, 0.7f);
  merge_units(f.chain, 1, clone, 2);
  CHECK(f.chain.layers()[1].rows == 8);
  CHECK(f.chain.layers()[2].cols == 8);
  CHECK(max_diff(f.logits(), before) <= 1e-5f);
  CHECK_THROWS_AS(merge_units(f.chain, 1, 3, 3), std::invalid_argument);
  CHECK_THROWS_AS(split_unit(f.chain, 2, 0), std::invalid_argument);  // the output layer has no next layer
}

TEST_CASE("a nascent identity layer keeps the logits exactly and then learns like any other") {
  Fixture f;
  const Eigen::MatrixXf before = f.logits();
  insert_identity_layer(f.chain, 1);
  REQUIRE(f.chain.layers().size() == 4);
  const CsrLayer& I = f.chain.layers()[2];
  CHECK(to_dense(I) == Eigen::MatrixXf::Identity(8, 8));
  CHECK(max_diff(f.logits(), before) == 0.0f);  // ReLU(1 * h + 0) = h for h >= 0, bit for bit
  CHECK_THROWS_AS(insert_identity_layer(f.chain, 3), std::invalid_argument);
  const double loss0 = f.chain.loss(f.x, f.labels);
  for (int i = 0; i < 30; ++i) f.chain.train_step(f.x, f.labels, 0.1f);
  CHECK(f.chain.loss(f.x, f.labels) < loss0);
  CHECK(to_dense(f.chain.layers()[2]) != Eigen::MatrixXf::Identity(8, 8));
}

TEST_CASE("removing a nascent layer that is still the identity gives back the chain it was inserted into, bit for bit") {
  Fixture f;
  const Eigen::MatrixXf before = f.logits();
  const std::vector<CsrLayer> layers = f.chain.layers();
  insert_identity_layer(f.chain, 0);
  CHECK_THROWS_AS(remove_layer(f.chain, 0), std::invalid_argument);  // the first layer: nothing before it
  CHECK_THROWS_AS(remove_layer(f.chain, 3), std::invalid_argument);  // the last
  remove_layer(f.chain, 1);
  REQUIRE(f.chain.layers().size() == layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    CHECK(f.chain.layers()[l].col == layers[l].col);
    CHECK(f.chain.layers()[l].value == layers[l].value);
  }
  CHECK(max_diff(f.logits(), before) == 0.0f);
  CHECK_THROWS_AS(remove_layer(f.chain, 1), std::invalid_argument);  // 12 -> 8: not square
}

TEST_CASE("equal halves keep split twins identical under training; unequal shares let them part") {
  for (const float share : {0.5f, 0.6f}) {
    CAPTURE(share);
    Fixture f;
    const int clone = split_unit(f.chain, 0, 4, share);
    for (int i = 0; i < 10; ++i) f.chain.train_step(f.x, f.labels, 0.1f);
    const float apart = (incoming(f.chain, 0, clone) - incoming(f.chain, 0, 4)).cwiseAbs().maxCoeff();
    if (share == 0.5f) CHECK(apart == 0.0f);
    else CHECK(apart > 1e-4f);
  }
}

TEST_CASE("structure edits keep Adam's moments aligned with the connections") {
  Fixture f;
  f.chain.gradients(f.x, f.labels);
  f.chain.apply_adam({});
  split_unit(f.chain, 0, 1, 0.6f);
  insert_identity_layer(f.chain, 0);
  merge_units(f.chain, 1, 0, 1);
  for (const CsrLayer& W : f.chain.layers()) {
    CHECK(W.moment1.size() == W.value.size());
    CHECK(W.moment2.size() == W.value.size());
    CHECK(W.bias_moment1.size() == W.bias.size());
  }
  f.chain.gradients(f.x, f.labels);
  f.chain.apply_adam({});  // would read out of bounds if anything were misaligned (ASan stage)
}
