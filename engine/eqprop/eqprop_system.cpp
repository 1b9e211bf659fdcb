#include "core/state_archive.hpp"
#include "eqprop/eqprop_system.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/input_error.hpp"
#include "core/state_hash.hpp"
#include "core/pick_distinct.hpp"

namespace obs {
namespace {

using eqprop::Mat;
using eqprop::Vec;

constexpr int kEvalChunks = 4;                  // the test set is evaluated over this many steps

std::string fmt(double v, int digits = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

nlohmann::json matrix_json(const Mat& m) {
  std::vector<float> rows;
  rows.reserve(static_cast<std::size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) rows.push_back(m(i, j));
  return {{"rows", m.rows()}, {"cols", m.cols()}, {"data_row_major", rows}};
}

}  // namespace

EqPropSystem::EqPropSystem() {
  declare_data_params({.train_size = 1000, .test_size = 500, .data_noise = 0.1, .spiral_arms = 2});

  param(hidden_layers_, "hidden_layers", 1, 1, 200).restart().help("number of hidden layers").group("Network");
  param(hidden_units_, "hidden_units", 64, 1, 1'000'000).restart().log_scale().help("units per hidden layer").group("Network");
  param(activation_, "activation", eqprop::Activation::HardSigmoid, {"hard-sigmoid", "tanh"}).restart()
      .help("rho: hard-sigmoid clip(x, 0, 1) or tanh; both 1-Lipschitz").group("Network");
  param(output_, "output", Output::Linear, {"linear", "activation"}).restart()
      .help("output layer: linear (no dead outputs under the squared error) or the hidden activation").group("Network");
  param(weights_, "weights", Weights::Float, {"float", "ternary"}).restart()
      .help("ternary: every weight matrix alpha_l x {-1, 0, +1}, trained by stochastic one-level flips toward the "
            "update with probability lr |v| / alpha (ternary_weights.hpp); biases stay real").group("Network");
  param(ternary_rule_, "ternary_rule", eqprop::TernaryWeights::Rule::Flips, {"flips", "shadow"}).restart()
      .help("ternary weights: flips = stochastic one-level flips, no float weights; shadow = a float copy takes the "
            "update and the net uses its ternarisation (for comparison)").group("Network");
  param(flip_substeps_, "flip_substeps", 1, 1, eqprop::TernaryWeights::kMaxSubsteps).restart()
      .help("ternary flips: sub-levels a weight counts (an int8 per weight) before it moves one level; 1 = the plain "
            "rule, K cuts the rounding's noise K-fold (ternary_weights.hpp)").group("Network");
  param(init_gain_, "init_gain", 1.0, 0.01, 10).restart().help("scale of the Glorot-uniform initial weights").group("Network");

  param(algorithm_, "algorithm", Algorithm::EqProp, {"eqprop", "backprop"}).restart()
      .help("eqprop: two-phase equilibrium propagation; backprop: the same layers as a feed-forward net, for comparison").group("Learning");
  param(feedback_, "feedback", Feedback::Symmetric, {"symmetric", "random", "evolving"}).restart()
      .help("how a layer reads the one above: symmetric = through W^T (an energy); random = through fixed random "
            "weights B, feedback alignment (Lillicrap et al. 2016); evolving = B starts random and takes the transpose of "
            "W's every step, both decaying by feedback_decay (Kolen-Pollack). In the relaxation and in backprop's backward pass. "
            "EqProp with random feedback wants lr_first about 3x the symmetric net's (Fashion: 0.03, not 0.01)")
      .group("Learning");
  param(feedback_decay_, "feedback_decay", 1e-4, 0, 0.1).log_scale()
      .help("evolving feedback: W_l and B_l (l >= 1) shrink by this share per step, so W - B^T decays").group("Learning");
  param(beta_, "beta", 0.5, 1e-4, 0.95).log_scale().help("nudging strength (below 1 so that -beta keeps the energy convex)").group("Learning");
  param(beta_mode_, "beta_mode", learn::BetaMode::Symmetric, learn::beta_mode_choices()).help(learn::kBetaModeHelp).group("Learning")
      .formerly("random-sign", "random_sign").formerly("fixed", "positive");
  param(nudge_schedule_, "nudge_schedule", NudgeSchedule::Phases, {"phases", "oscillating"})
      .help("phases: a free phase, then nudged ones (beta_mode); oscillating: single-phase learning, one relaxation "
            "under beta sin(2 pi t / osc_period), the update its first Fourier coefficient (oscillating_nudge.hpp)")
      .group("Learning");
  param(osc_period_, "osc_period", 16, 3, 10000).help("oscillating nudge: sweeps per period").group("Learning");
  param(osc_periods_, "osc_periods", 2, 1, 1000)
      .help("oscillating nudge: periods integrated into the update, after one period of warm-up").group("Learning");
  param(free_steps_, "free_steps", 30, 1, 10000).help("free phase: most sweeps (T)").group("Learning");
  param(nudged_steps_, "nudged_steps", 10, 1, 10000).help("nudged phase: most sweeps").group("Learning");
  param(tol_, "tol", 1e-4, 1e-9, 1).log_scale().help("a phase stops once max |ds| of a sweep is below this").group("Learning");
  param(batch_, "batch", 50, 1, 100000).restart().help("mini-batch size; one step trains one batch").group("Learning");
  param(lr_first_, "lr_first", 0.05, 1e-6, 10).log_scale().help("learning rate of the input weights W_0").group("Learning");
  param(lr_last_, "lr_last", 0.05, 1e-6, 10).log_scale()
      .help("learning rate of the output weights; layers between interpolate geometrically").group("Learning");
  param(momentum_, "momentum", 0.0, 0, 0.999).help("SGD momentum").group("Learning");
  param(lr_decay_, "lr_decay", 1.0, 0.01, 1).help("learning rates are multiplied by this after every epoch").group("Learning");
  param(max_epochs_, "epochs", 0, 0, 1'000'000).help("stop training after this many epochs (0 = never)").group("Learning");
  param(lip_target_, "lipschitz_target", 0.95, 0.05, 0.99)
      .help("the coupling among free layers is scaled after every update so that L <= this").group("Learning");
  param(backprop_bound_, "backprop_bound", false)
      .help("backprop: project its weights to the same Lipschitz bound as EqProp after every update (to tell the "
            "bound's effect from the learning rule's); off, backprop's weights are free").group("Learning");
  param(homeostasis_, "homeostasis", false)
      .help("each weight layer brakes or boosts its own step to hold its velocity, |step| / |W| per update, near "
            "homeo_velocity, and a hidden layer too saturated to move (mean slope under homeo_slope) has its incoming "
            "weights shrunk (homeostat.hpp); lr_first and lr_last then set only the first steps").group("Learning");
  param(homeo_velocity_, "homeo_velocity", 0.003, 1e-6, 1).log_scale()
      .help("homeostasis: the target velocity of every layer, decaying with lr_decay; a step above twice it is braked, "
            "below half it the layer's gain grows 2 % per update").group("Learning");
  param(homeo_slope_, "homeo_slope", 0.05, 0, 1)
      .help("homeostasis: a hidden layer whose mean slope rho'(s) (the share of its units inside the activation's "
            "linear range, the ones that can move) is below this has its incoming weights shrunk 1 % per update")
      .group("Learning");
  param(power_iters_, "power_iters", 3, 1, 1000).help("power-iteration steps per update for ||W_rec||_2 (warm-started)").group("Learning");

  param(showcase_, "showcase", 0, 0, 10'000'000).help("test example whose relaxation is recorded for the view").group("Observatory");
  param(showcase_every_, "showcase_every", 1, 0, 1'000'000).help("record the showcase relaxation every k steps (0 = never)").group("Observatory");
  param(map_every_, "map_every", 10, 0, 1'000'000).help("2-D data: recompute the 64x64 decision map every k steps (0 = never)").group("Observatory");
  param(align_every_, "align_every", 0, 0, 1'000'000)
      .help("compare the EqProp update with the reference (backprop) gradient every k steps (0 = never)").group("Observatory");
  param(kick_at_, "kick_at", 0, 0, 10000)
      .help("noise kick and ablation, in the showcase: the free-phase sweep after which they land, mid-relaxation "
            "(0: the relaxation starts from the kicked state, an ablation holds from the first sweep)").group("Observatory");
  param(heal_, "heal", false).help("restore ablated units (they rejoin at the next step)").group("Observatory");
  param(ood_, "ood", eqprop::OodKind::None, {"none", "inverted", "noise"})
      .help("the oracle: after each test pass also relax ood_count out-of-distribution inputs (the test images inverted, "
            "or uniform noise) and score settling time and margin as detectors of them (ood_*_auroc)")
      .group("Observatory");
  param(ood_count_, "ood_count", 1000, 1, 1'000'000).help("the oracle: out-of-distribution inputs per test pass").group("Observatory");
  param(robustness_, "robustness", false)
      .help("after each test pass, score robust_count test examples again as they are (acc_clean), with Gaussian noise "
            "(std 0.1, 0.3, 1) kicked into the hidden state, and with 5, 15, 30, 50 % of the hidden units silenced, "
            "mid-inference (acc_noise_*, acc_ablate_*); and healing by learning with 15 % dead (heal_*, heal_batches)")
      .group("Observatory");
  param(robust_count_, "robust_count", 2000, 1, 1'000'000).help("robustness: test examples per perturbation").group("Observatory");
  param(robust_at_, "robust_at", 3, 0, 10000)
      .help("robustness: the free-phase sweep after which the perturbation hits (eqprop; backprop has no sweeps)").group("Observatory");
  param(heal_batches_, "heal_batches", 100, 1, 100000)
      .help("robustness: healing by learning, after each test pass: batches that a copy of the net learns with 15 % of "
            "its hidden units dead, and a control copy with none (heal_*)").group("Observatory");
  param(dreams_, "dreams", 0, 0, 100)
      .help("dreaming: after each test pass clamp the output to each class, free the input and relax; dreams per class "
            "(the first from the training set's mean input, the others from test images; 0 = off). The net then classifies its dreams (dream_accuracy)")
      .group("Observatory");
  param(dream_mode_, "dream_mode", DreamMode::Contrast, {"clamp", "contrast"})
      .help("dreaming: clamp = the output held at the class, the input free, the energy relaxed (the roadmap's literal "
            "form); contrast = the input moved down the cost's gradient, read from EqProp's +-beta contrast (dreamer.hpp)")
      .group("Observatory");
  param(dream_rate_, "dream_rate", 0.05, 1e-4, 1).log_scale()
      .help("dreaming, contrast: each step moves the input by this times its gradient over the gradient's RMS").group("Observatory");
  param(dream_prior_, "dream_prior", 0.1, 0, 1)
      .help("dreaming, contrast: each step also pulls the input this share of the way back to the training set's mean input")
      .group("Observatory");
  param(dream_stiffness_, "dream_stiffness", 1.0, 0.01, 1000).log_scale()
      .help("dreaming: kappa of the input's self-energy kappa x^2 / 2; the dream is clip(W_0^T s_1 / kappa) (1: the same "
            "term as a hard-sigmoid unit; at kappa >= ||W_0||^2 the dream's energy is convex)").group("Observatory");
  param(dream_steps_, "dream_steps", 100, 1, 100000)
      .help("dreaming: clamp, most sweeps of a dream's relaxation (it stops at tol); contrast, gradient steps").group("Observatory");

  const double nan = std::numeric_limits<double>::quiet_NaN();
  declare_learning_metrics(/*with_loss=*/true);
  metrics_.add("lipschitz", "", [this] { return lipschitz_; });
  metrics_.add("train_macs", "MAC", [this] { return static_cast<double>(train_macs_); });
  metrics_.add("state_bytes", "B", [this] { return state_bytes_per_example(); });
  metrics_.add("settling_steps", "sweeps", [this, nan] { return algorithm_ == Algorithm::Backprop ? nan : settling_; }, MetricTable::Unmeasured::Nan);
  metrics_.add("beta", "", [this, nan] { return algorithm_ == Algorithm::Backprop ? nan : last_beta_; }, MetricTable::Unmeasured::Nan);
  metrics_.add("discarded_batches", "", [this] { return static_cast<double>(discarded_ + refused_); });
  // The oracle, from the last test pass (NaN before the first; the settling ones NaN under backprop).
  const auto oracle = [this](double eqprop::OracleScores::*field) { return [this, field] { return oracle_scores_.*field; }; };
  metrics_.add("settle_auroc", "", oracle(&eqprop::OracleScores::settle_auroc), MetricTable::Unmeasured::Nan);
  metrics_.add("margin_auroc", "", oracle(&eqprop::OracleScores::margin_auroc), MetricTable::Unmeasured::Nan);
  metrics_.add("ood_settle_auroc", "", oracle(&eqprop::OracleScores::ood_settle_auroc), MetricTable::Unmeasured::Nan);
  metrics_.add("ood_margin_auroc", "", oracle(&eqprop::OracleScores::ood_margin_auroc), MetricTable::Unmeasured::Nan);
  metrics_.add("settle_right", "sweeps", oracle(&eqprop::OracleScores::settle_right), MetricTable::Unmeasured::Nan);
  metrics_.add("settle_wrong", "sweeps", oracle(&eqprop::OracleScores::settle_wrong), MetricTable::Unmeasured::Nan);
  // Feedback alignment: how far the feedback has come to resemble W^T (the smallest cosine over the
  // weight matrices that have feedback; NaN for the symmetric net).
  metrics_.add("feedback_cos", "", [this] {
    double worst = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t l = 1; l < net_.B.size(); ++l) {
      const Mat &B = net_.B[l], &W = net_.W[l];  // B is W's shape transposed
      double dot = 0;
      for (Eigen::Index j = 0; j < B.cols(); ++j)
        for (Eigen::Index i = 0; i < B.rows(); ++i) dot += static_cast<double>(B(i, j)) * W(j, i);
      const double norms = static_cast<double>(B.norm()) * static_cast<double>(W.norm());
      const double c = norms > 0 ? dot / norms : 0.0;
      worst = std::isnan(worst) ? c : std::min(worst, c);
    }
    return worst;
  }, MetricTable::Unmeasured::Nan);
  // Robustness: acc_clean (the same examples unperturbed), acc_noise_01 / 03 / 10 (noise std x 10),
  // acc_ablate_05 / 15 / 30 / 50 (percent).
  for (std::size_t k = 0; k < robust_accuracy_.size(); ++k) {
    const bool noise = k < kNoiseLevels.size();
    const double level = noise ? kNoiseLevels[k] : kAblateShares[k - kNoiseLevels.size()];
    char name[32];
    if (level == 0.0) std::snprintf(name, sizeof name, "acc_clean");
    else std::snprintf(name, sizeof name, noise ? "acc_noise_%02d" : "acc_ablate_%02d", static_cast<int>(std::lround(level * (noise ? 10 : 100))));
    metrics_.add(name, "", [this, k] { return robust_accuracy_[k]; }, MetricTable::Unmeasured::Nan);
  }
  // Healing by learning (eqprop_robustness.cpp), from the last test pass.
  const auto healing = [this](double Healing::*field) { return [this, field] { return healing_.*field; }; };
  metrics_.add("heal_loss_clean", "", healing(&Healing::loss_clean), MetricTable::Unmeasured::Nan);
  metrics_.add("heal_loss_ablated", "", healing(&Healing::loss_ablated), MetricTable::Unmeasured::Nan);
  metrics_.add("heal_loss_healed", "", healing(&Healing::loss_healed), MetricTable::Unmeasured::Nan);
  metrics_.add("heal_loss_control", "", healing(&Healing::loss_control), MetricTable::Unmeasured::Nan);
  metrics_.add("heal_regained", "", healing(&Healing::regained), MetricTable::Unmeasured::Nan);
  metrics_.add("heal_acc_ablated", "", healing(&Healing::acc_ablated), MetricTable::Unmeasured::Nan);
  metrics_.add("heal_acc_healed", "", healing(&Healing::acc_healed), MetricTable::Unmeasured::Nan);
  metrics_.add("weight_zeros", "", [this, nan] { return weights_ == Weights::Ternary ? eqprop::TernaryWeights::zero_share(net_) : nan; },
               MetricTable::Unmeasured::Nan);
  metrics_.add("dream_accuracy", "", [this] { return dream_accuracy_; }, MetricTable::Unmeasured::Nan);
  metrics_.add("dream_sweeps", "sweeps", [this] { return dream_sweeps_; }, MetricTable::Unmeasured::Nan);

  // One alignment metric per weight matrix joins these at reset.
  fixed_metrics_ = metrics_.size();
}

std::uint64_t EqPropSystem::bytes_needed() const {
  const std::uint64_t dim = static_cast<std::uint64_t>(example_dim(params_.choice("dataset")));
  const std::uint64_t H = static_cast<std::uint64_t>(params_.integer("hidden_units"));
  const std::uint64_t layers = static_cast<std::uint64_t>(params_.integer("hidden_layers"));
  const std::uint64_t out = 16;  // at most 16 classes
  const std::uint64_t B = static_cast<std::uint64_t>(params_.integer("batch"));
  // The recorded showcase: the free phase, then the nudged one or two periods of the oscillation.
  const std::uint64_t T = static_cast<std::uint64_t>(params_.integer("free_steps") +
                                                     std::max(params_.integer("nudged_steps"), 2 * params_.integer("osc_period")));
  const std::uint64_t weights = dim * H + (layers - 1) * H * H + H * out;
  const std::uint64_t units = dim + layers * H + out;
  std::uint64_t bytes = data_bytes();
  bytes += 4 * weights * 7;                                                // W, velocity, update, reference, B, oscillation sums, ternary shadow or counters
  bytes += 4 * units * B * 15;                                             // relaxation, gradient and oscillation buffers
  bytes += map_workspace_bytes();
  bytes += 4 * (units - dim) * (T + 4);                                    // the recorded trajectory
  // The oracle's record of a test pass: settling time, margin and two flags per example (test_size
  // 0 means the whole test set: 10,000 for Fashion-MNIST).
  const auto tests = std::max<std::uint64_t>(static_cast<std::uint64_t>(params_.integer("test_size")), 10'000);
  bytes += (tests + static_cast<std::uint64_t>(params_.integer("ood_count"))) * 18;
  // Dreaming, per dream column: the dreamer's states and drives, its relaxation's states and
  // drives, the saved free state, and the contrast's two gradient buffers (about six per unit).
  bytes += 4 * units * out * static_cast<std::uint64_t>(params_.integer("dreams")) * 6;
  return bytes;
}

std::uint64_t EqPropSystem::map_workspace_bytes() const {
  const std::uint64_t dim = static_cast<std::uint64_t>(example_dim(params_.choice("dataset")));
  const std::uint64_t units = dim + static_cast<std::uint64_t>(params_.integer("hidden_layers") * params_.integer("hidden_units")) + 16;
  return 4 * units * (kMapRes * kMapRes) * 4;
}

std::uint64_t EqPropSystem::clone_bytes() const {
  const std::uint64_t all = Learner::clone_bytes(), map = map_workspace_bytes();
  return all > map ? all - map : 0;  // a clone shares the map workspace
}

void EqPropSystem::build_network() {
  const int layers = hidden_layers_, H = hidden_units_;
  std::vector<int> sizes{data().train.dim};
  for (int l = 0; l < layers; ++l) sizes.push_back(H);
  sizes.push_back(data().train.classes);
  net_.init_shape(sizes, activation_, output_ == Output::Linear ? eqprop::Activation::Linear : activation_);
  const double gain = init_gain_;
  for (int l = 0; l < net_.free_layers(); ++l) {
    const double a = gain * std::sqrt(6.0 / (sizes[l] + sizes[l + 1]));  // Glorot & Bengio 2010, uniform
    Mat& W = net_.W[l];
    for (Eigen::Index j = 0; j < W.cols(); ++j)
      for (Eigen::Index i = 0; i < W.rows(); ++i) W(i, j) = static_cast<float>(rng_.uniform(-a, a));
  }
  if (feedback_ != Feedback::Symmetric) {
    // Fixed random feedback, Glorot-uniform like W, from a stream of its own so that W starts
    // as in the symmetric net; the Lipschitz projection scales it with W from here on.
    Rng feedback_rng(seed_ ^ 0xfeed'bac0'0000'0001ULL);
    net_.B.assign(static_cast<std::size_t>(net_.free_layers()), Mat());
    for (int l = 1; l < net_.free_layers(); ++l) {
      const double a = gain * std::sqrt(6.0 / (sizes[l] + sizes[l + 1]));
      Mat& B = net_.B[l];
      B.resize(sizes[l], sizes[l + 1]);
      for (Eigen::Index j = 0; j < B.cols(); ++j)
        for (Eigen::Index i = 0; i < B.rows(); ++i) B(i, j) = static_cast<float>(feedback_rng.uniform(-a, a));
    }
  }
  if (weights_ == Weights::Ternary) ternary_.ternarise(net_, ternary_rule_, flip_substeps_);
  else ternary_ = {};  // no scales or shadow left over from a ternary run
}

void EqPropSystem::restart() {
  rng_.reseed(seed_);
  load_data(static_cast<std::size_t>(batch_));
  if (data().test.size() == 0) throw InputError("/params/test_size", "expected at least 1 test example (the showcase is one)");
  if (showcase_ >= data().test.size())
    throw InputError("/params/showcase", "expected a test example index below " + std::to_string(data().test.size()) + ", got " +
                                             std::to_string(showcase_));
  build_network();
  const int L = net_.free_layers();
  // The box the training set occupies per input feature (where a dream may go) and its mean.
  const auto& train = data().train;
  const auto dim = static_cast<std::size_t>(train.dim);
  input_stats_ = {std::vector<float>(dim, 0.0f), std::vector<float>(dim, 0.0f), std::vector<float>(dim, 0.0f)};
  std::vector<double> sum(dim, 0.0);
  for (std::size_t k = 0; k < train.size(); ++k)
    for (std::size_t i = 0; i < dim; ++i) {
      const float v = train.example(k)[i];
      input_stats_.lo[i] = k ? std::min(input_stats_.lo[i], v) : v;
      input_stats_.hi[i] = k ? std::max(input_stats_.hi[i], v) : v;
      sum[i] += v;
    }
  for (std::size_t i = 0; i < dim; ++i) input_stats_.mean[i] = static_cast<float>(sum[i] / static_cast<double>(train.size()));
  dreamer_ = {};

  relax_.resize(net_, batch_);
  osc_.resize(net_, batch_);
  show_relax_.resize(net_, 1);
  ff_.resize(net_, batch_);
  ff_show_.resize(net_, 1);
  update_.resize_like(net_);
  velocity_.resize_like(net_);
  ref_grad_.resize_like(net_);
  reference_.resize(net_, batch_);
  lip_.resize(net_, seed_);
  free_.assign(static_cast<std::size_t>(L + 1), Mat());
  plus_.assign(static_cast<std::size_t>(L + 1), Mat());
  scratch_.assign(static_cast<std::size_t>(L + 1), Mat());
  for (int l = 0; l <= L; ++l) {
    free_[l] = Mat::Zero(net_.sizes[l], batch_);
    plus_[l] = Mat::Zero(net_.sizes[l], batch_);
    scratch_[l] = Mat::Zero(net_.sizes[l], batch_);
  }
  xb_ = Mat::Zero(net_.sizes[0], batch_);
  yb_ = Mat::Zero(net_.sizes[L], batch_);
  show_x_ = Mat::Zero(net_.sizes[0], 1);
  show_y_ = Mat::Zero(net_.sizes[L], 1);
  labels_.assign(static_cast<std::size_t>(batch_), 0);

  prepare_decision_map();

  phase_ = Phase::Training;
  settling_ = 0;
  last_beta_ = 0;
  discarded_ = refused_ = 0;
  train_macs_ = 0;
  alignment_.clear();
  pending_fault_ = 0;
  show_noisy_start_ = show_force_ = show_kick_pending_ = show_ablate_pending_ = false;
  show_kick_.clear();
  show_mask_before_.clear();
  traj_.clear();
  traj_len_ = 0;
  oracle_scores_ = {};
  robust_accuracy_.fill(std::numeric_limits<double>::quiet_NaN());
  healing_ = {};
  oracle_.start(data().test.size() + static_cast<std::size_t>(ood_count_), free_steps_);

  homeostat_.reset(static_cast<std::size_t>(net_.free_layers()));
  declare_layer_metrics();

  params_changed();
  bound_weights(50);
  start_epoch(rng_);
  run_showcase();
  if (map_res_) run_decision_map();
  dream();
}

double EqPropSystem::state_bytes_per_example() const {
  std::size_t floats = 0;
  if (algorithm_ == Algorithm::Backprop) {
    floats = ff_.floats();
  } else if (nudge_schedule_ == NudgeSchedule::Oscillating) {
    floats = relax_.floats() + osc_.column_floats();
  } else {
    // The free state is kept for the contrast; the +beta one only by the symmetric estimate.
    const auto held = [](const std::vector<Mat>& v) {
      std::size_t n = 0;
      for (const Mat& m : v) n += static_cast<std::size_t>(m.size());
      return n;
    };
    floats = relax_.floats() + held(free_) + held(scratch_) + (beta_mode_ == learn::BetaMode::Symmetric ? held(plus_) : 0);
  }
  return batch_ > 0 ? 4.0 * static_cast<double>(floats) / batch_ : 0.0;
}

void EqPropSystem::bound_weights(int power_iters) {
  if (algorithm_ == Algorithm::Backprop && !backprop_bound_) {
    // Backprop's weights are free: the bound is only measured, and the per-matrix norms refreshed.
    lipschitz_ = lip_.estimate(net_, power_iters);
    lip_.project(net_, std::numeric_limits<double>::infinity(), 1);
  } else {
    lipschitz_ = lip_.project(net_, lip_target_, power_iters);
  }
  if (weights_ == Weights::Ternary) ternary_.follow_projection(net_);
}

void EqPropSystem::declare_layer_metrics() {
  metrics_.truncate(fixed_metrics_);
  for (int l = 0; l < net_.free_layers(); ++l)
    metrics_.add("align_cos_W" + std::to_string(l), "", [this, l] {
      const auto i = static_cast<std::size_t>(l);
      return i < alignment_.size() ? alignment_[i].cosine : std::numeric_limits<double>::quiet_NaN();
    }, MetricTable::Unmeasured::Nan);
  // Homeostasis: each weight layer's gain on its learning rate and its velocity, each hidden layer's mean
  // slope (NaN with it off).
  const auto homeo = [this](const std::vector<double>& (eqprop::Homeostat::*field)() const, int l) {
    return [this, field, l] {
      const auto& v = (homeostat_.*field)();
      const auto i = static_cast<std::size_t>(l);
      return homeostasis_ && i < v.size() ? v[i] : std::numeric_limits<double>::quiet_NaN();
    };
  };
  for (int l = 0; l < net_.free_layers(); ++l) {
    metrics_.add("homeo_gain_W" + std::to_string(l), "", homeo(&eqprop::Homeostat::gains, l), MetricTable::Unmeasured::Nan);
    metrics_.add("homeo_velocity_W" + std::to_string(l), "", homeo(&eqprop::Homeostat::velocities, l), MetricTable::Unmeasured::Nan);
  }
  for (int l = 1; l < net_.free_layers(); ++l)
    metrics_.add("homeo_slope_h" + std::to_string(l), "", homeo(&eqprop::Homeostat::slopes, l - 1), MetricTable::Unmeasured::Nan);
}

void EqPropSystem::params_changed() {
  resume_if_raised(max_epochs_);
  const int K = net_.free_layers();
  lr_.assign(static_cast<std::size_t>(std::max(K, 0)), 0.0f);
  step_lr_.assign(lr_.size(), 0.0f);  // homeostasis writes into it in the step, without allocating
  const double decay = std::pow(lr_decay_, epoch_);
  const double a = lr_first_ * decay, z = lr_last_ * decay;
  for (int l = 0; l < K; ++l)
    lr_[l] = static_cast<float>(K == 1 ? a : a * std::pow(z / a, static_cast<double>(l) / (K - 1)));
  // The recorded trajectory holds one frame per sweep; it grows here (between steps) when the
  // step caps grow, never inside step().
  const std::size_t frames = static_cast<std::size_t>(free_steps_ + showcase_nudged_frames());
  if (K > 0 && traj_.size() < frames) {
    const std::size_t old = traj_.size();
    traj_.resize(frames);
    for (std::size_t f = old; f < frames; ++f) {
      traj_[f].s.resize(static_cast<std::size_t>(K));
      for (int l = 1; l <= K; ++l) traj_[f].s[l - 1].assign(static_cast<std::size_t>(net_.sizes[l]), 0.0f);
    }
  }
  if (heal_) heal_all();
  show_force_ = true;  // show the edit's effect on the next step
  // The dreams' workspace follows their count here, between steps (dream() does not allocate).
  const int dream_columns = dreams_ * (K > 0 ? net_.sizes[K] : 0);
  if (dreamer_.columns() != dream_columns) dreamer_.resize(net_, dream_columns, input_stats_);
  if (dreams_ == 0) dream_accuracy_ = dream_sweeps_ = std::numeric_limits<double>::quiet_NaN();
}

std::array<double, 6> EqPropSystem::dream_settings() const {
  return {static_cast<double>(dreams_), static_cast<double>(dream_mode_), static_cast<double>(dream_steps_), dream_rate_,
          dream_prior_, dream_stiffness_};
}

void EqPropSystem::fill_batch(const data::Dataset& d, const std::uint32_t* idx, int count, Mat& x, Mat& y,
                              std::uint8_t* labels) const {
  const int dim = d.dim;
  y.setZero();
  for (int c = 0; c < x.cols(); ++c) {
    if (c < count) {
      const float* e = d.example(idx ? idx[c] : static_cast<std::size_t>(c));
      std::copy(e, e + dim, x.col(c).data());
      const std::uint8_t lab = d.y[idx ? idx[c] : static_cast<std::size_t>(c)];
      y(lab, c) = 1.0f;
      if (labels) labels[c] = lab;
    } else {
      x.col(c).setZero();  // padding of a last partial chunk; never counted
    }
  }
}

int EqPropSystem::argmax_col(const Mat& m, int c) const {
  Eigen::Index best = 0;
  m.col(c).maxCoeff(&best);
  return static_cast<int>(best);
}

void EqPropSystem::step() {
  if (heal_) heal_all();
  if (dream_settings() != dreamt_with_) dream();  // a dream parameter was edited
  if (phase_ == Phase::Training) train_batch();
  else if (phase_ == Phase::Evaluating) eval_chunk();
  ++step_;
  if (show_force_ || (showcase_every_ > 0 && step_ % static_cast<std::uint64_t>(showcase_every_) == 0)) run_showcase();
  if (map_res_ && map_every_ > 0 && step_ % static_cast<std::uint64_t>(map_every_) == 0) run_decision_map();
}

bool EqPropSystem::discard_batch(const char* what) {
  ++discarded_;
  relax_.zero_state();  // the relaxation restarts from its clean initial state
  emit(Event::Level::Error, std::string("non-finite (NaN/Inf) ") + what + " in batch " + std::to_string(cursor_.batch()) +
                                " of epoch " + std::to_string(epoch_ + 1) + ": batch discarded, weights untouched, state restored");
  return false;
}

void EqPropSystem::train_batch() {
  fill_batch(data().train, cursor_.batch_examples(), batch_, xb_, yb_, labels_.data());
  // A discarded batch or a refused update is tried again at the next step.
  if (!learn_batch()) return;
  if (cursor_.next_batch()) {
    phase_ = Phase::Evaluating;
    cursor_.start_eval();
  }
}

bool EqPropSystem::learn_batch() {
  const int L = net_.free_layers();
  const int fault = std::exchange(pending_fault_, 0);
  auto inject = [&](Mat& s) {  // a share of the first hidden layer's units, every column
    std::vector<Eigen::Index> rows(static_cast<std::size_t>(s.rows()));  // only when a fault was injected
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<Eigen::Index>(i);
    pick_distinct(rows, units_hit(pending_fraction_, rows.size()), rng_,
                  [&](Eigen::Index row) { s.row(row).setConstant(fault == 1 ? NAN : INFINITY); });
  };

  const Mat* out = nullptr;
  double batch_loss = 0;
  // Multiply-adds of this batch's learning: its relaxations or passes and its update's products
  // (what measurement adds, the alignment's relaxation, is left out).
  const std::uint64_t relax_macs = relax_.macs(), batch = static_cast<std::uint64_t>(batch_);
  std::uint64_t net_weights = 0, batch_macs = 0;
  for (const Mat& W : net_.W) net_weights += static_cast<std::uint64_t>(W.size());
  const std::uint64_t first_weights = static_cast<std::uint64_t>(net_.W[0].size());
  const bool aligning = align_every_ > 0 && step_ % static_cast<std::uint64_t>(align_every_) == 0;
  if (algorithm_ != Algorithm::Backprop && nudge_schedule_ == NudgeSchedule::Oscillating) {
    relax_.set_input(net_, xb_);
    relax_.set_target(yb_);
    relax_.zero_state();
    osc_.run(net_, relax_, beta_, osc_period_, osc_periods_, update_);
    // The running sums of the integration window (one product per coupling per sweep), then W_0's.
    batch_macs = relax_.macs() - relax_macs +
                 (static_cast<std::uint64_t>(osc_period_ * osc_periods_) * (net_weights - first_weights) + first_weights) * batch;
    if (fault) inject(relax_.s(1));
    if (!relax_.all_finite()) return discard_batch(fault ? "state injected into the oscillation" : "oscillating state");
    settling_ = std::numeric_limits<double>::quiet_NaN();  // one relaxation of fixed length: nothing settles
    last_beta_ = beta_;
    batch_loss = osc_.cost_at_zero();
    out = &osc_.output_at_zero();
    if (aligning) {  // the reference gradient is taken at the free fixed point, relaxed for it alone
      relax_.zero_state();
      relax_.relax(net_, 0.0f, free_steps_, tol_);
      for (int l = 0; l <= L; ++l) free_[l] = relax_.states()[l];
      measure_alignment();
    }
  } else if (algorithm_ != Algorithm::Backprop) {
    relax_.set_input(net_, xb_);
    relax_.set_target(yb_);
    relax_.zero_state();
    relax_.relax(net_, 0.0f, free_steps_, tol_);
    // An injected fault lands in the free state the learning rule is about to read.
    if (fault) inject(relax_.s(1));
    if (!relax_.all_finite()) return discard_batch(fault ? "state injected into the free phase" : "free-phase state");
    double settle = 0;
    for (int v : relax_.settle_steps()) settle += v;
    settling_ = settle / batch_;
    for (int l = 0; l <= L; ++l) free_[l] = relax_.states()[l];
    batch_loss = relax_.cost();
    out = &free_[L];

    float b = beta_;
    if (beta_mode_ == learn::BetaMode::RandomSign && rng_.uniform() < 0.5) b = -b;
    last_beta_ = b;
    relax_.relax(net_, b, nudged_steps_, tol_);
    if (!relax_.all_finite()) return discard_batch("nudged-phase state");
    if (beta_mode_ == learn::BetaMode::Symmetric) {
      for (int l = 0; l <= L; ++l) plus_[l] = relax_.states()[l];
      relax_.load_states(free_);
      relax_.relax(net_, -b, nudged_steps_, tol_);
      if (!relax_.all_finite()) return discard_batch("nudged-phase state");
      eqprop::eqprop_update(net_, plus_, relax_.states(), 2.0f * b, update_, scratch_);
    } else {
      eqprop::eqprop_update(net_, relax_.states(), free_, b, update_, scratch_);
    }
    // eqprop_update: one product per coupling for the nudge's difference, one more above W_0.
    batch_macs = relax_.macs() - relax_macs + (2 * net_weights - first_weights) * batch;
    if (aligning) measure_alignment();
  } else {
    ff_.forward(net_, xb_);
    if (fault) inject(ff_.activations_mutable()[1]);
    bool finite = true;
    for (int l = 1; l <= L; ++l) finite &= ff_.activations()[l].allFinite();
    if (!finite) return discard_batch(fault ? "activation injected into the forward pass" : "activation");
    batch_loss = ff_.backward(net_, yb_, update_);
    // Forward, the gradients, and the deltas carried down to layer 1 (none into the input).
    batch_macs = (3 * net_weights - first_weights) * batch;
    out = &ff_.output();
    settling_ = 0;
  }

  if (!update_.all_finite() || !std::isfinite(batch_loss)) {
    ++refused_;
    emit(Event::Level::Error, "non-finite weight update refused in batch " + std::to_string(cursor_.batch()) + "; weights untouched");
    return false;
  }
  std::uint64_t hits = 0;
  for (int c = 0; c < batch_; ++c) hits += argmax_col(*out, c) == labels_[c];
  train_.add(hits, static_cast<std::uint64_t>(batch_), batch_loss * batch_);
  train_macs_ += batch_macs;

  const std::vector<float>* lr = &lr_;
  if (homeostasis_) {
    homeostat_.regulate(net_, update_, velocity_, momentum_, lr_, homeo_velocity_ * std::pow(lr_decay_, epoch_), step_lr_);
    lr = &step_lr_;
  }
  if (weights_ == Weights::Ternary) ternary_.apply(net_, update_, *lr, momentum_, velocity_, rng_);
  else eqprop::apply_update(net_, update_, *lr, momentum_, velocity_);
  if (feedback_ == Feedback::Evolving) eqprop::evolve_feedback(net_, momentum_ > 0 ? velocity_ : update_, *lr, feedback_decay_);
  if (homeostasis_) {  // the states this batch learned from: the free phase, the oscillation's end, or the forward pass
    const bool oscillating = algorithm_ != Algorithm::Backprop && nudge_schedule_ == NudgeSchedule::Oscillating;
    const std::vector<Mat>& seen = algorithm_ == Algorithm::Backprop ? ff_.activations() : oscillating ? relax_.states() : free_;
    homeostat_.scale_synapses(net_, seen, homeo_slope_);
  }
  bound_weights(power_iters_);
  return true;
}

void EqPropSystem::measure_alignment() {
  reference_.compute(net_, free_, yb_, ref_grad_);
  alignment_.resize(update_.dW.size());
  for (std::size_t l = 0; l < update_.dW.size(); ++l) alignment_[l] = eqprop::align(update_.dW[l], ref_grad_.dW[l]);
}

const Mat& EqPropSystem::answer(eqprop::Relaxer& relax, eqprop::FeedForward& ff, const Mat& x) {
  if (algorithm_ == Algorithm::Backprop) {
    ff.forward(net_, x);
    return ff.output();
  }
  relax.set_input(net_, x);
  relax.zero_state();
  relax.relax(net_, 0.0f, free_steps_, tol_);
  return relax.s(net_.free_layers());
}

void EqPropSystem::eval_chunk() {
  const std::size_t n = data().test.size(), B = static_cast<std::size_t>(batch_);
  const std::size_t per_step = std::max<std::size_t>(B, (n + kEvalChunks - 1) / kEvalChunks);
  const std::size_t end = std::min(n, cursor_.eval_position() + per_step);
  while (cursor_.eval_position() < end) {
    const std::size_t first = cursor_.eval_position(), count = cursor_.eval_count(B);
    const int dim = data().test.dim;
    for (std::size_t c = 0; c < B; ++c) {
      if (c < count) {
        const float* e = data().test.example(first + c);
        std::copy(e, e + dim, xb_.col(static_cast<Eigen::Index>(c)).data());
        labels_[c] = data().test.y[first + c];
      } else {
        xb_.col(static_cast<Eigen::Index>(c)).setZero();  // padding of a last partial chunk; never counted
      }
    }
    if (first == 0) oracle_.start(n + static_cast<std::size_t>(ood_count_), free_steps_);
    const Mat& out = answer(relax_, ff_, xb_);
    std::uint64_t hits = 0;
    for (std::size_t c = 0; c < count; ++c) hits += argmax_col(out, static_cast<int>(c)) == labels_[c];
    test_.add(hits, count);
    add_to_oracle(out, count, /*ood=*/false);
    cursor_.advance_eval(count);
  }
  if (cursor_.eval_done()) {
    if (ood_ != eqprop::OodKind::None) eval_ood();
    oracle_scores_ = oracle_.finish();
    measure_robustness();
    dream();
    finish_epoch();
  }
}

void EqPropSystem::add_to_oracle(const Mat& out, std::size_t count, bool ood) {
  for (std::size_t c = 0; c < count; ++c) {
    const auto col = out.col(static_cast<Eigen::Index>(c));
    float top = -INFINITY, second = -INFINITY;
    for (Eigen::Index i = 0; i < col.size(); ++i) {
      if (col[i] > top) second = top, top = col[i];
      else if (col[i] > second) second = col[i];
    }
    const double settle = algorithm_ == Algorithm::Backprop ? NAN : static_cast<double>(relax_.settle_steps()[c]);
    const bool wrong = !ood && argmax_col(out, static_cast<int>(c)) != labels_[c];
    oracle_.add(settle, static_cast<double>(top) - static_cast<double>(second), wrong, ood);
  }
}

void EqPropSystem::eval_ood() {
  // Made from the first ood_count test images (inverted), or drawn afresh from a stream of the
  // seed's own (noise: the same images at every pass, and the training's draws untouched).
  Rng noise(seed_ ^ 0x00d1'5ea5'e000'0001ULL);
  const std::size_t n = std::min(static_cast<std::size_t>(ood_count_), data().test.size()), B = static_cast<std::size_t>(batch_);
  const int dim = data().test.dim;
  for (std::size_t first = 0; first < n; first += B) {
    const std::size_t count = std::min(B, n - first);
    for (std::size_t c = 0; c < B; ++c) {
      float* col = xb_.col(static_cast<Eigen::Index>(c)).data();
      if (c < count) make_ood_input(ood_, data().test.example(first + c), dim, col, noise);
      else std::fill(col, col + dim, 0.0f);
    }
    add_to_oracle(answer(relax_, ff_, xb_), count, /*ood=*/true);
  }
}

void EqPropSystem::dream() {
  const int classes = net_.sizes[net_.free_layers()], K = dreams_;
  dreamt_with_ = dream_settings();
  dream_images_.clear();
  dream_answers_.clear();
  dream_accuracy_ = dream_sweeps_ = std::numeric_limits<double>::quiet_NaN();
  if (K == 0 || dreamer_.columns() != classes * K || algorithm_ == Algorithm::Backprop) return;
  const auto& test = data().test;
  for (int c = 0; c < classes; ++c)
    for (int k = 0; k < K; ++k) {
      if (k == 0) dreamer_.start_from_mean(c * K, c);
      else dreamer_.start(c * K + k, test.example(static_cast<std::size_t>(k - 1) % test.size()), c);
    }
  long sweeps = 0;
  if (dream_mode_ == DreamMode::Clamp) {
    dreamer_.set_stiffness(dream_stiffness_);
    dreamer_.relax(net_, dream_steps_, tol_);
    for (int v : dreamer_.settle_steps()) sweeps += v;
    sweeps /= classes * K;
  } else {
    sweeps = dreamer_.contrast(net_, dream_steps_, dream_rate_, dream_prior_, beta_, free_steps_, nudged_steps_, tol_);
  }
  const Mat& dreams = dreamer_.dreams();
  if (!dreams.allFinite()) {
    emit(Event::Level::Error, "dreaming: a dream's relaxation went non-finite (NaN/Inf); no dreams this pass");
    return;
  }
  // The network's answers, batch_ columns at a time through the same path as the test set.
  const int n = classes * K, B = batch_;
  std::uint64_t hits = 0;
  dream_answers_.assign(static_cast<std::size_t>(classes), -1);
  for (int first = 0; first < n; first += B) {
    const int count = std::min(B, n - first);
    xb_.leftCols(count) = dreams.middleCols(first, count);
    xb_.rightCols(B - count).setZero();
    const Mat& out = answer(relax_, ff_, xb_);
    for (int j = 0; j < count; ++j) {
      const int col = first + j, cls = col / K, said = argmax_col(out, j);
      hits += said == cls;
      if (col % K == 0) dream_answers_[static_cast<std::size_t>(cls)] = said;
    }
  }
  dream_accuracy_ = static_cast<double>(hits) / n;
  dream_sweeps_ = static_cast<double>(sweeps);
  for (int c = 0; c < classes; ++c)
    dream_images_.insert(dream_images_.end(), dreams.col(c * K).data(), dreams.col(c * K).data() + dreams.rows());
}

void EqPropSystem::finish_epoch() {
  next_epoch(rng_, max_epochs_);
  params_changed();  // the learning rates of the new epoch (lr_decay)
}

void EqPropSystem::heal_all() {
  std::size_t dead = 0;
  for (auto& m : net_.mask) {
    dead += static_cast<std::size_t>((m.array() == 0.0f).count());
    m.setOnes();
  }
  if (dead) emit(Event::Level::Info, "healed " + std::to_string(dead) + " ablated unit(s)");
}

std::size_t EqPropSystem::hidden_units_total() const {
  std::size_t n = 0;
  for (int l = 1; l < net_.free_layers(); ++l) n += static_cast<std::size_t>(net_.sizes[l]);
  return n;
}

std::vector<PerturbKind> EqPropSystem::supported_perturbations() const {
  return {PerturbKind::Noise, PerturbKind::Ablate, PerturbKind::InjectNaN, PerturbKind::InjectInf};
}

void EqPropSystem::perturb(const Perturbation& p) {
  const int L = net_.free_layers();
  switch (p.kind) {
    case PerturbKind::Noise: {
      if (!std::isfinite(p.amplitude)) throw InputError("/perturb/amplitude", "expected a finite noise amplitude");
      if (algorithm_ == Algorithm::Backprop) {
        emit(Event::Level::Info, "noise: the backprop net has no relaxation to kick");
        return;
      }
      // kick_at 0: into the showcase's state now, the next showcase starting from it. Otherwise drawn
      // now (the same draws) and added when the next showcase has made kick_at free sweeps.
      if (kick_at_ > 0) show_kick_.assign(static_cast<std::size_t>(L), Mat());
      for (int l = 1; l < L; ++l) {
        Mat& s = kick_at_ > 0 ? (show_kick_[l] = Mat::Zero(show_relax_.s(l).rows(), show_relax_.s(l).cols())) : show_relax_.s(l);
        for (Eigen::Index k = 0; k < s.size(); ++k) s.data()[k] += static_cast<float>(p.amplitude * rng_.normal()) * net_.mask[l - 1][k];
      }
      (kick_at_ > 0 ? show_kick_pending_ : show_noisy_start_) = true;
      show_force_ = true;
      emit(Event::Level::Info, "noise kick of amplitude " + fmt(p.amplitude) + " on the showcase's " +
                                   std::to_string(hidden_units_total()) + " hidden units" +
                                   (kick_at_ > 0 ? " after free sweep " + std::to_string(kick_at_) : std::string()) + "; watch it relax");
      return;
    }
    case PerturbKind::Ablate: {
      auto alive = alive_hidden_units();
      // The showcase relaxes with these until the kick lands (backprop's has no sweeps to land in).
      if (kick_at_ > 0 && algorithm_ != Algorithm::Backprop && !show_ablate_pending_) {
        show_mask_before_ = net_.mask;
        show_ablate_pending_ = true;
      }
      const std::size_t k = pick_distinct(alive, p.fraction > 0 ? units_hit(p.fraction, alive.size()) : 0, rng_,
                                          [&](const std::pair<int, int>& unit) { kill_unit(unit.first, unit.second); });
      show_force_ = true;
      emit(Event::Level::Info, "ablated " + std::to_string(k) + " hidden unit(s): held at 0 and out of the updates" +
                                   std::string(p.mode == AblateMode::Freeze ? " (freeze acts as remove here)" : "") +
                                   "; set heal to restore them");
      return;
    }
    case PerturbKind::InjectNaN:
    case PerturbKind::InjectInf:
      // The fault is placed where a hardware fault would hurt: into the state the next
      // training batch's learning rule reads. Detection happens there, not here.
      pending_fault_ = p.kind == PerturbKind::InjectNaN ? 1 : 2;
      pending_fraction_ = std::clamp(p.fraction, 0.0, 1.0);
      emit(Event::Level::Info, std::string("injecting ") + (pending_fault_ == 1 ? "NaN" : "Inf") +
                                   " into the hidden state of the next training batch");
      return;
  }
}

std::shared_ptr<const Snapshot> EqPropSystem::snapshot() const {
  auto s = std::make_shared<eqprop::EqPropSnapshot>();
  s->step = step_;
  s->algorithm = algorithm_ == Algorithm::Backprop ? "backprop" : "eqprop";
  s->feedback = feedback_ == Feedback::Symmetric ? "" : feedback_ == Feedback::Random ? "random" : "evolving";
  s->osc_period = nudge_schedule_ == NudgeSchedule::Oscillating ? osc_period_ : 0;
  s->osc_sweeps = osc_period_ * (osc_periods_ + 1);
  s->ternary = weights_ == Weights::Ternary;
  s->dataset = data().train.name;
  s->layer_sizes = net_.sizes;
  s->class_names = data().train.class_names;
  s->input_rows = data().test.rows;
  s->input_cols = data().test.cols;
  s->input.assign(show_x_.data(), show_x_.data() + show_x_.size());
  const auto idx = showcase_ % std::max<std::size_t>(1, data().test.size());
  s->label = data().test.size() ? data().test.y[idx] : -1;
  s->predicted = show_pred_;
  s->output_free = out_free_;
  s->output_nudged = out_nudged_;
  s->trajectory.assign(traj_.begin(), traj_.begin() + traj_len_);
  s->free_steps = show_free_;
  s->settled = show_settled_;
  s->beta = beta_;
  s->lipschitz = lipschitz_;
  s->spectral_norms = lip_.matrix_norms();
  s->alignment = alignment_;
  s->epoch = epoch_;
  s->batch = cursor_.batch();
  s->batches_per_epoch = cursor_.batches_per_epoch();
  s->status = phase_text();
  auto shown = [](double v) { return std::isfinite(v) ? v : 0.0; };  // the view's bars start empty
  s->loss = shown(train_.loss());
  s->train_accuracy = shown(train_.accuracy());
  s->test_accuracy = shown(test_accuracy());
  s->mean_settling_steps = settling_;
  s->settle_hist_right = oracle_scores_.hist_right;
  s->settle_hist_wrong = oracle_scores_.hist_wrong;
  s->settle_auroc = oracle_scores_.settle_auroc;
  s->margin_auroc = oracle_scores_.margin_auroc;
  s->dreams = dream_images_;
  s->dream_answers = dream_answers_;
  s->dream_accuracy = dream_accuracy_;
  s->dream_mode = dream_mode_ == DreamMode::Clamp ? "clamp" : "contrast";
  s->map_res = map_res_;
  s->decision_map = decision_map_;
  s->points = points_;
  s->point_labels = point_labels_;
  return s;
}

void EqPropSystem::dump(nlohmann::json& out) const {
  dump_header(out);
  const int L = net_.free_layers();
  out["layer_sizes"] = net_.sizes;
  out["epoch"] = epoch_;
  out["batch"] = cursor_.batch();
  out["batches_per_epoch"] = cursor_.batches_per_epoch();
  out["test_accuracy"] = std::isfinite(test_accuracy()) ? nlohmann::json(test_accuracy()) : nlohmann::json(nullptr);
  out["lipschitz"] = lipschitz_;
  out["spectral_norms"] = lip_.matrix_norms();
  out["discarded_batches"] = discarded_;
  out["refused_updates"] = refused_;
  nlohmann::json W = nlohmann::json::array(), b = nlohmann::json::array(), masks = nlohmann::json::array();
  for (int l = 0; l < L; ++l) {
    W.push_back(matrix_json(net_.W[l]));
    b.push_back(std::vector<float>(net_.b[l].data(), net_.b[l].data() + net_.b[l].size()));
    masks.push_back(std::vector<float>(net_.mask[l].data(), net_.mask[l].data() + net_.mask[l].size()));
  }
  out["weights"] = W;
  if (net_.asymmetric()) {
    nlohmann::json B = nlohmann::json::array();
    for (int l = 1; l < L; ++l) B.push_back(matrix_json(net_.B[l]));
    out["feedback_weights"] = B;  // B_1..B_{L-1}: layer l reads layer l+1 through B_l
  }
  out["biases"] = b;
  out["alive_masks"] = masks;
  // States: the showcase's relaxation (every recorded sweep) and the last training batch's free
  // fixed point, one matrix per free layer (units x batch).
  nlohmann::json traj = nlohmann::json::array();
  for (int f = 0; f < traj_len_; ++f) traj.push_back({{"phase", static_cast<int>(traj_[f].phase)}, {"s", traj_[f].s}});
  out["showcase"] = {{"index", showcase_}, {"predicted", show_pred_}, {"free_steps", show_free_},
                     {"settled", show_settled_}, {"output_free", out_free_}, {"output_nudged", out_nudged_},
                     {"trajectory", traj}};
  nlohmann::json states = nlohmann::json::array();
  for (int l = 1; l <= L; ++l) states.push_back(matrix_json(free_[l]));
  out["batch_free_state"] = states;
  out["dreams"] = {{"per_class", dreams_}, {"from_rest", dream_images_}, {"answers", dream_answers_},
                   {"accuracy", std::isfinite(dream_accuracy_) ? nlohmann::json(dream_accuracy_) : nlohmann::json(nullptr)}};
}

std::uint64_t EqPropSystem::state_hash() const {
  StateHash h;
  hash_progress(h);
  for (int l = 0; l < net_.free_layers(); ++l) {
    h.bytes(net_.W[l].data(), sizeof(float) * static_cast<std::size_t>(net_.W[l].size()));
    h.bytes(net_.b[l].data(), sizeof(float) * static_cast<std::size_t>(net_.b[l].size()));
    h.bytes(net_.mask[l].data(), sizeof(float) * static_cast<std::size_t>(net_.mask[l].size()));
    h.bytes(velocity_.dW[l].data(), sizeof(float) * static_cast<std::size_t>(velocity_.dW[l].size()));
  }
  for (const Mat& B : net_.B) h.bytes(B.data(), sizeof(float) * static_cast<std::size_t>(B.size()));
  for (const auto& c : ternary_.counts()) h.span(std::span<const std::int8_t>(c));
  h.span(cursor_.order());
  for (int f = 0; f < traj_len_; ++f)
    for (const auto& v : traj_[f].s) h.span(std::span<const float>(v));
  h.value(test_accuracy());
  h.value(train_.loss_sum());
  h.span(std::span<const float>(dream_images_));
  return h.digest();
}

template <class Self, class A>
void EqPropSystem::state_io(Self& self, A& a) {
  // Not held: the data (reset loads it again), the layer shapes (the parameters), the
  // feed-forward passes and the decision map's workspace (recomputed from the weights before
  // each use), the update and the reference gradient (scratch of one batch).
  learner_io(self, a);
  a(self.lr_, self.net_.W, self.net_.b, self.net_.mask, self.net_.B, self.velocity_.dW, self.velocity_.db, self.lip_, self.relax_,
    self.show_relax_, self.free_, self.plus_, self.xb_, self.yb_, self.show_x_, self.show_y_, self.labels_);
  a(self.lipschitz_, self.settling_, self.last_beta_, self.discarded_, self.refused_, self.alignment_, self.oracle_,
    self.oracle_scores_, self.dream_images_, self.dream_answers_, self.dream_accuracy_, self.dream_sweeps_, self.dreamt_with_,
    self.robust_accuracy_, self.healing_, self.ternary_, self.train_macs_, self.homeostat_);
  a(self.traj_, self.traj_len_, self.show_free_, self.show_pred_, self.show_settled_, self.show_noisy_start_,
    self.show_force_, self.show_kick_pending_, self.show_ablate_pending_, self.show_kick_, self.show_mask_before_,
    self.out_free_, self.out_nudged_, self.map_res_, self.decision_map_, self.points_,
    self.point_labels_, self.pending_fault_, self.pending_fraction_, self.rng_);
}
void EqPropSystem::write_state(StateWriter& out) const { state_io(*this, out); }
void EqPropSystem::read_state(StateReader& in) {
  const std::vector<int> sizes = net_.sizes;
  state_io(*this, in);
  const bool fits = net_.W.size() + 1 == sizes.size() && net_.b.size() == net_.W.size() && net_.mask.size() == net_.W.size() &&
                    velocity_.dW.size() == net_.W.size();
  bool shapes = fits;
  for (std::size_t l = 0; shapes && l < net_.W.size(); ++l)
    shapes = net_.W[l].rows() == sizes[l + 1] && net_.W[l].cols() == sizes[l] && net_.b[l].size() == sizes[l + 1] &&
             net_.mask[l].size() == net_.b[l].size() && velocity_.dW[l].rows() == net_.W[l].rows() &&
             velocity_.dW[l].cols() == net_.W[l].cols();
  const bool feedback = feedback_ != Feedback::Symmetric;
  shapes = shapes && net_.B.size() == (feedback ? net_.W.size() : 0);
  for (std::size_t l = 1; shapes && feedback && l < net_.B.size(); ++l)
    shapes = net_.B[l].rows() == net_.W[l].cols() && net_.B[l].cols() == net_.W[l].rows();
  if (!shapes) throw CheckpointError("eqprop weights do not have the shapes its parameters give");
}

}  // namespace obs
