#pragma once
// What the sparse layer's tests share: a batch of random activations.
#include "core/rng.hpp"
#include "sparse/csr_layer.hpp"

namespace obs::sparse::test {

// features x batch, every entry uniform in [-1, 1).
inline RowMat random_batch(int features, int batch, Rng& rng) {
  RowMat x(features, batch);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform(-1, 1));
  return x;
}

}  // namespace obs::sparse::test
