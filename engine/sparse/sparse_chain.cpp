#include "sparse/sparse_chain.hpp"

#include <algorithm>
#include <cmath>

#include "core/state_archive.hpp"
#include "sparse/kernel_choice.hpp"

namespace obs::sparse {

SparseChain::SparseChain(const std::vector<int>& sizes, const std::vector<double>& densities, Rng& rng) {
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const int in = sizes[l], out = sizes[l + 1];
    const double density = densities.at(l);
    // Glorot & Bengio (2010) uniform bound, with the fan-in and fan-out a unit really has.
    const double fan_in = std::max(1.0, std::round(density * in)), fan_out = std::max(1.0, density * out);
    const double scale = std::sqrt(6.0 / (fan_in + fan_out));
    layers_.push_back(random_layer(out, in, density, scale, rng));
  }
  structure_changed();
}

void SparseChain::structure_changed() {
  act_.resize(layers_.size() + 1);
  delta_.resize(layers_.size());
  dvalue_.resize(layers_.size());
  dbias_.resize(layers_.size());
  if (dense_.size() != layers_.size()) {  // a layer added or removed: every layer back on CSR
    dense_.assign(layers_.size(), 0);
    dense_w_.assign(layers_.size(), Eigen::MatrixXf());
  }
}

void SparseChain::after_read() {
  if (layers_.empty()) throw CheckpointError("a sparse chain without layers");
  for (std::size_t l = 1; l < layers_.size(); ++l)
    if (layers_[l].cols != layers_[l - 1].rows)
      throw CheckpointError("sparse layer " + std::to_string(l) + " reads " + std::to_string(layers_[l].cols) +
                            " inputs from a layer of " + std::to_string(layers_[l - 1].rows) + " units");
  if (dense_.size() != layers_.size()) throw CheckpointError("a sparse chain whose kernels do not match its layers");
  structure_changed();
  dense_w_.assign(layers_.size(), Eigen::MatrixXf());  // refreshed at the next forward
}

void SparseChain::set_dense(std::size_t l, bool dense) {
  dense_.at(l) = dense;
  if (!dense) dense_w_[l] = Eigen::MatrixXf();  // its memory back
}

void SparseChain::layer_forward(std::size_t l, const RowMat& x, RowMat& y) {
  if (!dense_[l]) return forward(layers_[l], x, y);
  // Refreshed from the CSR values at every forward: they are what the optimizer and the
  // rewiring change, and a refresh costs one pass over the dense matrix, far less than its GEMM.
  dense_weights(layers_[l], dense_w_[l]);
  dense_forward(layers_[l], dense_w_[l], x, y);
}

void SparseChain::layer_backward(std::size_t l, const RowMat& x, const RowMat& dy, RowMat* dx) {
  if (!dense_[l]) return backward(layers_[l], x, dy, dvalue_[l], dbias_[l], dx);
  dense_backward(layers_[l], dense_w_[l], x, dy, dvalue_[l], dbias_[l], dx);
}

std::size_t SparseChain::connections() const {
  std::size_t n = 0;
  for (const auto& W : layers_) n += W.connections();
  return n;
}

const RowMat& SparseChain::predict(const RowMat& x) {
  input_ = &x;  // read in place: a copy of a Fashion-MNIST batch would cost as much as a 1 % layer
  const std::size_t L = layers_.size();
  for (std::size_t l = 0; l < L; ++l) {
    layer_forward(l, input(l), act_[l + 1]);
    if (l + 1 < L) act_[l + 1] = act_[l + 1].cwiseMax(0.0f);  // ReLU
  }
  return act_[L];
}

double SparseChain::loss(const RowMat& x, const std::vector<std::uint8_t>& labels) {
  predict(x);
  const std::size_t L = layers_.size();
  // Softmax cross-entropy per column; delta of the last layer = softmax - one-hot, over B.
  RowMat& z = act_[L];
  const Eigen::Index B = z.cols();
  RowMat& d = delta_[L - 1];
  d.resize(z.rows(), B);
  double total = 0;
  for (Eigen::Index b = 0; b < B; ++b) {
    const float m = z.col(b).maxCoeff();
    double sum = 0;
    for (Eigen::Index k = 0; k < z.rows(); ++k) sum += std::exp(static_cast<double>(z(k, b) - m));
    const auto y = static_cast<Eigen::Index>(labels[static_cast<std::size_t>(b)]);
    total += std::log(sum) - static_cast<double>(z(y, b) - m);
    for (Eigen::Index k = 0; k < z.rows(); ++k)
      d(k, b) = static_cast<float>((std::exp(static_cast<double>(z(k, b) - m)) / sum - (k == y ? 1.0 : 0.0)) / static_cast<double>(B));
  }
  return total / static_cast<double>(B);
}

double SparseChain::gradients(const RowMat& x, const std::vector<std::uint8_t>& labels) {
  const double value = loss(x, labels);
  for (std::size_t l = layers_.size(); l-- > 0;) {
    RowMat* dx = l > 0 ? &delta_[l - 1] : nullptr;
    layer_backward(l, input(l), delta_[l], dx);
    if (dx) *dx = dx->cwiseProduct((act_[l].array() > 0.0f).cast<float>().matrix());  // through the ReLU
  }
  return value;
}

double SparseChain::train_step(const RowMat& x, const std::vector<std::uint8_t>& labels, float lr) {
  const double before = gradients(x, labels);
  apply_gradients(lr);
  return before;
}

void SparseChain::apply_gradients(float lr) {
  for (std::size_t l = 0; l < layers_.size(); ++l) sgd_step(layers_[l], dvalue_[l], dbias_[l], lr);
}

void SparseChain::apply_adam(const Adam& adam) {
  ++adam_steps_;
  for (std::size_t l = 0; l < layers_.size(); ++l) adam_step(layers_[l], dvalue_[l], dbias_[l], adam, adam_steps_);
}

}  // namespace obs::sparse
