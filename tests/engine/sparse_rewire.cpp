// Pruning and regrowing a sparse layer (SET and RigL's rules): hand-worked cases, the dense
// gradient against the sparse backward pass (two ways to the same numbers), the regrown set against
// a brute-force ranking, growth that leaves the layer's function unchanged, and the cosine schedule
// against its closed form.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "sparse/csr_layer.hpp"
#include "sparse/rewire.hpp"
#include "sparse/sparse_chain.hpp"
#include "sparse_test_util.hpp"

using obs::sparse::CsrLayer;
using obs::sparse::RowMat;
using obs::sparse::test::random_batch;

namespace {

// Rows ascending, columns ascending within a row, in range, distinct; aligned arrays.
void check_well_formed(const CsrLayer& W) {
  REQUIRE(W.row_start.size() == static_cast<std::size_t>(W.rows) + 1);
  REQUIRE(W.row_start.front() == 0);
  REQUIRE(W.row_start.back() == W.col.size());
  REQUIRE(W.value.size() == W.col.size());
  for (int r = 0; r < W.rows; ++r) {
    const auto b = W.row_start[static_cast<std::size_t>(r)], e = W.row_start[static_cast<std::size_t>(r) + 1];
    REQUIRE(b <= e);
    for (auto k = b; k < e; ++k) {
      REQUIRE(W.col[k] < static_cast<std::uint32_t>(W.cols));
      if (k > b) REQUIRE(W.col[k - 1] < W.col[k]);
    }
  }
}

std::set<std::pair<int, int>> cells(const CsrLayer& W) {
  std::set<std::pair<int, int>> out;
  for (int r = 0; r < W.rows; ++r)
    for (auto k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k)
      out.insert({r, static_cast<int>(W.col[k])});
  return out;
}

// W = [[0.5, 0, -0.1], [0, 2, 0.3]]: 4 connections, (0, 1) and (1, 0) absent.
CsrLayer two_by_three() {
  CsrLayer W;
  W.rows = 2;
  W.cols = 3;
  W.row_start = {0, 2, 4};
  W.col = {0, 2, 1, 2};
  W.value = {0.5f, -0.1f, 2.0f, 0.3f};
  W.bias = {0, 0};
  return W;
}


}  // namespace

TEST_CASE("prune: the k smallest |w| leave, the rest keep their places and values") {
  CsrLayer W = two_by_three();
  // |w| = 0.5, 0.1, 2, 0.3: the two smallest are (0, 2) = -0.1 and (1, 2) = 0.3.
  CHECK(obs::sparse::prune_smallest(W, 2) == 2);
  check_well_formed(W);
  CHECK(W.row_start == std::vector<std::uint32_t>{0, 1, 2});
  CHECK(W.col == std::vector<std::uint32_t>{0, 1});
  CHECK(W.value == std::vector<float>{0.5f, 2.0f});
  // More than there are: everything goes, and a row may end up empty.
  CHECK(obs::sparse::prune_smallest(W, 10) == 2);
  check_well_formed(W);
  CHECK(W.connections() == 0);
}

TEST_CASE("prune: equal magnitudes go in storage order, whatever their sign") {
  CsrLayer W = two_by_three();
  W.value = {0.3f, -0.3f, 0.3f, 0.3f};
  CHECK(obs::sparse::prune_smallest(W, 3) == 3);
  CHECK(cells(W) == std::set<std::pair<int, int>>{{1, 2}});
}

TEST_CASE("dense gradient: equals the sparse backward pass on every present connection, and dy x^T by hand") {
  // Hand-worked: dy = [[1, 2]], x = [[3, 0], [1, -1]] -> dL/dW = [1*3 + 2*0, 1*1 + 2*(-1)] = [3, -1].
  RowMat dy(1, 2), x(2, 2);
  dy << 1, 2;
  x << 3, 0, 1, -1;
  const Eigen::MatrixXf g = obs::sparse::dense_gradient(x, dy);
  CHECK(g(0, 0) == 3.0f);
  CHECK(g(0, 1) == -1.0f);

  obs::Rng rng(11);
  const CsrLayer W = obs::sparse::random_layer(40, 60, 0.1, 0.2, rng);
  const RowMat xs = random_batch(60, 16, rng), dys = random_batch(40, 16, rng);
  std::vector<float> dv, db;
  obs::sparse::backward(W, xs, dys, dv, db, nullptr);
  const Eigen::MatrixXf G = obs::sparse::dense_gradient(xs, dys);
  double worst = 0;
  for (int r = 0; r < W.rows; ++r)
    for (auto k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k)
      worst = std::max(worst, static_cast<double>(std::abs(G(r, W.col[k]) - dv[k])));
  CHECK(worst < 1e-5);
}

TEST_CASE("grow by gradient: the k absent cells of largest |g|, at weight 0, found by a brute-force ranking too") {
  obs::Rng rng(5);
  CsrLayer W = obs::sparse::random_layer(30, 50, 0.2, 0.3, rng);
  const CsrLayer before = W;
  Eigen::MatrixXf G(30, 50);
  for (Eigen::Index i = 0; i < G.size(); ++i) G.data()[i] = static_cast<float>(rng.normal());
  G(3, 4) = std::nanf("");  // a non-finite gradient is never chosen
  // Brute force: every absent cell, sorted by |g| descending.
  const auto had = cells(W);
  std::vector<std::tuple<float, int, int>> ranked;
  for (int r = 0; r < 30; ++r)
    for (int c = 0; c < 50; ++c)
      if (!had.count({r, c}) && std::isfinite(G(r, c))) ranked.emplace_back(-std::abs(G(r, c)), r, c);
  std::sort(ranked.begin(), ranked.end());
  const std::size_t k = 37;
  CHECK(obs::sparse::grow_by_gradient(W, G, k) == k);
  check_well_formed(W);
  auto expected = had;
  for (std::size_t i = 0; i < k; ++i) expected.insert({std::get<1>(ranked[i]), std::get<2>(ranked[i])});
  CHECK(cells(W) == expected);
  // Old connections keep their weights; new ones are 0, so the layer computes the same thing.
  CHECK(obs::sparse::to_dense(W) == obs::sparse::to_dense(before));
}

TEST_CASE("grow at random: distinct absent cells at weight 0, deterministic per seed, every cell reachable") {
  obs::Rng rng(9);
  const CsrLayer start = obs::sparse::random_layer(20, 30, 0.1, 0.3, rng);
  for (const std::size_t k : {std::size_t{7}, std::size_t{400}, std::size_t{540}, std::size_t{10000}}) {
    CsrLayer a = start, b = start;
    obs::Rng ra(77), rb(77);
    const std::size_t added = obs::sparse::grow_random(a, k, ra);
    CHECK(added == std::min<std::size_t>(k, 600 - start.connections()));  // both paths: sparse and nearly full
    CHECK(obs::sparse::grow_random(b, k, rb) == added);
    check_well_formed(a);
    CHECK(a.col == b.col);
    CHECK(a.connections() == start.connections() + added);
    CHECK(obs::sparse::to_dense(a) == obs::sparse::to_dense(start));
    const auto old_cells = cells(start), new_cells = cells(a);
    CHECK(std::includes(new_cells.begin(), new_cells.end(), old_cells.begin(), old_cells.end()));
  }
  // Uniform over the absent cells: a 2 x 3 layer with 4 present has 2 absent; growing one from the
  // same start 4000 times picks each about 2000 times (binomial sd 32; the bound is 5 sd).
  int first = 0;
  obs::Rng r(3);
  for (int t = 0; t < 4000; ++t) {
    CsrLayer W = two_by_three();  // absent: (0, 1) and (1, 0)
    obs::sparse::grow_random(W, 1, r);
    first += cells(W).count({0, 1}) ? 1 : 0;
  }
  CHECK(std::abs(first - 2000) < 160);
  // The same by rejection (one present, five absent: too few present to list the absent ones):
  // each absent cell about 800 times in 4000 (sd 25; the bound is 5 sd).
  std::map<std::pair<int, int>, int> hits;
  for (int t = 0; t < 4000; ++t) {
    CsrLayer W = two_by_three();
    obs::sparse::prune_smallest(W, 3);  // keeps (1, 1) = 2 only
    obs::sparse::grow_random(W, 1, r);
    for (const auto& cell : cells(W))
      if (cell != std::pair<int, int>{1, 1}) ++hits[cell];
  }
  CHECK(hits.size() == 5);
  for (const auto& [cell, n] : hits) CHECK(std::abs(n - 800) < 130);
}

TEST_CASE("cosine update fraction: alpha at the start, alpha/2 half way, 0 at and after the end") {
  using obs::sparse::cosine_update_fraction;
  CHECK(cosine_update_fraction(0.3, 0, 1000) == doctest::Approx(0.3));
  CHECK(cosine_update_fraction(0.3, 500, 1000) == doctest::Approx(0.15));
  CHECK(cosine_update_fraction(0.3, 250, 1000) == doctest::Approx(0.15 * (1 + std::sqrt(0.5))));
  CHECK(cosine_update_fraction(0.3, 1000, 1000) == 0.0);
  CHECK(cosine_update_fraction(0.3, 5000, 1000) == 0.0);
}

TEST_CASE("SET and RigL rewiring keep a chain's connection count and it still learns") {
  // Two Gaussian blobs in 20 dimensions; a 20-16-2 chain at 30 % rewires 20 % of each layer every
  // 10 steps. The count never moves, and the loss after 200 steps is well below the start.
  for (const bool rigl : {false, true}) {
    CAPTURE(rigl);
    obs::Rng rng(21);
    obs::sparse::SparseChain net({20, 16, 2}, 0.3, rng);
    const std::size_t count = net.connections();
    RowMat x(20, 32);
    std::vector<std::uint8_t> y(32);
    double first = 0, last = 0;
    for (int step = 0; step < 200; ++step) {
      for (int b = 0; b < 32; ++b) {
        y[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(rng.below(2));
        for (int f = 0; f < 20; ++f)
          x(f, b) = static_cast<float>(rng.normal() * 0.5 + (y[static_cast<std::size_t>(b)] ? 0.5 : -0.5));
      }
      const double loss = net.train_step(x, y, 0.1f);
      if (step == 0) first = loss;
      last = loss;
      if (step % 10 == 9) {
        net.gradients(x, y);
        for (std::size_t l = 0; l < net.layers().size(); ++l) {
          CsrLayer& W = net.layers()[l];
          const auto k = static_cast<std::size_t>(0.2 * static_cast<double>(W.connections()));
          const Eigen::MatrixXf G = rigl ? obs::sparse::dense_gradient(net.layer_input(l), net.layer_delta(l)) : Eigen::MatrixXf();
          obs::sparse::prune_smallest(W, k);
          const std::size_t added = rigl ? obs::sparse::grow_by_gradient(W, G, k) : obs::sparse::grow_random(W, k, rng);
          CHECK(added == k);
          check_well_formed(W);
        }
        CHECK(net.connections() == count);
      }
    }
    CHECK(last < 0.6 * first);
  }
}
