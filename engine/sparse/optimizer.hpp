#pragma once
// The updates a sparse layer's weights and biases take from their gradients: plain SGD, and Adam
// (Kingma & Ba, ICLR 2015, Algorithm 1), whose running second moment v of each weight's gradient
// is also what the Taylor prune score reads (taylor_score below). Only existing connections have
// state: the moments live in the layer, aligned with its weights (csr_layer.hpp).
#include <cstdint>
#include <vector>

#include "sparse/csr_layer.hpp"

namespace obs::sparse {

struct Adam {
  float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
};

// w -= lr g, b -= lr g_b.
void sgd_step(CsrLayer& W, const std::vector<float>& dvalue, const std::vector<float>& dbias, float lr);

// One Adam step; t counts the layer's Adam steps from 1 (the bias correction 1 - beta^t). Sizes
// the moments on first use.
void adam_step(CsrLayer& W, const std::vector<float>& dvalue, const std::vector<float>& dbias, const Adam& a, std::uint64_t t);

// The Taylor prune score of every connection: 1/2 v w^2, the loss a connection's removal costs to
// second order when v (the running mean of its squared gradient) stands in for the diagonal of
// the Hessian (the Fisher approximation). Needs Adam's moments (empty when there are none).
std::vector<double> taylor_scores(const CsrLayer& W);

}  // namespace obs::sparse
