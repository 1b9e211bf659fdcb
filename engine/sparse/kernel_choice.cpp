#include "sparse/kernel_choice.hpp"

#include <algorithm>
#include <chrono>

#include "core/rng.hpp"

namespace obs::sparse {

void dense_weights(const CsrLayer& W, Eigen::MatrixXf& D) {
  D.setZero(W.rows, W.cols);
  for (int r = 0; r < W.rows; ++r)
    for (std::uint32_t k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k)
      D(r, W.col[k]) = W.value[k];
}

void dense_forward(const CsrLayer& W, const Eigen::MatrixXf& D, const RowMat& x, RowMat& y) {
  y.resize(W.rows, x.cols());
  y.noalias() = D * x;
  y.colwise() += Eigen::Map<const Eigen::VectorXf>(W.bias.data(), W.rows);
}

void dense_backward(const CsrLayer& W, const Eigen::MatrixXf& D, const RowMat& x, const RowMat& dy, std::vector<float>& dvalue,
                    std::vector<float>& dbias, RowMat* dx) {
  Eigen::MatrixXf dW(W.rows, W.cols);
  dW.noalias() = dy * x.transpose();
  dvalue.resize(W.value.size());
  for (int r = 0; r < W.rows; ++r)
    for (std::uint32_t k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k)
      dvalue[k] = dW(r, W.col[k]);  // only the connections get a gradient, as in the CSR kernel
  dbias.resize(static_cast<std::size_t>(W.rows));
  Eigen::Map<Eigen::VectorXf>(dbias.data(), W.rows) = dy.rowwise().sum();
  if (dx) {
    dx->resize(W.cols, x.cols());
    dx->noalias() = D.transpose() * dy;
  }
}

double time_layer_step(const CsrLayer& W, int batch, bool dense, int reps) {
  Rng rng(12345);
  RowMat x(W.cols, batch), dy(W.rows, batch), y, dx;
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform(-1, 1));
  for (Eigen::Index i = 0; i < dy.size(); ++i) dy.data()[i] = static_cast<float>(rng.uniform(-1, 1));
  std::vector<float> dvalue, dbias;
  Eigen::MatrixXf D;
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (dense) {
      dense_weights(W, D);
      dense_forward(W, D, x, y);
      dense_backward(W, D, x, dy, dvalue, dbias, &dx);
    } else {
      forward(W, x, y);
      backward(W, x, dy, dvalue, dbias, &dx);
    }
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(t.begin(), t.begin() + reps / 2, t.end());
  return t[static_cast<std::size_t>(reps / 2)];
}

KernelCosts calibrate_kernels(int batch) {
  // One 256 x 256 layer: at 10 % for the CSR rate (at lower densities the per-row overhead
  // would inflate it; at higher, the rate is flat), and the same layer through the dense path.
  constexpr int n = 256, reps = 7;
  Rng rng(12345);
  const CsrLayer W = random_layer(n, n, 0.1, 0.1, rng);
  KernelCosts c;
  c.per_connection = time_layer_step(W, batch, false, reps) / (static_cast<double>(W.connections()) * batch);
  c.per_entry = time_layer_step(W, batch, true, reps) / (static_cast<double>(n) * n * batch);
  return c;
}

bool prefer_dense(const CsrLayer& W, int batch, bool dense_now, const KernelCosts& costs, double hysteresis) {
  const double sparse = costs.sparse_time(static_cast<double>(W.connections()), batch);
  const double dense = costs.dense_time(W.rows, W.cols, batch);
  return dense_now ? !(sparse < (1 - hysteresis) * dense) : dense < (1 - hysteresis) * sparse;
}

}  // namespace obs::sparse
