#pragma once
// Edits of a sparse chain's shape that keep what it computes (issue 14; design: "Clone-and-Split",
// "Nascent modules"): widening a hidden layer by splitting a unit in two, merging the two back,
// and inserting a new layer that starts as the identity. Each leaves the logits equal to before
// up to float rounding (tested to 1e-5), so the network can grow without a jolt and the evidence
// for keeping the new structure is measured from there.
#include <cstddef>

#include "sparse/sparse_chain.hpp"

namespace obs::sparse {

// Clone-and-split: hidden unit `unit` of layer l's outputs (l must not be the last layer) gets a
// clone, appended as the last output of layer l with a copy of its incoming connections and
// bias; each of its outgoing weights w in layer l + 1 becomes share * w, and the clone reads
// (1 - share) * w on the same rows. With share = 1/2 this is the design's "halve downstream
// weights"; any other share keeps the function too (the two copies compute the same activation)
// and breaks the symmetry that would otherwise keep the twins identical under training. Moments
// of the new connections start at 0. Returns the clone's index.
int split_unit(SparseChain& chain, std::size_t l, int unit, float share = 0.5f);

// Re-merge: the outgoing weights of `drop` are added onto those of `keep` (a connection `keep`
// lacks is created) and `drop` is removed from layer l's outputs (its row) and from layer l + 1's
// inputs (its column; later inputs renumbered). Exact when the two compute the same activation,
// as right after a split.
void merge_units(SparseChain& chain, std::size_t l, int keep, int drop);

// Nascent module: a new layer after layer `after` (not the last), units = layer `after`'s
// outputs, with one connection per unit (unit i reads input i, weight 1, bias 0). Its input has
// been through a ReLU, so ReLU(I h) = h and the logits do not move.
void insert_identity_layer(SparseChain& chain, std::size_t after);

// Consolidation (the design's "consolidate to identity"): removes layer l, a square layer between
// two others (0 < l < last); the layer before it then feeds the one after it directly. Exact
// when layer l is still the identity.
void remove_layer(SparseChain& chain, std::size_t l);

}  // namespace obs::sparse
