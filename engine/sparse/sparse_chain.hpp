#pragma once
// A feed-forward chain of sparse layers (ReLU between them, softmax cross-entropy at the end)
// trained by backprop through the sparse structure only: gradients exist for the existing
// connections and nowhere else. The `sparse` system's first module graph (784-300-100-10), and
// the "full sparse training step" its speed bar is measured on (tests/bench/bench_sparse.cpp).
#include <cstdint>
#include <type_traits>
#include <vector>

#include "sparse/csr_layer.hpp"
#include "sparse/optimizer.hpp"

namespace obs::sparse {

class SparseChain {
 public:
  // sizes = {inputs, hidden..., classes}; every layer at `density` (Glorot-uniform weights over
  // the connections a unit actually has, so the activations' scale does not fall with density).
  SparseChain(const std::vector<int>& sizes, double density, Rng& rng)
      : SparseChain(sizes, std::vector<double>(sizes.size() > 0 ? sizes.size() - 1 : 0, density), rng) {}
  // The same with a density per layer (layer_density.hpp).
  SparseChain(const std::vector<int>& sizes, const std::vector<double>& densities, Rng& rng);

  // The mean cross-entropy of the batch (x: inputs x batch, row-major; labels: one per column)
  // under the current weights; fills every layer's activations.
  double loss(const RowMat& x, const std::vector<std::uint8_t>& labels);
  // One SGD step on the batch: forward, backward, update. Returns the loss before the update.
  double train_step(const RowMat& x, const std::vector<std::uint8_t>& labels, float lr);
  // The update of train_step alone: every weight and bias moves by -lr times its last gradient.
  void apply_gradients(float lr);
  // The same update by Adam (optimizer.hpp); the chain counts its Adam steps.
  void apply_adam(const Adam& adam);
  // The logits (classes x batch) for x, without a loss: for evaluation.
  const RowMat& predict(const RowMat& x);
  // After loss(), gradients() or predict(): the logits of that batch.
  const RowMat& output() const { return act_.back(); }
  // After loss() or train_step(): the gradients of the last batch, per layer.
  const std::vector<float>& value_gradient(std::size_t layer) const { return dvalue_[layer]; }
  const std::vector<float>& bias_gradient(std::size_t layer) const { return dbias_[layer]; }
  // The gradients of loss() at the current weights (computed, not applied); returns the loss.
  double gradients(const RowMat& x, const std::vector<std::uint8_t>& labels);

  // After gradients(): layer l's input and dL/d(its pre-activation) for the last batch, which
  // RigL's dense gradient is made of.
  const RowMat& layer_input(std::size_t l) const { return input(l); }
  const RowMat& layer_delta(std::size_t l) const { return delta_[l]; }

  // After layers() were edited in shape (a unit or a layer added or removed: structure_edits.hpp):
  // sizes the per-layer work buffers again.
  void structure_changed();

  // Layer l's maths on a dense copy of its weights (kernel_choice.hpp) instead of its CSR
  // structure: the same results up to float rounding.
  void set_dense(std::size_t l, bool dense);
  bool dense(std::size_t l) const { return l < dense_.size() && dense_[l]; }

  std::vector<CsrLayer>& layers() { return layers_; }
  const std::vector<CsrLayer>& layers() const { return layers_; }
  std::size_t connections() const;

  // Checkpoints (core/state_archive.hpp): the layers, each layer's kernel (kept as it was, since
  // `auto` chooses with hysteresis and with timings of the machine that wrote it) and Adam's step
  // count. The activations, deltas and gradients are recomputed by every batch before use, and
  // the dense copies are refreshed at every forward.
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.layers_, self.dense_, self.adam_steps_);
    if constexpr (!std::is_const_v<Self>) self.after_read();
  }

 private:
  // After a checkpoint was read: CheckpointError unless the layers chain and each has a kernel;
  // the work buffers sized to them.
  void after_read();

  // Layer l's input: the batch for the first layer, the previous layer's output after it.
  const RowMat& input(std::size_t l) const { return l == 0 ? *input_ : act_[l]; }

  // Forward and backward of layer l by whichever kernel it uses.
  void layer_forward(std::size_t l, const RowMat& x, RowMat& y);
  void layer_backward(std::size_t l, const RowMat& x, const RowMat& dy, RowMat* dx);

  std::vector<CsrLayer> layers_;
  std::vector<char> dense_;                // per layer: its maths on a dense copy
  std::vector<Eigen::MatrixXf> dense_w_;   // that copy, refreshed at every forward
  const RowMat* input_ = nullptr;  // the batch of the last loss(), which outlives the call's use of it
  std::vector<RowMat> act_;        // act_[l + 1] = layer l's output (after ReLU; logits last); act_[0] unused
  std::vector<RowMat> delta_;  // dL/d(pre-activation) of each layer
  std::vector<std::vector<float>> dvalue_, dbias_;
  std::uint64_t adam_steps_ = 0;
};

}  // namespace obs::sparse
