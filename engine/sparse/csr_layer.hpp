#pragma once
// A layer y = W x + b whose weights exist only where W is Hot: compressed sparse rows (for each
// output unit, the input columns it reads, ascending, and a value aligned with each). No dense
// mask is stored, so memory and work scale with the connections, not with rows x cols: the
// `sparse` system's core (issue 14), and the kernels its speed claims rest on.
//
// Activations are features x batch with a feature's batch contiguous (row-major), so every
// connection costs one batch-long multiply-add over contiguous floats, which vectorises: the
// kernels never gather across the batch.
#include <Eigen/Dense>

#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/rng.hpp"

namespace obs::sparse {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct CsrLayer {
  int rows = 0, cols = 0;
  std::vector<std::uint32_t> row_start;  // rows + 1 offsets into col / value
  std::vector<std::uint32_t> col;        // the input read by each connection, ascending within a row
  std::vector<float> value;              // its weight
  std::vector<float> bias;               // one per row
  // An optimizer's running moments of each weight's gradient (Adam's m and v), aligned with
  // value and moved with it when connections are removed or added; empty when the optimizer
  // keeps none (plain SGD). A new connection starts with zero moments.
  std::vector<float> moment1, moment2;
  std::vector<float> bias_moment1, bias_moment2;  // the same for the biases, one per row

  std::size_t connections() const { return col.size(); }
  // Output units that read no input (they compute only their bias): a layer cut off there.
  int rows_without_inputs() const {
    int n = 0;
    for (std::size_t r = 0; r + 1 < row_start.size(); ++r) n += row_start[r] == row_start[r + 1];
    return n;
  }
  double density() const {
    return rows && cols ? static_cast<double>(col.size()) / (static_cast<double>(rows) * cols) : 0.0;
  }
  // Bytes for a layer of that shape and connection count (refused before allocation when absurd).
  static std::uint64_t bytes_for(std::uint64_t rows, std::uint64_t connections) {
    return (rows + 1) * 4 + connections * 8 + rows * 4;
  }
  // Checkpoints (core/state_archive.hpp). A layer read back is checked whole: the kernels index
  // by row_start and col without bounds checks.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.rows, self.cols, self.row_start, self.col, self.value, self.bias, self.moment1, self.moment2, self.bias_moment1,
      self.bias_moment2);
    if constexpr (!std::is_const_v<Self>) check_read_layer(self);
  }
};

// CheckpointError unless W is a well-formed layer (offsets, ascending columns in range, aligned
// values, biases and moments).
void check_read_layer(const CsrLayer& W);

// A layer in which each row reads round(density x cols) inputs (at least one), chosen uniformly
// and distinct, with weights uniform in [-scale, scale] and zero biases.
CsrLayer random_layer(int rows, int cols, double density, double scale, Rng& rng);

// y = W x + b; y becomes rows x batch.
void forward(const CsrLayer& W, const RowMat& x, RowMat& y);

// From dL/dy: dL/dW on the connections (aligned with W.value), dL/db, and dL/dx when dx is given.
// Only existing connections get a gradient: nothing is computed, or stored, for absent ones.
void backward(const CsrLayer& W, const RowMat& x, const RowMat& dy, std::vector<float>& dvalue, std::vector<float>& dbias,
              RowMat* dx);

// The same weights as a dense matrix (absent connections 0): for tests against dense maths.
Eigen::MatrixXf to_dense(const CsrLayer& W);

}  // namespace obs::sparse
