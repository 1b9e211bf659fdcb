// The sparse layer's kernels against dense maths (the same weights as a dense matrix, through
// Eigen), a hand-worked case, and the chain's gradient against central finite differences.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <vector>

#include "core/rng.hpp"
#include "sparse/csr_layer.hpp"
#include "sparse/sparse_chain.hpp"
#include "sparse_test_util.hpp"

using obs::sparse::CsrLayer;
using obs::sparse::RowMat;
using obs::sparse::test::random_batch;

TEST_CASE("sparse layer: a hand-worked 2 x 3 layer") {
  // W = [[0, 2, 0], [-1, 0, 3]], b = (0.5, -1); x columns (1, 2, 3) and (0, 1, -1).
  CsrLayer W;
  W.rows = 2;
  W.cols = 3;
  W.row_start = {0, 1, 3};
  W.col = {1, 0, 2};
  W.value = {2, -1, 3};
  W.bias = {0.5f, -1};
  RowMat x(3, 2);
  x << 1, 0, 2, 1, 3, -1;
  RowMat y;
  obs::sparse::forward(W, x, y);
  // Row 0: 2 * x1 + 0.5 = 4.5, 2.5. Row 1: -x0 + 3 x2 - 1 = 7, -4.
  CHECK(y(0, 0) == 4.5f);
  CHECK(y(0, 1) == 2.5f);
  CHECK(y(1, 0) == 7.0f);
  CHECK(y(1, 1) == -4.0f);
  // dy = ones: dvalue[k] = sum over the batch of x[col]: x1 -> 3, x0 -> 1, x2 -> 2; dbias = 2.
  RowMat dy = RowMat::Ones(2, 2), dx;
  std::vector<float> dv, db;
  obs::sparse::backward(W, x, dy, dv, db, &dx);
  CHECK(dv == std::vector<float>{3, 1, 2});
  CHECK(db == std::vector<float>{2, 2});
  // dx = W^T dy: column sums of W for each example: (-1, 2, 3).
  for (int b = 0; b < 2; ++b) {
    CHECK(dx(0, b) == -1.0f);
    CHECK(dx(1, b) == 2.0f);
    CHECK(dx(2, b) == 3.0f);
  }
}

TEST_CASE("sparse layer: random structure has the asked density, distinct ascending inputs per row") {
  obs::Rng rng(3);
  const CsrLayer W = obs::sparse::random_layer(50, 200, 0.05, 0.1, rng);
  CHECK(W.connections() == 50u * 10u);
  CHECK(W.density() == doctest::Approx(0.05));
  for (int r = 0; r < W.rows; ++r) {
    for (std::uint32_t k = W.row_start[r] + 1; k < W.row_start[r + 1]; ++k) CHECK(W.col[k - 1] < W.col[k]);
    for (std::uint32_t k = W.row_start[r]; k < W.row_start[r + 1]; ++k) CHECK(std::abs(W.value[k]) <= 0.1f);
  }
  // At least one input per row even at a density that rounds to none.
  CHECK(obs::sparse::random_layer(4, 10, 0.001, 1, rng).connections() == 4u);
}

TEST_CASE("sparse layer: forward and backward equal the dense maths on the same weights") {
  obs::Rng rng(9);
  for (double density : {0.01, 0.1, 0.5, 1.0}) {
    CAPTURE(density);
    CsrLayer W = obs::sparse::random_layer(37, 91, density, 0.5, rng);
    for (auto& b : W.bias) b = static_cast<float>(rng.uniform(-1, 1));
    const Eigen::MatrixXf D = obs::sparse::to_dense(W);
    const RowMat x = random_batch(91, 32, rng), dy = random_batch(37, 32, rng);
    RowMat y, dx;
    obs::sparse::forward(W, x, y);
    const Eigen::Map<const Eigen::VectorXf> bias(W.bias.data(), W.rows);
    const Eigen::MatrixXf y_dense = (D * x).colwise() + bias;
    CHECK((y - y_dense).cwiseAbs().maxCoeff() < 1e-4f);

    std::vector<float> dv, db;
    obs::sparse::backward(W, x, dy, dv, db, &dx);
    const Eigen::MatrixXf dW = dy * x.transpose(), dx_dense = D.transpose() * dy;
    CHECK((dx - dx_dense).cwiseAbs().maxCoeff() < 1e-4f);
    for (int r = 0; r < W.rows; ++r) {
      CHECK(db[r] == doctest::Approx(dy.row(r).sum()).epsilon(1e-4));
      for (std::uint32_t k = W.row_start[r]; k < W.row_start[r + 1]; ++k) CHECK(std::abs(dv[k] - dW(r, W.col[k])) < 1e-4f);
    }
  }
}

TEST_CASE("sparse chain: the backprop gradient matches central finite differences of the loss") {
  obs::Rng rng(21);
  obs::sparse::SparseChain chain({12, 9, 7, 4}, 0.4, rng);
  const RowMat x = random_batch(12, 6, rng);
  const std::vector<std::uint8_t> labels = {0, 1, 2, 3, 1, 2};
  const double at = chain.gradients(x, labels);
  const float h = 2e-3f;
  double worst = 0;
  int checked = 0, kinks = 0;
  // A parameter whose +-h moves a ReLU unit across 0 has no derivative to compare with there: its
  // two one-sided differences disagree, and it is left out (and counted).
  auto compare = [&](float& w, double analytic) {
    const float w0 = w;
    w = w0 + h;
    const double up = chain.loss(x, labels);
    w = w0 - h;
    const double down = chain.loss(x, labels);
    w = w0;
    if (std::abs((up - at) - (at - down)) / h > 1e-3) {
      ++kinks;
      return;
    }
    worst = std::max(worst, std::abs((up - down) / (2 * h) - analytic));
    ++checked;
  };
  for (std::size_t l = 0; l < chain.layers().size(); ++l) {
    auto& W = chain.layers()[l];
    const std::vector<float> dv = chain.value_gradient(l), db = chain.bias_gradient(l);
    for (std::size_t k = 0; k < W.value.size(); ++k) compare(W.value[k], dv[k]);
    for (std::size_t r = 0; r < W.bias.size(); ++r) compare(W.bias[r], db[r]);
  }
  MESSAGE(checked << " parameters compared, " << kinks << " at a ReLU kink left out: worst |finite difference - backprop| " << worst);
  CHECK(checked > 60);
  CHECK(kinks * 10 < checked);
  // A kink the one-sided differences cannot see bends the slope by under 1e-3, so it moves the
  // central difference by under 5e-4; float rounding adds about 1e-4.
  CHECK(worst < 1e-3);
}

TEST_CASE("sparse chain: SGD steps lower the loss on a fixed batch") {
  obs::Rng rng(4);
  obs::sparse::SparseChain chain({20, 16, 3}, 0.3, rng);
  const RowMat x = random_batch(20, 32, rng);
  std::vector<std::uint8_t> labels(32);
  for (std::size_t b = 0; b < labels.size(); ++b) labels[b] = static_cast<std::uint8_t>(b % 3);
  const double first = chain.train_step(x, labels, 0.2f);
  double last = first;
  for (int k = 0; k < 200; ++k) last = chain.train_step(x, labels, 0.2f);
  MESSAGE("loss " << first << " -> " << last);
  CHECK(last < 0.5 * first);
}
