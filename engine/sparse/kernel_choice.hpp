#pragma once
// The dense crossover (issue 14): a sparse layer's maths can run on its CSR structure (work per
// connection) or on a dense copy of its weights through Eigen's GEMM (work per possible weight,
// but at a far better rate per multiply-add). Above some density the dense kernel is faster; this
// file measures both rates on this machine and decides per layer, with hysteresis so a layer near
// the crossover does not flip back and forth at every rewiring.
//
// The dense path computes the same sums in another order, so switching changes results by float
// rounding only (tested), but a run whose kernels were chosen by timing is not bit-reproducible
// across machines or loads: the `sparse` system keeps the CSR kernel unless asked (`kernel`).
#include <Eigen/Dense>

#include <vector>

#include "sparse/csr_layer.hpp"

namespace obs::sparse {

// Seconds per sample of a layer's training step (forward and backward): the CSR kernel's cost
// per connection and the dense kernel's per possible weight (refreshing the dense copy included).
struct KernelCosts {
  double per_connection = 0, per_entry = 0;
  double sparse_time(double connections, double batch) const { return per_connection * connections * batch; }
  double dense_time(double rows, double cols, double batch) const { return per_entry * rows * cols * batch; }
};

// Times both kernels on layers of the given batch size (a few milliseconds) and returns their
// rates: the median of several repetitions each.
KernelCosts calibrate_kernels(int batch);

// The median over `reps` runs of one training step of W (forward and backward, input gradient
// included) on random data of this batch size, in seconds: on the dense kernel or the CSR one.
double time_layer_step(const CsrLayer& W, int batch, bool dense, int reps);

// Whether layer W should use the dense kernel at this batch size, given whether it does now:
// switch only when the other kernel is predicted faster by more than `hysteresis` (a share).
bool prefer_dense(const CsrLayer& W, int batch, bool dense_now, const KernelCosts& costs, double hysteresis = 0.15);

// The dense kernels. D is W as a dense matrix (refreshed from W by dense_weights before use).
void dense_weights(const CsrLayer& W, Eigen::MatrixXf& D);
void dense_forward(const CsrLayer& W, const Eigen::MatrixXf& D, const RowMat& x, RowMat& y);
// Gradients of the existing connections only (gathered from the dense dL/dW), the biases, and
// dL/dx when dx is given: the same contract as backward() in csr_layer.hpp.
void dense_backward(const CsrLayer& W, const Eigen::MatrixXf& D, const RowMat& x, const RowMat& dy, std::vector<float>& dvalue,
                    std::vector<float>& dbias, RowMat* dx);

}  // namespace obs::sparse
