// The dense crossover: the dense kernel computes what the CSR kernel computes (forward, weight,
// bias and input gradients, to float rounding), a chain trains the same on either, and the
// choice switches only past the hysteresis.
#include <doctest/doctest.h>

#include <cmath>

#include "core/rng.hpp"
#include "sparse/kernel_choice.hpp"
#include "sparse/sparse_chain.hpp"
#include "sparse_test_util.hpp"

using namespace obs;
using namespace obs::sparse;

TEST_CASE("dense kernel: the same forward and gradients as the CSR kernel, to float rounding") {
  for (const double density : {0.05, 0.3, 1.0}) {
    CAPTURE(density);
    Rng rng(8);
    CsrLayer W = random_layer(40, 60, density, 0.3, rng);
    for (float& b : W.bias) b = static_cast<float>(rng.uniform(-1, 1));
    const RowMat x = test::random_batch(60, 9, rng), dy = test::random_batch(40, 9, rng);
    RowMat y_sparse, y_dense, dx_sparse, dx_dense;
    std::vector<float> dv_sparse, dv_dense, db_sparse, db_dense;
    forward(W, x, y_sparse);
    backward(W, x, dy, dv_sparse, db_sparse, &dx_sparse);
    Eigen::MatrixXf D;
    dense_weights(W, D);
    CHECK(D == to_dense(W));
    dense_forward(W, D, x, y_dense);
    dense_backward(W, D, x, dy, dv_dense, db_dense, &dx_dense);
    CHECK((y_dense - y_sparse).cwiseAbs().maxCoeff() <= 1e-5f);
    CHECK((dx_dense - dx_sparse).cwiseAbs().maxCoeff() <= 1e-5f);
    REQUIRE(dv_dense.size() == dv_sparse.size());
    for (std::size_t k = 0; k < dv_dense.size(); ++k) CHECK(dv_dense[k] == doctest::Approx(dv_sparse[k]).epsilon(1e-4).scale(1));
    for (std::size_t r = 0; r < db_dense.size(); ++r) CHECK(db_dense[r] == doctest::Approx(db_sparse[r]).epsilon(1e-5).scale(1));
  }
}

TEST_CASE("a chain trains the same with some layers on the dense kernel, and switching mid-run changes only rounding") {
  Rng a_rng(2), b_rng(2), data(3);
  SparseChain a({30, 20, 10, 4}, 0.3, a_rng), b({30, 20, 10, 4}, 0.3, b_rng);
  const RowMat x = test::random_batch(30, 12, data);
  const std::vector<std::uint8_t> labels{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
  b.set_dense(0, true);
  b.set_dense(2, true);
  for (int i = 0; i < 30; ++i) {
    if (i == 15) b.set_dense(0, false);  // and back, mid-run
    const double la = a.train_step(x, labels, 0.1f), lb = b.train_step(x, labels, 0.1f);
    CHECK(lb == doctest::Approx(la).epsilon(1e-4));
  }
  for (std::size_t l = 0; l < 3; ++l)
    for (std::size_t k = 0; k < a.layers()[l].value.size(); ++k)
      CHECK(b.layers()[l].value[k] == doctest::Approx(a.layers()[l].value[k]).epsilon(1e-3).scale(1e-3));
}

TEST_CASE("prefer_dense: the cheaper kernel by the cost model, with hysteresis both ways") {
  // Dense costs 1/8 of a connection per possible weight: break-even at 12.5 % density.
  const KernelCosts c{.per_connection = 8e-9, .per_entry = 1e-9};
  Rng rng(1);
  const CsrLayer sparse_layer = random_layer(100, 100, 0.05, 0.1, rng), near = random_layer(100, 100, 0.12, 0.1, rng),
                 dense_layer = random_layer(100, 100, 0.5, 0.1, rng);
  CHECK(!prefer_dense(sparse_layer, 32, false, c));
  CHECK(prefer_dense(dense_layer, 32, false, c));
  // Near the crossover a layer stays on the kernel it has: neither is 15 % cheaper.
  CHECK(!prefer_dense(near, 32, false, c));
  CHECK(prefer_dense(near, 32, true, c));
  CHECK(!prefer_dense(sparse_layer, 32, true, c));  // far below: back to CSR
}

TEST_CASE("calibrated rates are positive and finite") {
  // Their ratio (the crossover density) is measured by build/sparse_crossover in Release, not
  // asserted here: this suite also runs under the sanitizers, which slow the two kernels unequally.
  const KernelCosts c = calibrate_kernels(32);
  CHECK(c.per_connection > 0);
  CHECK(c.per_entry > 0);
  CHECK(std::isfinite(c.per_entry / c.per_connection));
}
