#include "sparse/csr_layer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/pick_distinct.hpp"
#include "core/state_archive.hpp"

namespace obs::sparse {

CsrLayer random_layer(int rows, int cols, double density, double scale, Rng& rng) {
  CsrLayer W;
  W.rows = rows;
  W.cols = cols;
  const auto per_row = static_cast<std::size_t>(
      std::clamp<long long>(std::llround(density * cols), 1, static_cast<long long>(cols)));
  W.row_start.reserve(static_cast<std::size_t>(rows) + 1);
  W.col.reserve(per_row * static_cast<std::size_t>(rows));
  W.value.reserve(per_row * static_cast<std::size_t>(rows));
  W.bias.assign(static_cast<std::size_t>(rows), 0.0f);
  std::vector<std::uint32_t> inputs(static_cast<std::size_t>(cols)), chosen;
  W.row_start.push_back(0);
  for (int r = 0; r < rows; ++r) {
    std::iota(inputs.begin(), inputs.end(), 0u);
    chosen.clear();
    pick_distinct(inputs, per_row, rng, [&](std::uint32_t c) { chosen.push_back(c); });
    std::sort(chosen.begin(), chosen.end());  // ascending: x is read in address order
    for (std::uint32_t c : chosen) {
      W.col.push_back(c);
      W.value.push_back(static_cast<float>(rng.uniform(-scale, scale)));
    }
    W.row_start.push_back(static_cast<std::uint32_t>(W.col.size()));
  }
  return W;
}

// The kernels are plain loops over raw rows: a connection's work is one batch-long multiply-add
// (32 floats at batch 32), too short for an Eigen expression's set-up to pay for itself, and the
// compiler vectorises the inner loop over the contiguous batch.
void forward(const CsrLayer& W, const RowMat& x, RowMat& y) {
  const auto B = static_cast<std::size_t>(x.cols());
  y.resize(W.rows, x.cols());
  const float* xs = x.data();
  for (int r = 0; r < W.rows; ++r) {
    float* out = y.data() + static_cast<std::size_t>(r) * B;
    const float b = W.bias[static_cast<std::size_t>(r)];
    for (std::size_t i = 0; i < B; ++i) out[i] = b;
    for (std::uint32_t k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k) {
      const float v = W.value[k];
      const float* in = xs + static_cast<std::size_t>(W.col[k]) * B;
      for (std::size_t i = 0; i < B; ++i) out[i] += v * in[i];
    }
  }
}

void backward(const CsrLayer& W, const RowMat& x, const RowMat& dy, std::vector<float>& dvalue, std::vector<float>& dbias,
              RowMat* dx) {
  const auto B = static_cast<std::size_t>(x.cols());
  dvalue.resize(W.value.size());
  dbias.resize(static_cast<std::size_t>(W.rows));
  if (dx) dx->setZero(W.cols, x.cols());
  const float* xs = x.data();
  float* dxs = dx ? dx->data() : nullptr;
  for (int r = 0; r < W.rows; ++r) {
    const float* g = dy.data() + static_cast<std::size_t>(r) * B;
    const Eigen::Map<const Eigen::VectorXf> grad(g, static_cast<Eigen::Index>(B));
    dbias[static_cast<std::size_t>(r)] = grad.sum();
    for (std::uint32_t k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k) {
      const std::size_t c = static_cast<std::size_t>(W.col[k]) * B;
      // A reduction: Eigen's, which sums in vector lanes (a plain loop must keep the serial order).
      dvalue[k] = grad.dot(Eigen::Map<const Eigen::VectorXf>(xs + c, static_cast<Eigen::Index>(B)));
      if (dxs) {
        const float v = W.value[k];
        float* back = dxs + c;
        for (std::size_t i = 0; i < B; ++i) back[i] += v * g[i];
      }
    }
  }
}

Eigen::MatrixXf to_dense(const CsrLayer& W) {
  Eigen::MatrixXf D = Eigen::MatrixXf::Zero(W.rows, W.cols);
  for (int r = 0; r < W.rows; ++r)
    for (std::uint32_t k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k)
      D(r, W.col[k]) = W.value[k];
  return D;
}

void check_read_layer(const CsrLayer& W) {
  const auto bad = [&](const char* what) {
    throw CheckpointError("a " + std::to_string(W.rows) + " x " + std::to_string(W.cols) + " sparse layer whose " + what);
  };
  if (W.rows < 0 || W.cols < 0) bad("shape is negative");
  const auto rows = static_cast<std::size_t>(W.rows), n = W.col.size();
  if (W.row_start.size() != rows + 1 || W.row_start.front() != 0 || W.row_start.back() != n) bad("row offsets do not fit");
  if (W.value.size() != n || W.bias.size() != rows) bad("values or biases do not match its connections");
  for (const auto* m : {&W.moment1, &W.moment2})
    if (!m->empty() && m->size() != n) bad("optimizer moments do not match its connections");
  for (const auto* m : {&W.bias_moment1, &W.bias_moment2})
    if (!m->empty() && m->size() != rows) bad("bias moments do not match its rows");
  for (std::size_t r = 0; r < rows; ++r) {
    if (W.row_start[r] > W.row_start[r + 1]) bad("row offsets decrease");
    for (std::uint32_t k = W.row_start[r]; k < W.row_start[r + 1]; ++k)
      if (W.col[k] >= static_cast<std::uint32_t>(W.cols) || (k > W.row_start[r] && W.col[k] <= W.col[k - 1]))
        bad("columns are out of range or not ascending");
  }
}

}  // namespace obs::sparse
