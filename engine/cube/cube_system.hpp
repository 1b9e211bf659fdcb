#pragma once
// The neural cube: TorEqProp on an n x n x n lattice. Each neuron is coupled to its 26
// neighbours by symmetric weights, the input is clamped on the slab z < input_depth, and
// the classes are read out on the far face z = n - 1: each at one neuron, or (readout = face) by
// a unit coupled to the whole face (cube_readout.hpp). It learns with the
// two-phase EqProp rule (cube_learning.hpp) on relaxations computed by an 8-colour
// Gauss-Seidel sweep (cube_relax.hpp), dense or lazy.
//
// step() is one relaxation step (or, with step_mode = batch, one whole batch), so a view
// watches the cube settle. With step_mode = stream it is one frame of a stream of test images
// that change locally (cube_stream.hpp), relaxed to tol from the previous frame's fixed point,
// with no learning: where the lazy engine pays, shown live. The stages of one training batch:
//   free phase to equilibrium -> nudged phase (+beta; and -beta for the symmetric estimate)
//   -> weight update, Lipschitz projection, structural plasticity -> next batch.
// After the last training batch of an epoch the test set is relaxed (free phase only).
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "learn/beta_mode.hpp"
#include "learn/learner.hpp"
#include "cube/cube_lattice.hpp"
#include "cube/cube_relax.hpp"
#include "cube/cube_snapshot.hpp"
#include "cube/cube_stream.hpp"

namespace obs {

class CubeSystem final : public learn::Learner {
 public:
  CubeSystem();

  std::string_view kind() const override { return "cube"; }
  std::uint64_t bytes_needed() const override;
  void step() override;
  std::shared_ptr<const Snapshot> snapshot() const override;
  std::unique_ptr<System> clone() const override { return clone_of(*this); }
  std::vector<PerturbKind> supported_perturbations() const override;
  void perturb(const Perturbation& p) override;
  void dump(nlohmann::json& out) const override;
  std::uint64_t state_hash() const override;
  void write_state(StateWriter& out) const override;
  void read_state(StateReader& in) override;

  enum class Stage { Free, NudgePlus, NudgeMinus, Eval };

  // Read-only views for tests and benchmarks.
  const cube::Cube& lattice() const { return c_; }
  Stage stage() const { return stage_; }
  const cube::RelaxStats& last_relax() const { return last_; }
  double energy() const { return cube::energy(c_, c_.show); }
  double lipschitz() const { return lipschitz_; }
  double flops_effective() const { return flops_eff_; }
  double flops_dense() const { return flops_dense_; }
  std::uint64_t synapse_budget() const { return budget_; }
  std::uint64_t quarantined() const { return quarantined_; }
  // Runs the current phase until it ends (settled or out of steps); returns the steps taken.
  int finish_phase();

 private:
  // The fields a checkpoint holds, listed once for writing and reading (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a);
  enum class Engine { Dense, Lazy };
  enum class Projection { Auto, Random };
  enum class Weights { Float, Ternary };
  enum class Readout { Neuron, Face };
  enum class AblateShape { Random, Sphere };
  enum class StepMode { Relaxation, Batch, Stream };

  void check_params() const override;
  void restart() override;
  void params_changed() override;
  double alive_fraction() const;  // of the neurons outside the input slab
  void build_data();
  void place_outputs();
  void init_weights();
  void begin_epoch();
  void load_batch(bool eval);
  void relax_once();
  // One relaxation step with its bookkeeping (counts, quarantine of a non-finite field); true
  // when it settled (no |ds| above tol).
  bool relax_sweep();
  void end_phase();
  // Stream steps (cube_stream_step.cpp): one frame, relaxed until it settles; leaving the stream
  // puts the current batch back on the slab.
  void stream_step();
  void leave_stream();
  // The image of stream frame f (test examples stream_image and the next one), into out.
  void stream_image(std::int64_t f, std::vector<float>& out) const;
  void learn();
  // Whether every learned quantity (weights, biases, the readout's couplings, biases and offsets,
  // the Lipschitz estimate) is finite: an update that breaks this is refused.
  bool learned_state_finite() const;
  void update_weights();  // the update itself (learn() keeps the state before it)
  void project(int iterations);
  void revive_killed();
  // Scores the first `valid` examples of the batch against their labels.
  void count_predictions(learn::EpochTally& tally, std::size_t valid) const;
  int predicted(int example) const;
  void kill(std::size_t p, bool freeze);
  // Activation, velocity and nudge of the probed neuron in the showcased example (NaN: no probe).
  std::array<double, 3> probe_channels() const;

  // Parameters (bound in the constructor).
  int n_ = 16, batch_size_ = 32, input_depth_ = 1, show_ = 0;
  Engine engine_{};
  double projection_gain_ = 0, projection_smoothing_ = 0;
  Projection projection_{};
  int free_steps_ = 60, nudged_steps_ = 30, plasticity_every_ = 5;
  float tol_ = 1e-4f, beta_ = 0.5f, lr_ = 0.05f, overrelax_ = 1, target_L_ = 0.95f, grow_ratio_ = 0, prune_ratio_ = 0;
  learn::BetaMode beta_mode_{};
  Weights weights_{};
  double weight_mean_ = 0, weight_spread_ = 0, input_weight_ = 0, bias_init_ = 0, init_density_ = 0, synapse_budget_ = 0;
  Readout readout_{};
  bool plasticity_ = false, heal_ = false, warm_start_ = false;
  AblateShape ablate_shape_{};
  double ablate_centre_[3] = {0.5, 0.5, 0.5};
  int probe_[3] = {-1, -1, -1};
  StepMode step_mode_{};
  cube::StreamKind stream_kind_{};
  int stream_image_ = 0, stream_frames_ = 40, occluder_ = 8;

  cube::Cube c_;
  bool direct_image_ = false;
  int image_x0_ = 0, image_y0_ = 0;
  std::vector<float> proj_, proj_bias_;  // random projection of an example onto the slab
  cube::AlignedFloats s_free_, s_plus_;  // the same storage as the lattice states, so copies are plain assignments
  cube::AlignedFloats r_free_, r_plus_;  // the face readout's unit states at the same moments
  std::vector<float> pv_, pu_;           // power-iteration vectors
  std::vector<cube::RelaxStats> partial_;
  std::vector<std::size_t> outputs_;     // padded index of the output neuron of each class
  std::vector<std::uint32_t> batch_idx_; // examples of the current batch
  std::vector<std::uint8_t> killed_;     // cells: killed by ablation (healable)
  std::vector<std::uint32_t> moved_;     // cells: learning scratch (pairs stepped by the current update)
  std::vector<double> plane_scratch_;    // 2 (n + 2): per-plane loudness means
  // The learned state before the current update, so a non-finite update can be refused and the
  // previous weights kept (sized at reset: the copies allocate nothing in the steady state).
  struct LearnedState {
    std::vector<float> w, loud, bias, ro_u, ro_bias, ro_mu;
    std::vector<std::uint32_t> mask;
    float scale_ff = 0;
    double lipschitz = 0;
    std::uint64_t synapses = 0;
  } kept_;
  std::uint64_t refused_updates_ = 0;
  std::size_t batch_valid_ = 0;          // examples of the batch that count (the last test batch is padded)

  // What the view shows in batch steps (CubeSnapshot::settled): the showcased example's states,
  // in snapshot order, as its batch's phases ended. Kept for display only: not part of the
  // state, so a reset or a checkpoint read drops it and the view shows the live states until
  // the next phase ends.
  struct SettledShowcase {
    bool valid = false, test = false, nudged = false;
    std::vector<float> s, nudge, out;
    std::uint32_t example = 0;
    int predicted = 0, settle_steps = 0;
  } settled_;
  // At the end of a free (or test) phase, or (nudge) of the +beta phase.
  void keep_settled(bool nudge);

  // The stream: frames done, and the last frame's relaxation step at its start (the view's work
  // channel: blocks updated since), its steps, multiply-adds and the dense sweeps' count.
  bool streaming_ = false;  // the slab holds a stream frame, not the batch
  std::int64_t frames_ = 0, frame_t0_ = 0;
  int frame_steps_ = 0;
  double frame_macs_ = 0, frame_dense_macs_ = 0, frame_share_ = 0;
  std::vector<float> frame_pixels_;  // scratch: the frame's image (sized once)

  Stage stage_ = Stage::Free;
  std::int64_t relax_t_ = 0;  // relaxation steps since reset
  int phase_step_ = 0, settle_steps_ = 0;
  std::uint64_t batches_total_ = 0;
  double flops_eff_ = 0, flops_dense_ = 0;
  cube::RelaxStats last_;
  double lipschitz_ = 0;
  float scale_ff_ = 0, scale_in_ = 0;
  std::uint64_t budget_ = 0, possible_ = 0, synapses_ = 0;
  std::uint64_t quarantined_ = 0, killed_count_ = 0, flips_ = 0;
  bool scan_pending_ = false;
  Rng rng_;
};

}  // namespace obs
