#pragma once
// Changing which connections a sparse layer has, by the two published rules the `sparse` system is
// measured against (issue 14's baselines): both drop the connections of smallest |w|; SET regrows
// at random (Mocanu et al., Nature Communications 9:2383, 2018), RigL regrows where the gradient
// of the loss with respect to an absent weight is largest (Evci et al., "Rigging the Lottery",
// ICML 2020), with an update fraction that decays along a cosine.
//
// A regrown connection starts at weight 0 (RigL's choice; SET's paper draws it at random), so
// growing never changes what the network computes at the moment it happens, and the two
// baselines differ only in where they grow.
#include <cstddef>
#include <vector>

#include "sparse/csr_layer.hpp"
#include "sparse/sparse_chain.hpp"

namespace obs::sparse {

using Key = std::uint64_t;  // row * cols + col: one number per (row, col) of a layer, ordered row-major

// Merges new connections (keys ascending, all absent) into W, keeping every row's inputs
// ascending: at the given values (aligned with keys), or at weight 0 without them. A new
// connection's optimizer moments start at 0.
void insert_connections(CsrLayer& W, const std::vector<Key>& keys, const std::vector<float>* values = nullptr);

// Removes the connections k with drop[k] != 0 (drop is aligned with W.value), keeping the order
// of the rest. Returns how many went.
std::size_t remove_marked(CsrLayer& W, const std::vector<char>& drop);

// Removes the k connections of smallest |w| (k clamped to the count; ties: the connection stored
// first goes first, so the result depends on nothing but the layer). Returns how many went.
std::size_t prune_smallest(CsrLayer& W, std::size_t k);

// Adds k absent connections chosen uniformly among all absent (row, col), at weight 0 (k clamped
// to the number absent). Returns how many were added.
std::size_t grow_random(CsrLayer& W, std::size_t k, Rng& rng);

// The gradient of the loss with respect to every weight of a dense layer of W's shape, present or
// absent: dL/dW = dy x^T, rows x cols (dy: rows x batch, x: cols x batch). What RigL ranks the
// absent connections by; it costs a dense product, which is why RigL computes it only when it
// rewires.
Eigen::MatrixXf dense_gradient(const RowMat& x, const RowMat& dy);

// Adds the k absent connections of largest |gradient| (ties: lower row, then lower column), at
// weight 0. Returns how many were added.
std::size_t grow_by_gradient(CsrLayer& W, const Eigen::MatrixXf& gradient, std::size_t k);

// RigL's update fraction at a step: alpha/2 (1 + cos(pi t / t_end)) while t < t_end, 0 after
// (Evci et al. 2020, eq. 1).
double cosine_update_fraction(double alpha, long step, long end_step);

// One rewiring of a whole chain by SET (by_gradient false) or RigL (true): in each layer the
// round(fraction x connections) of smallest |w| go and as many absent ones come (RigL ranks them
// by the chain's last gradients(), taken before anything is dropped). Returns, per layer, how
// many went and came (both 0 where the fraction rounds to nothing).
struct LayerMove {
  int pruned = 0, grown = 0;
};
std::vector<LayerMove> rewire_chain(SparseChain& chain, bool by_gradient, double fraction, Rng& rng);

}  // namespace obs::sparse
