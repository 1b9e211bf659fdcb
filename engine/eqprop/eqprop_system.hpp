#pragma once
// TorEqProp as a System: a layered energy-based network (layered_net.hpp) kept contractive by a
// spectral-norm projection (lipschitz.hpp), trained by two-phase equilibrium propagation or, for
// comparison, by backprop on the same architecture (learning_rules.hpp), with the EqProp update
// measured against an independent reference gradient (reference_gradient.hpp).
//
// One step() is one mini-batch, so training is pausable mid-epoch and the window stays live. At
// the end of an epoch the test set is evaluated over a few steps (chunks), then the next epoch
// starts with a fresh shuffle. After a batch (every `showcase_every` steps) one fixed test
// example is relaxed alone and every sweep recorded (free, then nudged) for the R/G/B view; 2-D
// datasets also get a decision map every `map_every` steps.
#include <array>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "core/rng.hpp"
#include "learn/beta_mode.hpp"
#include "learn/learner.hpp"
#include "eqprop/dreamer.hpp"
#include "eqprop/homeostat.hpp"
#include "eqprop/eqprop_snapshot.hpp"
#include "eqprop/layered_net.hpp"
#include "eqprop/learning_rules.hpp"
#include "eqprop/lipschitz.hpp"
#include "eqprop/oscillating_nudge.hpp"
#include "eqprop/reference_gradient.hpp"
#include "eqprop/settling_oracle.hpp"
#include "eqprop/ternary_weights.hpp"

namespace obs {

class EqPropSystem final : public learn::Learner {
 public:
  EqPropSystem();

  std::string_view kind() const override { return "eqprop"; }
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

  // Read-only views for tests and benchmarks.
  const eqprop::Net& net() const { return net_; }
  double lipschitz() const { return lipschitz_; }

 private:
  // The fields a checkpoint holds, listed once for writing and reading (core/state_archive.hpp).
  template <class Self, class A>
  static void state_io(Self& self, A& a);
  enum class Output { Linear, Activation };
  enum class Algorithm { EqProp, Backprop };
  enum class Feedback { Symmetric, Random, Evolving };
  enum class NudgeSchedule { Phases, Oscillating };
  enum class Weights { Float, Ternary };

  void restart() override;
  void params_changed() override;
  void copied() override { declare_layer_metrics(); }
  std::uint64_t clone_bytes() const override;
  std::uint64_t map_workspace_bytes() const;  // for the parameters as they are now
  // After every update: L <= lipschitz_target by projection (EqProp, or backprop with backprop_bound), else
  // only measured.
  void bound_weights(int power_iters);
  // Bytes per example of the buffers the chosen learning rule holds through a step (states,
  // pre-activations, saved phases, scratch), for the state_bytes metric; the weights and the
  // weight-shaped update, the same for every rule, apart.
  double state_bytes_per_example() const;
  // One alignment metric per weight layer, re-declared whenever the layer count may change.
  void declare_layer_metrics();

  void build_network();
  void train_batch();
  // The learning rule on the batch in xb_ / yb_ / labels_ (filled by the caller): relax (or
  // forward and backward), update, project. False when the batch was discarded or its update
  // refused (non-finite); the weights are then untouched.
  bool learn_batch();
  void eval_chunk();
  // After the test pass: the out-of-distribution inputs through the same relaxation (ood != none).
  void eval_ood();
  // One scored batch for the oracle: the first `count` columns of xb_ after answer().
  void add_to_oracle(const eqprop::Mat& out, std::size_t count, bool ood);
  // The network's answer for the columns of x: the output layer after the free phase (eqprop),
  // or the feed-forward output (backprop), computed in the given workspace.
  const eqprop::Mat& answer(eqprop::Relaxer& relax, eqprop::FeedForward& ff, const eqprop::Mat& x);
  void finish_epoch();
  // Dreaming (dreamer.hpp): every class dreamt `dreams` times, from rest and from test images, and
  // the dreams classified by answer(); fills the dream_* results. After each test pass and at reset.
  void dream();
  // Robustness (eqprop_robustness.cpp): the first robust_count test examples again under each
  // noise level and each ablated share, perturbed mid-inference; fills robust_accuracy_.
  void measure_robustness();
  double perturbed_accuracy(bool ablate, double level);
  // The perturbations' random stream for a kind and level: the same at every pass.
  Rng robustness_stream(bool ablate, double level) const;
  std::vector<std::pair<int, int>> alive_hidden_units() const;  // (layer, unit) with mask 1
  void kill_unit(int l, int i);  // mask 0 and its momentum cleared: held at 0, out of the updates
  // Accuracy and mean cost 1/2 ||out - y||^2 of the first robust_count test examples, relaxed
  // from rest with the masks as they are.
  struct HeldOutScore {
    double accuracy, loss;
  };
  HeldOutScore held_out_score();
  // Healing by learning (eqprop_robustness.cpp): fills healing_.
  void measure_healing();
  // The dream parameters as dream() last used them: an edit of any of them dreams again at the
  // start of the next step, so the view answers the edit without waiting for a test pass.
  std::array<double, 6> dream_settings() const;
  // eqprop_showcase.cpp
  static constexpr int kMapRes = 64;  // the decision map's side, in pixels
  void prepare_decision_map();
  void run_showcase();
  // Frames the showcase records after its free phase: the nudged phase, or two periods of the
  // oscillating nudge.
  int showcase_nudged_frames() const { return nudge_schedule_ == NudgeSchedule::Oscillating ? 2 * osc_period_ : nudged_steps_; }
  void run_decision_map();
  void measure_alignment();
  void fill_batch(const data::Dataset& d, const std::uint32_t* idx, int count, eqprop::Mat& x, eqprop::Mat& y,
                  std::uint8_t* labels) const;
  int argmax_col(const eqprop::Mat& m, int c) const;
  // Counts and reports a batch whose state went non-finite; false (learn_batch's answer).
  bool discard_batch(const char* what);
  void heal_all();
  std::size_t hidden_units_total() const;

  // Parameters (bound in the constructor).
  std::size_t showcase_ = 0;
  double init_gain_ = 1, lr_first_ = 0, lr_last_ = 0, lr_decay_ = 1;
  int hidden_layers_ = 1, hidden_units_ = 64, batch_ = 50;
  eqprop::Activation activation_{};
  Output output_{};
  Algorithm algorithm_{};
  Feedback feedback_{};
  NudgeSchedule nudge_schedule_{};
  Weights weights_{};
  eqprop::TernaryWeights::Rule ternary_rule_{};
  int osc_period_ = 16, osc_periods_ = 2;
  int flip_substeps_ = 1;
  float beta_ = 0.5f, tol_ = 1e-4f, momentum_ = 0, lip_target_ = 0.95f;
  learn::BetaMode beta_mode_{};
  int free_steps_ = 30, nudged_steps_ = 10, power_iters_ = 3, max_epochs_ = 0;
  int showcase_every_ = 1, map_every_ = 10, align_every_ = 0;
  bool heal_ = false;
  bool backprop_bound_ = false;
  bool homeostasis_ = false;
  double homeo_velocity_ = 0.003, homeo_slope_ = 0.05;
  eqprop::OodKind ood_ = eqprop::OodKind::None;
  int ood_count_ = 1000;
  int dreams_ = 0, dream_steps_ = 100;
  float feedback_decay_ = 1e-4f;
  float dream_stiffness_ = 1.0f, dream_rate_ = 0.05f, dream_prior_ = 0.1f;
  enum class DreamMode { Clamp, Contrast } dream_mode_{};
  std::vector<float> lr_;  // per weight matrix, from lr_first, lr_last and lr_decay
  std::vector<float> step_lr_;  // lr_ times the homeostat's gains, for the step under homeostasis

  eqprop::Net net_;
  eqprop::Relaxer relax_, show_relax_;
  eqprop::OscillatingNudge osc_;
  eqprop::Homeostat homeostat_;     // per-layer step gains when homeostasis is on
  eqprop::TernaryWeights ternary_;  // the scale per matrix when weights = ternary
  eqprop::FeedForward ff_, ff_show_;
  eqprop::Grad update_, velocity_, ref_grad_;
  eqprop::ReferenceGradient reference_;
  eqprop::LipschitzProjector lip_;
  std::vector<eqprop::Mat> free_, plus_, scratch_;
  eqprop::Mat xb_, yb_, show_x_, show_y_;
  // The decision map's workspace: relaxed from rest over a fixed grid at every map, so nothing in
  // it carries from one map to the next. Clones share it (it is 95 % of a moons clone's bytes,
  // and a fresh one costs a replay 20 ms of page faults); the mutex serialises its use.
  struct MapWorkspace {
    std::mutex mu;
    eqprop::Relaxer relax;
    eqprop::FeedForward ff;
    eqprop::Mat x;
  };
  std::shared_ptr<MapWorkspace> map_;
  std::vector<std::uint8_t> labels_;

  // Training position and results.
  double lipschitz_ = 0, settling_ = 0, last_beta_ = 0;
  std::uint64_t train_macs_ = 0;  // multiply-adds of the batches learned since the restart
  std::uint64_t discarded_ = 0, refused_ = 0;
  std::vector<eqprop::LayerAlignment> alignment_;

  // The oracle: settling time and margin of every example of the last test pass, and its scores.
  eqprop::SettlingOracle oracle_;
  eqprop::OracleScores oracle_scores_;

  // Dreaming: the workspace, the training set's box per input feature, and the last results: the
  // dream from rest of each class (classes x dim) with the network's answer to it, the share of
  // all dreams answered as their class, and their mean settling sweeps (NaN when off).
  eqprop::Dreamer dreamer_;
  eqprop::Dreamer::InputStats input_stats_;
  std::vector<float> dream_images_;
  std::vector<int> dream_answers_;
  double dream_accuracy_ = 0, dream_sweeps_ = 0;
  std::array<double, 6> dreamt_with_{};

  // Robustness: test accuracy on the same examples unperturbed (noise level 0, first), under each
  // noise level (the std of the Gaussian kick) and each share of hidden units silenced, from the
  // last test pass (NaN when off).
  static constexpr std::array<double, 4> kNoiseLevels{0.0, 0.1, 0.3, 1.0};
  static constexpr std::array<double, 4> kAblateShares{0.05, 0.15, 0.3, 0.5};
  bool robustness_ = false;
  int robust_count_ = 2000, robust_at_ = 3;
  std::array<double, kNoiseLevels.size() + kAblateShares.size()> robust_accuracy_{};
  // Healing by learning, from the last test pass (NaN when off): losses of the net as it is, with
  // kHealShare of its hidden units dead, after heal_batches batches of learning with them dead,
  // and of the control (the same batches, no unit dead); the share of the lost loss regained; the
  // accuracy before and after the heal.
  static constexpr double kHealShare = 0.15;
  static constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  int heal_batches_ = 100;
  struct Healing {
    double loss_clean = kNan, loss_ablated = kNan, loss_healed = kNan, loss_control = kNan, regained = kNan,
           acc_ablated = kNan, acc_healed = kNan;
  } healing_;

  // The showcased example's recorded relaxation.
  std::vector<eqprop::RelaxFrame> traj_;
  int traj_len_ = 0, show_free_ = 0, show_pred_ = -1;
  bool show_settled_ = false, show_noisy_start_ = false, show_force_ = false;
  // A perturbation that lands mid-relaxation in the next showcase, after kick_at free sweeps: the
  // noise drawn when it was asked for (per free layer), and the masks from before an ablation
  // (the showcase relaxes with them until the kick lands, then with the units dead).
  int kick_at_ = 0;
  bool show_kick_pending_ = false, show_ablate_pending_ = false;
  std::vector<eqprop::Mat> show_kick_;
  std::vector<eqprop::Vec> show_mask_before_;
  std::vector<float> out_free_, out_nudged_;

  // 2-D datasets: class per pixel of the decision map, and a sample of training points.
  int map_res_ = 0;
  std::vector<std::uint8_t> decision_map_;
  std::vector<float> points_;
  std::vector<std::uint8_t> point_labels_;

  // A NaN/Inf fault waiting for the next training relaxation (see perturb()).
  int pending_fault_ = 0;  // 0 none, 1 NaN, 2 Inf
  double pending_fraction_ = 0;

  std::size_t fixed_metrics_ = 0;  // metrics before the per-layer alignment ones
  Rng rng_;
};

}  // namespace obs
