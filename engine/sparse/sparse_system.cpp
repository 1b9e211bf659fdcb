#include "core/state_archive.hpp"
#include "sparse/sparse_system.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/input_error.hpp"
#include "core/pick_distinct.hpp"
#include "core/state_hash.hpp"
#include "sparse/layer_density.hpp"
#include "sparse/rewire.hpp"

namespace obs {
namespace {

constexpr int kEvalChunks = 4;          // the test set is evaluated over this many steps
constexpr std::size_t kRewireLog = 256;  // rewiring events kept for the view's timeline
constexpr int kGridRows = 64, kGridCols = 128;  // the most cells a layer's picture has

int argmax_col(const sparse::RowMat& m, Eigen::Index c) {
  Eigen::Index best = 0;
  m.col(c).maxCoeff(&best);
  return static_cast<int>(best);
}

sparse::LayerPicture picture(const sparse::CsrLayer& W) {
  sparse::LayerPicture p;
  p.rows = W.rows;
  p.cols = W.cols;
  p.block_rows = (W.rows + kGridRows - 1) / kGridRows;
  p.block_cols = (W.cols + kGridCols - 1) / kGridCols;
  p.grid_rows = (W.rows + p.block_rows - 1) / p.block_rows;
  p.grid_cols = (W.cols + p.block_cols - 1) / p.block_cols;
  const auto cells = static_cast<std::size_t>(p.grid_rows) * static_cast<std::size_t>(p.grid_cols);
  std::vector<float> count(cells, 0.0f), sum(cells, 0.0f);
  p.connections = W.connections();
  p.dead_units = W.rows_without_inputs();
  for (int r = 0; r < W.rows; ++r) {
    const auto first = W.row_start[static_cast<std::size_t>(r)], last = W.row_start[static_cast<std::size_t>(r) + 1];
    const std::size_t row_cell = static_cast<std::size_t>(r / p.block_rows) * static_cast<std::size_t>(p.grid_cols);
    for (auto k = first; k < last; ++k) {
      const std::size_t cell = row_cell + W.col[k] / static_cast<std::uint32_t>(p.block_cols);
      const float a = std::abs(W.value[k]);
      count[cell] += 1;
      sum[cell] += a;
      p.max_abs_w = std::max(p.max_abs_w, a);
    }
  }
  p.hot_share.resize(cells);
  p.mean_abs_w.resize(cells);
  for (std::size_t i = 0; i < cells; ++i) {
    // Edge cells cover fewer entries than a full block.
    const int gr = static_cast<int>(i / static_cast<std::size_t>(p.grid_cols)), gc = static_cast<int>(i % static_cast<std::size_t>(p.grid_cols));
    const int h = std::min(p.block_rows, W.rows - gr * p.block_rows), w = std::min(p.block_cols, W.cols - gc * p.block_cols);
    p.hot_share[i] = count[i] / static_cast<float>(h * w);
    p.mean_abs_w[i] = count[i] > 0 ? sum[i] / count[i] : 0.0f;
  }
  return p;
}

}  // namespace

SparseSystem::SparseSystem() {
  declare_data_params({.train_size = 1000, .test_size = 500, .data_noise = 0.1, .spiral_arms = 2});

  param(hidden_1_, "hidden_1", 300, 1, 100000).restart().log_scale().help("units of the first hidden layer").group("Network");
  param(hidden_2_, "hidden_2", 100, 0, 100000).restart().help("units of the second hidden layer (0 = one hidden layer)").group("Network");
  param(density_, "density", 0.05, 0.001, 1).restart().log_scale()
      .help("share of the network's possible weights that are connections (a unit reads at least one input)").group("Network");
  param(density_rule_, "density_rule", sparse::DensityRule::ErdosRenyi, {"uniform", "erdos-renyi"}).restart()
      .help("uniform: every layer at that density; erdos-renyi: a layer's density proportional to (n_in + n_out) / (n_in n_out), "
            "small layers denser (SET's rule)")
      .group("Network");

  param(batch_, "batch", 32, 1, 100000).restart().help("mini-batch size; one step trains one batch").group("Learning");
  param(optimizer_, "optimizer", Optimizer::Sgd, {"sgd", "adam"})
      .help("sgd: plain SGD; adam: Adam (Kingma & Ba 2015; beta1 0.9, beta2 0.999), whose moments move with their connections "
            "when the structure changes (it wants a smaller lr, about 0.001 to 0.003)")
      .group("Learning");
  param(lr_, "lr", 0.05, 1e-5, 10).log_scale().help("learning rate").group("Learning");
  param(max_epochs_, "epochs", 0, 0, 1'000'000).help("stop training after this many epochs (0 = never)").group("Learning");

  param(method_, "method", Method::Set, {"static", "set", "rigl", "evidence"})
      .help("static: the random start is kept; set: drop the smallest |w|, regrow at random (Mocanu et al. 2018); "
            "rigl: drop the smallest |w|, regrow where |dL/dw| is largest (Evci et al. 2020); evidence: grow regions "
            "shortlisted by gradient SNR and accepted by a micro-rollout, under each layer's budget, making room by "
            "Taylor-score Cooling")
      .group("Rewiring");
  param(rewire_every_, "rewire_every", 100, 1, 1'000'000).unit("steps").help("steps between rewirings").group("Rewiring");
  param(rewire_fraction_, "rewire_fraction", 0.3, 0, 1)
      .help("share of each layer's connections a rewiring moves (SET's zeta; RigL's alpha at step 0)").group("Rewiring");
  param(rewire_end_, "rewire_end", 20000, 1, 1'000'000'000).unit("steps")
      .help("rigl: the fraction decays along a cosine to 0 at this step, and rewiring stops").group("Rewiring");

  param(with_baselines_, "baselines", false).restart()
      .help("also train SET and RigL beside this network, in lockstep: the same start, batches, optimizer and "
            "rate (three times the work); SET rewires once per epoch and RigL every rewire_every steps (as their papers), "
            "both at rewire_fraction; their scores and density are the set_* and rigl_* metrics and curves in the view. "
            "Perturbations reach this network only")
      .group("Rewiring");
  param(planner_.region_width, "region_width", 28, 1, 100000).unit("inputs")
      .help("evidence: a region is one unit's inputs [c0, c0 + width); 28 is one line of a Fashion-MNIST image").group("Evidence");
  param(planner_.snr_batches, "snr_batches", 4, 2, 64).help("evidence: m, the fresh batches a region's gradient SNR is measured over")
      .group("Evidence");
  param(planner_.snr_gate, "snr_gate", 1.0, 0, 100).help("evidence: a region with a lower SNR is not shortlisted").group("Evidence");
  param(planner_.probes, "probes", 4, 0, 64).help("evidence: Warm regions probed per layer per cycle").group("Evidence");
  param(planner_.rollout_steps, "rollout_steps", 2, 1, 16).help("evidence: K, the steps a probe takes on its shadow weights").group("Evidence");
  param(planner_.rollout_batches, "rollout_batches", 4, 2, 64).help("evidence: E, the fresh batches a probe's gain is measured on")
      .group("Evidence");
  param(planner_.probe_lr, "probe_lr", 0.05, 1e-5, 10).log_scale()
      .help("evidence: how far one probe step moves each shadow weight (the step is normalised by the gradient's RMS)").group("Evidence");
  param(planner_.risk, "risk", 1.0, 0, 10).help("evidence: a region's score is its mean gain less this many spreads").group("Evidence");
  param(planner_.budget_scale, "budget_scale", 1.0, 1, 100).restart()
      .help("evidence: each layer's budget of connections is this times its connections at the start (1: it only swaps; "
            "above 1: it grows into the room, more slowly as the barrier rises)")
      .group("Evidence");
  param(planner_.split_every, "split_every", 0, 0, 1000).unit("cycles")
      .help("evidence: every this many cycles each hidden layer with room splits its most demanded unit (0 = never); the "
            "next cycle keeps the twins only if merging them back would cost loss")
      .group("Evidence");
  param(planner_.budget_moves, "budget_moves", false)
      .help("evidence: after each cycle, one region's budget moves from the layer whose tokens are worth least (the "
            "measured loss of zeroing its cheapest connections, or its own best probe's gain, per connection) to the "
            "layer whose probes gain most per connection, on running means and past a 25 % margin (CGPT); the giver "
            "sheds confirmed Cooling connections until it fits, and keeps at least half its starting budget")
      .group("Evidence");
  param(planner_.nascent_after, "nascent_after", 0, 0, 1000).unit("cycles")
      .help("evidence: a hidden layer at its budget that commits nothing for this many cycles in a row gets a nascent "
            "layer after it (the identity, growing by the same rules, with 4 connections per unit of budget), judged "
            "after as many cycles again: kept if removing it would cost loss, else removed (0 = never; not with "
            "split_every)")
      .group("Evidence");
  param(planner_.barrier_eps, "barrier_eps", 0.05, 1e-4, 1).log_scale()
      .help("evidence: epsilon of the barrier gamma = 1 / sqrt(1 - v^2 + eps), v = connections / budget").group("Evidence");

  param(kernel_, "kernel", Kernel::Sparse, {"sparse", "dense", "auto"})
      .help("sparse: every layer on its CSR structure (work per connection); dense: every layer on a dense copy "
            "(Eigen's GEMM); auto: per layer the kernel predicted faster from both rates timed on this machine, "
            "chosen again at every rewiring with 15 % hysteresis. The kernels agree to float rounding; auto's choice "
            "depends on the machine and its load, so its runs are not bit-reproducible")
      .group("Network");
  param(delta_log_steps_, "delta_log", 0, 0, 10000).unit("steps")
      .help("keep the last this many training steps as a ring of sparse state differences, from which each is rebuilt "
            "(0 = off); changing it starts a new log")
      .group("State log");
  param(delta_eps_, "delta_eps", 0.0, 0, 1)
      .help("a weight is logged when it moved by more than this since its last record (0: every change, each state "
            "rebuilt bit for bit)")
      .group("State log");

  declare_learning_metrics(/*with_loss=*/true);
  metrics_.add("connections", "", [this] { return chain_ ? static_cast<double>(chain_->connections()) : 0.0; });
  metrics_.add("density", "", [this] {
    if (!chain_) return 0.0;
    double dense = 0;
    for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) dense += static_cast<double>(sizes_[l]) * sizes_[l + 1];
    return dense > 0 ? static_cast<double>(chain_->connections()) / dense : 0.0;
  });
  metrics_.add("update_fraction", "", [this] { return update_fraction(); });
  metrics_.add("rewired", "", [this] { return static_cast<double>(last_moved_); });
  metrics_.add("dead_units", "", [this] { return static_cast<double>(dead_units_); });
  metrics_.add("faults", "", [this] { return static_cast<double>(quarantined_ + refused_); });
  // The evidence planner's: the largest barrier and budget use over the layers (v = 1, gamma =
  // 1/sqrt(eps) at the budget), and the regions committed since the start.
  metrics_.add("gamma", "", [this] {
    double g = 0;
    if (planner_engine_)
      for (const auto& b : planner_engine_->budgets(*chain_)) g = std::max(g, b.gamma);
    return planner_engine_ ? g : NAN;
  });
  metrics_.add("budget_use", "", [this] {
    double v = 0;
    if (planner_engine_)
      for (const auto& b : planner_engine_->budgets(*chain_)) v = std::max(v, b.v);
    return planner_engine_ ? v : NAN;
  });
  metrics_.add("commits", "", [this] { return static_cast<double>(commits_); });
  metrics_.add("budget_moved", "", [this] { return static_cast<double>(budget_moved_); });
  metrics_.add("nascent_layers", "", [this] {
    int n = 0;
    for (std::size_t l = 0; planner_engine_ && l < chain_->layers().size(); ++l) n += planner_engine_->nascent(l);
    return static_cast<double>(n);
  });
  metrics_.add("splits", "", [this] { return static_cast<double>(splits_); });
  metrics_.add("kept_splits", "", [this] { return static_cast<double>(kept_splits_); });
  metrics_.add("dense_layers", "", [this] {
    int n = 0;
    for (std::size_t l = 0; chain_ && l < chain_->layers().size(); ++l) n += chain_->dense(l);
    return static_cast<double>(n);
  });
  // The baselines trained beside it (NaN when `baselines` is off).
  for (std::size_t b = 0; b < 2; ++b) {
    const std::string name = b == 0 ? "set_" : "rigl_";
    const auto read = [this, b](double (sparse::BaselineRun::*get)() const) {
      return [this, b, get] { return b < baselines_.size() ? (baselines_[b].*get)() : NAN; };
    };
    metrics_.add(name + "train_accuracy", "", read(&sparse::BaselineRun::train_accuracy), MetricTable::Unmeasured::Nan);
    metrics_.add(name + "test_accuracy", "", read(&sparse::BaselineRun::test_accuracy), MetricTable::Unmeasured::Nan);
    metrics_.add(name + "loss", "", read(&sparse::BaselineRun::loss), MetricTable::Unmeasured::Nan);
    metrics_.add(name + "density", "", read(&sparse::BaselineRun::density), MetricTable::Unmeasured::Nan);
  }
  metrics_.add("delta_log_bytes", "B", [this] { return delta_log_ ? static_cast<double>(delta_log_->bytes()) : 0.0; });
}

std::uint64_t SparseSystem::bytes_needed() const {
  const auto dim = static_cast<std::uint64_t>(example_dim(params_.choice("dataset")));
  // Splits can widen a hidden layer to kMaxWidening times its size.
  const std::uint64_t widen = params_.integer("split_every") > 0 ? sparse::kMaxWidening : 1;
  const auto h1 = static_cast<std::uint64_t>(params_.integer("hidden_1")) * widen;
  const auto h2 = static_cast<std::uint64_t>(params_.integer("hidden_2")) * widen;
  const auto B = static_cast<std::uint64_t>(params_.integer("batch"));
  const std::uint64_t classes = 16;  // at most 16 classes
  std::vector<std::uint64_t> sizes{dim, h1};
  if (h2) sizes.push_back(h2);
  sizes.push_back(classes);
  std::uint64_t bytes = data_bytes() + B * dim * 4;  // the data and the batch
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const std::uint64_t in = sizes[l], out = sizes[l + 1];
    // Bounded by the dense layer, whatever the density: a layer never holds more connections
    // than that, and RigL's dense gradient (4 bytes) and list of absent entries (8 bytes) cover
    // every possible weight anyway, so a bound from the density would save little.
    // Each network (and each baseline beside it): the layer, its gradient, a rewiring's copy, its
    // activations and deltas.
    const std::uint64_t networks = params_.flag("baselines") ? 3 : 1;
    bytes += networks * (sparse::CsrLayer::bytes_for(out, out * in) * 3 + out * B * 4 * 2);
    bytes += out * in * 12;
  }
  bytes += 2 * 4 * kGridRows * kGridCols * sizes.size();  // the snapshot's pictures
  // Nascent layers: one square layer of a hidden layer's width after each hidden layer, bounded
  // like the others (its connections, gradient, copy, dense rival gradient, planner sums).
  if (params_.integer("nascent_after") > 0)
    for (std::size_t l = 1; l + 1 < sizes.size(); ++l)
      bytes += sparse::CsrLayer::bytes_for(sizes[l], sizes[l] * sizes[l]) * 3 + sizes[l] * sizes[l] * 28 + sizes[l] * B * 8;
  // The evidence planner: its gradient sums (16 bytes per possible weight, counted whatever the
  // method, which can change while running) and its rollout and evaluation batches.
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) bytes += sizes[l] * sizes[l + 1] * 16;
  bytes += static_cast<std::uint64_t>(params_.integer("rollout_steps") + params_.integer("rollout_batches") + 1) * B * dim * 4;
  // The Δ-state log: at worst every connection moves every step (12 bytes each) and every bias;
  // the connections are at most the density's share of the dense weights times the planner's
  // budget scale and widening.
  if (const auto steps = static_cast<std::uint64_t>(params_.integer("delta_log")); steps > 0) {
    double dense = 0, units = 0;
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
      dense += static_cast<double>(sizes[l]) * static_cast<double>(sizes[l + 1]);
      units += static_cast<double>(sizes[l + 1]);
    }
    const double connections = std::min(dense, params_.real("density") * params_.real("budget_scale") * dense * static_cast<double>(widen * widen));
    bytes += static_cast<std::uint64_t>((steps + 1) * (connections * 12 + units * 8));
  }
  return bytes;
}

void SparseSystem::restart() {
  rng_.reseed(seed_);
  load_data(static_cast<std::size_t>(batch_));
  sizes_ = {data().train.dim, hidden_1_};
  if (hidden_2_ > 0) sizes_.push_back(hidden_2_);
  sizes_.push_back(data().train.classes);
  chain_ = std::make_unique<sparse::SparseChain>(sizes_, sparse::layer_densities(sizes_, density_, density_rule_), rng_);
  baselines_.clear();
  if (with_baselines_) {
    // Their own streams, derived from the seed apart from the system's.
    baselines_.emplace_back("SET", false, *chain_, seed_ ^ 0x5e7b'a5e1'1f00'0001ULL);
    baselines_.emplace_back("RigL", true, *chain_, seed_ ^ 0x5e7b'a5e1'1f00'0002ULL);
  }
  x_.setZero(data().train.dim, batch_);
  labels_.assign(static_cast<std::size_t>(batch_), 0);
  phase_ = Phase::Training;
  quarantined_ = refused_ = last_moved_ = commits_ = splits_ = kept_splits_ = budget_moved_ = 0;
  rewires_.clear();
  unit_history_.clear();
  planner_engine_.reset();
  probes_.clear();
  delta_log_.reset();
  configure_delta_log();
  kernels_calibrated_ = false;  // the batch size may have changed
  choose_kernels();
  count_dead_units();
  start_epoch(rng_);
}

void SparseSystem::params_changed() {
  resume_if_raised(max_epochs_);
  if (planner_engine_) planner_engine_->set_settings(planner_);
  configure_delta_log();
  choose_kernels();
}

void SparseSystem::choose_kernels() {
  if (kernel_ == Kernel::Auto && !kernels_calibrated_) {
    kernel_costs_ = sparse::calibrate_kernels(batch_);
    kernels_calibrated_ = true;
  }
  for (std::size_t l = 0; l < chain_->layers().size(); ++l) {
    bool dense = kernel_ == Kernel::Dense;
    if (kernel_ == Kernel::Auto) dense = sparse::prefer_dense(chain_->layers()[l], batch_, chain_->dense(l), kernel_costs_);
    chain_->set_dense(l, dense);
  }
}

void SparseSystem::configure_delta_log() {
  // A new ring size or threshold starts a new log (its records were cut by the old ones).
  if (delta_log_steps_ == 0) delta_log_.reset();
  else if (!delta_log_ || delta_log_->capacity() != static_cast<std::size_t>(delta_log_steps_) ||
           delta_log_->eps() != static_cast<float>(delta_eps_))
    delta_log_ = std::make_unique<sparse::DeltaLog>(static_cast<std::size_t>(delta_log_steps_), static_cast<float>(delta_eps_));
}

double SparseSystem::update_fraction() const {
  switch (method_) {
    case Method::Static: return 0.0;
    case Method::Set: return rewire_fraction_;
    case Method::RigL: return sparse::cosine_update_fraction(rewire_fraction_, static_cast<long>(step_), static_cast<long>(rewire_end_));
    case Method::Evidence: return 0.0;  // it moves what its evidence supports, not a set share
  }
  return 0.0;
}

void SparseSystem::step() {
  const bool training = phase_ == Phase::Training;
  if (training) train_batch();
  else if (phase_ == Phase::Evaluating) eval_chunk();
  ++step_;
  if (training && delta_log_) delta_log_->record(step_, *chain_);  // the state after this step
}

void SparseSystem::fill(sparse::RowMat& x, std::vector<std::uint8_t>& labels, const data::Dataset& d, const std::uint32_t* idx,
                        std::size_t first, std::size_t count) const {
  const auto dim = static_cast<Eigen::Index>(d.dim);
  x.resize(dim, batch_);
  labels.resize(static_cast<std::size_t>(batch_));
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    const auto i = static_cast<std::size_t>(c);
    if (i < count) {
      const std::size_t example = idx ? idx[i] : first + i;
      const float* e = d.example(example);
      for (Eigen::Index f = 0; f < dim; ++f) x(f, c) = e[f];
      labels[i] = d.y[example];
    } else {
      x.col(c).setZero();  // padding of a last partial chunk; never counted
      labels[i] = 0;
    }
  }
}

std::size_t SparseSystem::quarantine_non_finite() {
  std::size_t removed = 0;
  for (sparse::CsrLayer& W : chain_->layers()) {
    std::vector<char> drop;
    for (std::size_t k = 0; k < W.value.size(); ++k)
      if (!std::isfinite(W.value[k])) {
        if (drop.empty()) drop.assign(W.value.size(), 0);  // allocated only when a fault is found
        drop[k] = 1;
      }
    if (!drop.empty()) removed += sparse::remove_marked(W, drop);
    for (float& b : W.bias)
      if (!std::isfinite(b)) {
        b = 0.0f;
        ++removed;
      }
  }
  if (removed) {
    quarantined_ += removed;
    count_dead_units();
    emit(Event::Level::Error, "non-finite (NaN/Inf) weights: " + std::to_string(removed) +
                                  " connection(s) or bias(es) removed before batch " + std::to_string(cursor_.batch()) +
                                  "; nothing else was touched");
  }
  return removed;
}

void SparseSystem::train_batch() {
  quarantine_non_finite();
  fill(x_, labels_, data().train, cursor_.batch_examples(), 0, static_cast<std::size_t>(batch_));
  const double loss = chain_->gradients(x_, labels_);
  bool finite = std::isfinite(loss);
  for (std::size_t l = 0; finite && l < chain_->layers().size(); ++l)
    for (float g : chain_->value_gradient(l)) finite &= std::isfinite(g);
  if (!finite) {
    ++refused_;
    emit(Event::Level::Error, "non-finite loss or gradient in batch " + std::to_string(cursor_.batch()) + ": update refused, weights untouched");
  } else {
    std::uint64_t hits = 0;
    for (Eigen::Index c = 0; c < x_.cols(); ++c) hits += argmax_col(chain_->output(), c) == labels_[static_cast<std::size_t>(c)];
    train_.add(hits, static_cast<std::uint64_t>(batch_), loss * batch_);
    if (optimizer_ == Optimizer::Adam) chain_->apply_adam({.lr = static_cast<float>(lr_)});
    else chain_->apply_gradients(static_cast<float>(lr_));
    if (method_ != Method::Static && (step_ + 1) % static_cast<std::uint64_t>(rewire_every_) == 0) rewire();
  }
  for (sparse::BaselineRun& b : baselines_) b.train(x_, labels_, baseline_settings(), step_);
  if (cursor_.next_batch()) {
    phase_ = Phase::Evaluating;
    cursor_.start_eval();
  }
}

sparse::BaselineSettings SparseSystem::baseline_settings() const {
  return {.adam = optimizer_ == Optimizer::Adam, .lr = static_cast<float>(lr_), .rewire_every = rewire_every_,
          .set_every = static_cast<int>(cursor_.batches_per_epoch()), .fraction = rewire_fraction_,
          .rewire_end = static_cast<long>(rewire_end_)};
}

void SparseSystem::plan() {
  if (!planner_engine_) planner_engine_ = std::make_unique<sparse::EvidencePlanner>(*chain_, planner_);
  std::vector<std::uint32_t> picks(static_cast<std::size_t>(batch_));
  const sparse::CycleReport report = planner_engine_->cycle(*chain_, [&](sparse::RowMat& x, std::vector<std::uint8_t>& labels) {
    // Fresh batches: drawn at random from the training set, apart from the epoch's order.
    for (auto& i : picks) i = static_cast<std::uint32_t>(rng_.below(data().train.size()));
    fill(x, labels, data().train, picks.data(), 0, picks.size());
  });
  probes_ = report.probes;
  last_moved_ = 0;
  for (std::size_t l = 0; l < report.grown.size(); ++l) {
    sparse::RewireEvent e{.step = step_ + 1, .layer = static_cast<int>(l), .pruned = report.pruned[l], .grown = report.grown[l]};
    for (const auto& p : probes_) e.probed += p.layer == static_cast<int>(l);
    for (const auto& sp : report.splits)
      if (sp.layer == static_cast<int>(l)) {
        e.splits += !sp.judged;
        e.merges += sp.judged && !sp.kept;
      }
    for (const auto& n : report.nascent) {  // marked on the layer before it
      if (n.kind == sparse::NascentEvent::Kind::Inserted && n.layer == static_cast<int>(l) + 1) e.nascent = 1;
      if (n.kind == sparse::NascentEvent::Kind::Removed && n.layer == static_cast<int>(l) + 1) e.nascent = -1;
    }
    if (rewires_.size() == kRewireLog) rewires_.erase(rewires_.begin());
    rewires_.push_back(e);
    last_moved_ += static_cast<std::uint64_t>(report.grown[l]);
  }
  for (const auto& sp : report.splits) {
    splits_ += !sp.judged;
    kept_splits_ += sp.judged && sp.kept;
  }
  for (const auto& n : report.nascent) {
    char gain[96];
    std::snprintf(gain, sizeof gain, "%.3g \u00b1 %.2g loss (wins %.0f %%)", n.gain, n.spread, 100 * n.win_rate);
    const std::string where = "layer " + std::to_string(n.layer + 1);
    switch (n.kind) {
      case sparse::NascentEvent::Kind::Inserted:
        emit(Event::Level::Info, "nascent layer inserted as " + where + " (the identity; the logits did not move)");
        break;
      case sparse::NascentEvent::Kind::Kept:
        emit(Event::Level::Info, "nascent " + where + " kept: keeping it saves " + gain);
        break;
      case sparse::NascentEvent::Kind::Removed:
        emit(Event::Level::Info, "nascent " + where + " removed (consolidated): keeping it saved only " + gain);
        break;
    }
  }
  // A split or a merge changes a hidden layer's width, a nascent layer the number of layers.
  sizes_ = {chain_->layers().front().cols};
  for (const sparse::CsrLayer& W : chain_->layers()) sizes_.push_back(W.rows);
  choose_kernels();
  for (const auto& p : probes_) commits_ += p.committed;
  budget_moved_ += static_cast<std::uint64_t>(report.budget_move.tokens);
  count_dead_units();
}

void SparseSystem::rewire() {
  unit_history_.before(*chain_);
  if (method_ == Method::Evidence) plan();
  else rewire_by_rule();
  unit_history_.after(*chain_, step_ + 1);
}

void SparseSystem::rewire_by_rule() {
  const auto moves = sparse::rewire_chain(*chain_, method_ == Method::RigL, update_fraction(), rng_);
  last_moved_ = 0;
  for (std::size_t l = 0; l < moves.size(); ++l) {
    if (moves[l].pruned == 0 && moves[l].grown == 0) continue;
    if (rewires_.size() == kRewireLog) rewires_.erase(rewires_.begin());
    rewires_.push_back({step_ + 1, static_cast<int>(l), moves[l].pruned, moves[l].grown});
    last_moved_ += static_cast<std::uint64_t>(moves[l].pruned);
  }
  count_dead_units();
}

void SparseSystem::eval_chunk() {
  const std::size_t n = data().test.size(), B = static_cast<std::size_t>(batch_);
  const std::size_t per_step = std::max<std::size_t>(B, (n + kEvalChunks - 1) / kEvalChunks);
  const std::size_t end = std::min(n, cursor_.eval_position() + per_step);
  while (cursor_.eval_position() < end) {
    const std::size_t first = cursor_.eval_position(), count = cursor_.eval_count(B);
    fill(x_, labels_, data().test, nullptr, first, count);
    const sparse::RowMat& out = chain_->predict(x_);
    std::uint64_t hits = 0;
    for (std::size_t c = 0; c < count; ++c) hits += argmax_col(out, static_cast<Eigen::Index>(c)) == labels_[c];
    test_.add(hits, count);
    for (sparse::BaselineRun& b : baselines_) b.evaluate(x_, labels_, count);
    cursor_.advance_eval(count);
  }
  if (cursor_.eval_done()) {
    for (sparse::BaselineRun& b : baselines_) b.end_epoch();
    next_epoch(rng_, max_epochs_);
  }
}

void SparseSystem::count_dead_units() {
  dead_units_ = 0;
  for (const sparse::CsrLayer& W : chain_->layers())
    dead_units_ += W.rows_without_inputs();
}

std::vector<PerturbKind> SparseSystem::supported_perturbations() const {
  return {PerturbKind::Noise, PerturbKind::Ablate, PerturbKind::InjectNaN, PerturbKind::InjectInf};
}

void SparseSystem::perturb(const Perturbation& p) {
  const std::size_t total = chain_->connections();
  switch (p.kind) {
    case PerturbKind::Noise: {
      if (!std::isfinite(p.amplitude)) throw InputError("/perturb/amplitude", "expected a finite noise amplitude");
      for (sparse::CsrLayer& W : chain_->layers())
        for (float& w : W.value) w += static_cast<float>(p.amplitude * rng_.normal());
      char amplitude[32];
      std::snprintf(amplitude, sizeof amplitude, "%.4g", p.amplitude);
      emit(Event::Level::Info, std::string("noise of amplitude ") + amplitude + " added to all " + std::to_string(total) + " weights");
      return;
    }
    case PerturbKind::Ablate:
    case PerturbKind::InjectNaN:
    case PerturbKind::InjectInf: {
      // A share of all connections, drawn over the whole chain.
      std::vector<std::pair<std::uint32_t, std::uint32_t>> all;  // (layer, connection)
      all.reserve(total);
      for (std::size_t l = 0; l < chain_->layers().size(); ++l)
        for (std::size_t k = 0; k < chain_->layers()[l].connections(); ++k)
          all.emplace_back(static_cast<std::uint32_t>(l), static_cast<std::uint32_t>(k));
      const std::size_t hit = p.fraction > 0 ? units_hit(p.fraction, all.size()) : 0;
      std::vector<std::vector<char>> drop(chain_->layers().size());  // ablation: what goes, per layer
      if (p.kind == PerturbKind::Ablate)
        for (std::size_t l = 0; l < drop.size(); ++l) drop[l].assign(chain_->layers()[l].connections(), 0);
      const float fault = p.kind == PerturbKind::InjectNaN ? NAN : INFINITY;
      pick_distinct(all, hit, rng_, [&](const std::pair<std::uint32_t, std::uint32_t>& c) {
        if (p.kind == PerturbKind::Ablate) drop[c.first][c.second] = 1;
        else chain_->layers()[c.first].value[c.second] = fault;
      });
      if (p.kind == PerturbKind::Ablate) {
        unit_history_.before(*chain_);
        for (std::size_t l = 0; l < drop.size(); ++l) sparse::remove_marked(chain_->layers()[l], drop[l]);
        unit_history_.after(*chain_, step_);
        count_dead_units();
        emit(Event::Level::Info, "ablated " + std::to_string(hit) + " of " + std::to_string(total) + " connections" +
                                     (p.mode == AblateMode::Freeze ? " (freeze acts as remove here)" : "") +
                                     (method_ == Method::Static ? "" : "; rewiring may regrow them"));
      } else {
        emit(Event::Level::Info, std::string("injected ") + (p.kind == PerturbKind::InjectNaN ? "NaN" : "Inf") + " into " +
                                     std::to_string(hit) + " weights; the next step removes them");
      }
      return;
    }
  }
}

std::shared_ptr<const Snapshot> SparseSystem::snapshot() const {
  auto s = std::make_shared<sparse::SparseSnapshot>();
  s->step = step_;
  static const char* const kMethods[] = {"static", "set", "rigl", "evidence"};
  s->method = kMethods[static_cast<int>(method_)];
  s->dataset = data().train.name;
  s->layer_sizes = sizes_;
  double dense = 0;
  for (std::size_t l = 0; l < chain_->layers().size(); ++l) {
    const sparse::CsrLayer& W = chain_->layers()[l];
    s->layers.push_back(picture(W));
    dense += static_cast<double>(W.rows) * W.cols;
    sparse::LayerStructure& st = s->structure.emplace_back();
    st.row_start = W.row_start;
    st.col = W.col;
    st.value = W.value;
    st.bias = W.bias;
    st.event_start.push_back(0);
    for (int u = 0; u < W.rows; ++u) {
      const auto events = unit_history_.events(l, static_cast<std::size_t>(u));
      st.events.insert(st.events.end(), events.begin(), events.end());
      st.event_start.push_back(static_cast<std::uint32_t>(st.events.size()));
    }
  }
  for (const sparse::BaselineRun& b : baselines_)
    s->baselines.push_back({b.name(), b.train_accuracy(), b.test_accuracy(), b.density()});
  if (planner_engine_) {
    const auto budgets = planner_engine_->budgets(*chain_);
    for (std::size_t l = 0; l < budgets.size(); ++l) {
      sparse::LayerPicture& p = s->layers[l];
      p.budget = budgets[l].budget;
      p.active = budgets[l].active;
      p.cooling = budgets[l].cooling;
      p.budget_use = budgets[l].v;
      p.gamma = budgets[l].gamma;
      p.nascent = planner_engine_->nascent(l);
    }
  }
  s->rewires = rewires_;
  s->probes = probes_;
  s->density = dense > 0 ? static_cast<double>(chain_->connections()) / dense : 0.0;
  s->update_fraction = update_fraction();
  s->train_accuracy = train_.accuracy();
  s->test_accuracy = test_accuracy();
  s->loss = train_.loss();
  s->epoch = epoch_;
  s->batch = cursor_.batch();
  s->batches_per_epoch = cursor_.batches_per_epoch();
  s->status = phase_text();
  return s;
}

void SparseSystem::dump(nlohmann::json& out) const {
  dump_header(out);
  out["layer_sizes"] = sizes_;
  out["epoch"] = epoch_;
  out["batch"] = cursor_.batch();
  out["test_accuracy"] = std::isfinite(test_accuracy()) ? nlohmann::json(test_accuracy()) : nlohmann::json(nullptr);
  out["quarantined"] = quarantined_;
  out["refused_updates"] = refused_;
  nlohmann::json layers = nlohmann::json::array();
  for (const sparse::CsrLayer& W : chain_->layers())
    layers.push_back({{"rows", W.rows}, {"cols", W.cols}, {"row_start", W.row_start}, {"col", W.col}, {"value", W.value}, {"bias", W.bias}});
  out["layers"] = layers;
  nlohmann::json log = nlohmann::json::array();
  for (const auto& e : rewires_)
    log.push_back({{"step", e.step}, {"layer", e.layer}, {"pruned", e.pruned}, {"grown", e.grown}, {"probed", e.probed}});
  out["rewires"] = log;
  for (const sparse::BaselineRun& b : baselines_) {
    const auto finite_or_null = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    out["baselines"].push_back({{"name", b.name()}, {"test_accuracy", finite_or_null(b.test_accuracy())},
                                {"train_accuracy", finite_or_null(b.train_accuracy())}, {"density", b.density()},
                                {"connections", b.chain().connections()}, {"refused_updates", b.refused()}});
  }
  if (planner_engine_) {
    nlohmann::json budgets = nlohmann::json::array(), probes = nlohmann::json::array();
    for (const auto& b : planner_engine_->budgets(*chain_))
      budgets.push_back({{"budget", b.budget}, {"used", b.used}, {"active", b.active}, {"cooling", b.cooling}, {"v", b.v}, {"gamma", b.gamma}});
    for (const auto& p : probes_)
      probes.push_back({{"layer", p.layer}, {"row", p.row}, {"col0", p.col0}, {"col1", p.col1}, {"tokens", p.tokens}, {"snr", p.snr},
                        {"gain", p.gain}, {"spread", p.spread}, {"win_rate", p.win_rate}, {"committed", p.committed}});
    out["budgets"] = budgets;
    out["probes"] = probes;
    out["commits"] = commits_;
  }
}

std::uint64_t SparseSystem::state_hash() const {
  StateHash h;
  hash_progress(h);
  for (const sparse::CsrLayer& W : chain_->layers()) {
    h.span(std::span<const std::uint32_t>(W.row_start));
    h.span(std::span<const std::uint32_t>(W.col));
    h.span(std::span<const float>(W.value));
    h.span(std::span<const float>(W.bias));
    for (const auto* moments : {&W.moment1, &W.moment2, &W.bias_moment1, &W.bias_moment2})
      if (!moments->empty()) h.span(std::span<const float>(*moments));  // Adam's state (none under SGD)
  }
  if (planner_engine_)
    for (std::size_t l = 0; l < chain_->layers().size(); ++l) h.span(std::span<const std::uint64_t>(planner_engine_->cooling(l)));
  for (const sparse::BaselineRun& b : baselines_)
    for (const sparse::CsrLayer& W : b.chain().layers()) {
      h.span(std::span<const std::uint32_t>(W.col));
      h.span(std::span<const float>(W.value));
    }
  h.span(cursor_.order());
  h.value(test_accuracy());
  h.value(train_.loss_sum());
  return h.digest();
}

template <class Self, class A>
void SparseSystem::state_io(Self& self, A& a) {
  constexpr bool reading = !std::is_const_v<Self>;
  learner_io(self, a);
  // The structure changes as it trains (rewiring, splits, nascent layers), so the chain goes
  // whole, with the layer sizes it has now.
  a(*self.chain_, self.sizes_);
  if constexpr (reading) {
    const auto& layers = self.chain_->layers();
    bool sizes_match = self.sizes_.size() == layers.size() + 1 && self.sizes_[0] == layers[0].cols;
    for (std::size_t l = 0; sizes_match && l < layers.size(); ++l) sizes_match = self.sizes_[l + 1] == layers[l].rows;
    if (!sizes_match) throw CheckpointError("the layer sizes do not match the sparse layers");
  }
  // The planner is made at the first evidence cycle, not at restart: a restored one is made from
  // the restored chain and the parameters, then given the written state.
  bool planner = static_cast<bool>(self.planner_engine_);
  a(planner);
  if constexpr (reading) {
    if (planner && !self.planner_engine_) self.planner_engine_ = std::make_unique<sparse::EvidencePlanner>(*self.chain_, self.planner_);
    if (!planner) self.planner_engine_.reset();
  }
  if (planner) {
    a(*self.planner_engine_);
    if constexpr (reading) self.planner_engine_->check_read(*self.chain_);
  }
  // The baselines and the Δ-log exist by the parameters, so the restart made them already.
  auto baselines = static_cast<std::uint64_t>(self.baselines_.size());
  a(baselines);
  if (baselines != self.baselines_.size())
    throw CheckpointError("the checkpoint has " + std::to_string(baselines) + " baseline runs where its parameters make " +
                          std::to_string(self.baselines_.size()));
  for (auto& b : self.baselines_) a(b);
  bool log = static_cast<bool>(self.delta_log_);
  a(log);
  if (log != static_cast<bool>(self.delta_log_))
    throw CheckpointError(std::string("the checkpoint ") + (log ? "has" : "lacks") + " a delta log where its parameters make " +
                          (log ? "none" : "one"));
  if (log) a(*self.delta_log_);
  // The kernel timings too: `auto` chooses again at every rewiring from them, so a restored run
  // chooses as the writer would have. The batch and labels are refilled before every use.
  a(self.probes_, self.kernel_costs_, self.kernels_calibrated_, self.commits_, self.budget_moved_, self.splits_, self.kept_splits_,
    self.quarantined_, self.refused_, self.last_moved_, self.dead_units_, self.unit_history_, self.rewires_, self.rng_);
}
void SparseSystem::write_state(StateWriter& out) const { state_io(*this, out); }
void SparseSystem::read_state(StateReader& in) { state_io(*this, in); }

}  // namespace obs
