// Adam on sparse layers against Algorithm 1 of Kingma & Ba written out a second way, optimizer
// state that moves with its connection, the Taylor score by hand, Spearman's rho by hand, and the
// Taylor score measured against the loss each connection's removal really costs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "sparse/optimizer.hpp"
#include "sparse/rank_correlation.hpp"
#include "sparse/rewire.hpp"
#include "sparse/sparse_chain.hpp"
#include "sparse_test_util.hpp"

using obs::sparse::CsrLayer;
using obs::sparse::RowMat;

TEST_CASE("adam: the first step moves every weight by about lr against its gradient's sign") {
  obs::Rng rng(2);
  CsrLayer W = obs::sparse::random_layer(4, 6, 0.5, 0.3, rng);
  const CsrLayer start = W;
  std::vector<float> g(W.value.size()), gb(W.bias.size(), -2.0f);
  for (std::size_t k = 0; k < g.size(); ++k) g[k] = (k % 2 ? 0.5f : -3.0f);
  obs::sparse::adam_step(W, g, gb, {.lr = 0.01f}, 1);
  // m = (1 - b1) g, v = (1 - b2) g^2, step = lr sqrt(1 - b2) / (1 - b1): the move is
  // lr g / (|g| + eps / sqrt(1 - b2)) = lr sign(g) to 1e-6.
  for (std::size_t k = 0; k < g.size(); ++k) CHECK(W.value[k] - start.value[k] == doctest::Approx(g[k] > 0 ? -0.01 : 0.01).epsilon(1e-4));
  for (float b : W.bias) CHECK(b == doctest::Approx(0.01).epsilon(1e-4));
}

TEST_CASE("adam: five steps agree with Algorithm 1 written with bias-corrected moments (eps = 0)") {
  obs::Rng rng(4);
  CsrLayer W = obs::sparse::random_layer(5, 8, 0.4, 0.3, rng);
  std::vector<double> x, m, v;  // Algorithm 1 in doubles, beside the layer
  for (float w : W.value) {
    x.push_back(w);
    m.push_back(0.0);
    v.push_back(0.0);
  }
  const obs::sparse::Adam a{.lr = 0.05f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 0.0f};
  for (std::uint64_t t = 1; t <= 5; ++t) {
    std::vector<float> g(x.size()), gb(W.bias.size(), 0.1f);
    for (auto& gi : g) gi = static_cast<float>(rng.normal());
    obs::sparse::adam_step(W, g, gb, a, t);
    for (std::size_t k = 0; k < x.size(); ++k) {
      m[k] = 0.9 * m[k] + 0.1 * g[k];
      v[k] = 0.999 * v[k] + 0.001 * g[k] * g[k];
      const double mhat = m[k] / (1 - std::pow(0.9, t)), vhat = v[k] / (1 - std::pow(0.999, t));
      x[k] -= 0.05 * mhat / std::sqrt(vhat);
    }
  }
  for (std::size_t k = 0; k < x.size(); ++k) CHECK(W.value[k] == doctest::Approx(x[k]).epsilon(1e-5));
}

TEST_CASE("optimizer state moves with its connection through prune and regrowth; a new one starts at zero") {
  obs::Rng rng(6);
  CsrLayer W = obs::sparse::random_layer(10, 20, 0.3, 0.3, rng);
  W.moment1.resize(W.value.size());
  W.moment2.resize(W.value.size());
  for (std::size_t k = 0; k < W.value.size(); ++k) W.moment1[k] = W.moment2[k] = W.value[k] * 10;  // a tag: moment = 10 w
  obs::sparse::prune_smallest(W, 17);
  obs::sparse::grow_random(W, 25, rng);
  REQUIRE(W.moment1.size() == W.value.size());
  REQUIRE(W.moment2.size() == W.value.size());
  for (std::size_t k = 0; k < W.value.size(); ++k) {
    CHECK(W.moment1[k] == W.value[k] * 10);  // grown: w = 0 and moments 0; kept: still 10 w
    CHECK(W.moment2[k] == W.value[k] * 10);
  }
}

TEST_CASE("taylor score and Spearman's rho by hand") {
  CsrLayer W;
  W.rows = 1;
  W.cols = 2;
  W.row_start = {0, 2};
  W.col = {0, 1};
  W.value = {0.5f, -2.0f};
  W.bias = {0};
  CHECK(obs::sparse::taylor_scores(W) == std::vector<double>{0, 0});  // no moments: no score
  W.moment2 = {4.0f, 0.25f};
  CHECK(obs::sparse::taylor_scores(W) == std::vector<double>{0.5, 0.5});  // 1/2 4 0.25 and 1/2 0.25 4

  // b's ranks with the tie at 7 shared: (1, 2, 3.5, 5, 3.5); rho = 8 / sqrt(10 * 9.5).
  CHECK(obs::sparse::ranks({5, 6, 7, 8, 7}) == std::vector<double>{1, 2, 3.5, 5, 3.5});
  CHECK(obs::sparse::spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) == doctest::Approx(8 / std::sqrt(95.0)));
  CHECK(obs::sparse::spearman({1, 2, 3}, {10, 200, 3000}) == doctest::Approx(1.0));
  CHECK(obs::sparse::spearman({1, 2, 3}, {3, 2, 1}) == doctest::Approx(-1.0));
  CHECK(obs::sparse::spearman({1, 2, 3}, {4, 4, 4}) == 0.0);
}

TEST_CASE("taylor score against leave-one-out: the rank correlation, measured") {
  // A 64-64-32-6 chain at 30 % trained by Adam on the 8x8 patterns; then, for every connection
  // of the first two layers, the loss on 600 held-out examples with that one weight set to 0,
  // against its Taylor score and against |w| alone.
  const obs::data::Split data = obs::data::make_patterns(3000, 600, 0.1, 7);
  obs::Rng rng(7);
  obs::sparse::SparseChain net({64, 64, 32, 6}, 0.3, rng);
  const auto batch_of = [](const obs::data::Dataset& d, std::size_t first, std::size_t n, RowMat& x, std::vector<std::uint8_t>& y) {
    x.resize(d.dim, static_cast<Eigen::Index>(n));
    y.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
      const std::size_t i = (first + c) % d.size();
      for (int f = 0; f < d.dim; ++f) x(f, static_cast<Eigen::Index>(c)) = d.example(i)[f];
      y[c] = d.y[i];
    }
  };
  RowMat x;
  std::vector<std::uint8_t> y;
  for (int step = 0; step < 600; ++step) {
    batch_of(data.train, static_cast<std::size_t>(step) * 20, 20, x, y);
    net.gradients(x, y);
    net.apply_adam({.lr = 0.003f});
  }
  batch_of(data.test, 0, 600, x, y);
  const double base = net.loss(x, y);
  for (std::size_t l = 0; l < 2; ++l) {
    CAPTURE(l);
    CsrLayer& W = net.layers()[l];
    const std::vector<double> taylor = obs::sparse::taylor_scores(W);
    std::vector<double> delta, magnitude;
    for (std::size_t k = 0; k < W.value.size(); ++k) {
      const float w = W.value[k];
      W.value[k] = 0;
      delta.push_back(net.loss(x, y) - base);
      W.value[k] = w;
      magnitude.push_back(std::abs(w));
    }
    const double rho_taylor = obs::sparse::spearman(taylor, delta), rho_w = obs::sparse::spearman(magnitude, delta);
    MESSAGE("layer " << l + 1 << ", " << delta.size() << " connections, test loss " << base << ": Spearman(Taylor, leave-one-out dLoss) = "
                     << rho_taylor << ", Spearman(|w|, dLoss) = " << rho_w);
    CHECK(rho_taylor > 0.5);
  }
}
