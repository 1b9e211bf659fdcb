#include "core/state_archive.hpp"
#include "cube/cube_system.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/input_error.hpp"
#include "core/state_hash.hpp"
#include "cube/cube_learning.hpp"
#include "cube/cube_readout.hpp"
#include "core/pick_distinct.hpp"

namespace obs {
namespace {

constexpr int kMaxSide = 1024;  // the parameter's range; the memory budget refuses far earlier
// The most classes a data set has (Fashion-MNIST): the readout's share of the memory estimate.
constexpr std::uint64_t kMaxClasses = 10;

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace

CubeSystem::CubeSystem() {
  param(n_, "n", 16, 4, kMaxSide).restart().help("side of the cube: n^3 neurons").group("Cube");
  param(batch_size_, "batch", 32, 1, 256).restart().help("examples relaxed together (multiples of 16 use the vector kernel)").group("Cube");
  param(input_depth_, "input_depth", 1, 1, kMaxSide).restart().help("the input is clamped on the slab z < input_depth").group("Cube");
  param(engine_, "engine", Engine::Lazy, {"dense", "lazy"})
      .help("dense: every neuron every step; lazy: only row blocks near a neuron that moved by more than tol").group("Cube");
  param(show_, "show", 0, 0, 255).help("the example of the batch the view shows").group("Cube");

  declare_data_params({.train_size = 2000, .test_size = 500, .data_noise = 0.1, .spiral_arms = 3});
  param(projection_, "projection", Projection::Auto, {"auto", "random"}).restart()
      .help("auto: images that fit go pixel for pixel onto the input face, others through a fixed random projection; random: always the projection")
      .group("Data");
  param(projection_gain_, "projection_gain", 3, 0, 100).restart().help("scale of the fixed random projection onto the input slab").group("Data");
  param(projection_smoothing_, "projection_smoothing", 2, 0, 64).restart()
      .help("the random projection is smoothed over the face by this radius (neurons), so neighbouring slab neurons see similar features").group("Data");

  param(free_steps_, "free_steps", 60, 1, 100000).help("most relaxation steps of the free phase").group("Learning");
  param(nudged_steps_, "nudged_steps", 30, 1, 100000).help("most relaxation steps of a nudged phase").group("Learning");
  param(tol_, "tol", 1e-4, 0, 1).log_scale().help("a block has settled when no |ds| in it exceeds tol; a phase ends when all have").group("Learning");
  param(beta_, "beta", 0.5, 1e-3, 0.9).help("nudge strength (below 1 so the -beta phase stays convex)").group("Learning");
  param(beta_mode_, "beta_mode", learn::BetaMode::Symmetric, learn::beta_mode_choices()).help(learn::kBetaModeHelp).group("Learning");
  param(lr_, "lr", 0.05, 0, 10).log_scale().help("learning rate (ternary: flip probability per unit |gradient| / scale)").group("Learning");
  param(overrelax_, "overrelax", 1.0, 0.1, 1.95)
      .help("over-relaxation factor omega of the Gauss-Seidel sweep: s <- clip(s + omega (s* - s)); every update still lowers the energy for omega < 2, and the fixed point is the same").group("Learning");
  param(target_L_, "lipschitz_target", 0.95, 0.05, 0.999).help("||W||_2 of the recurrent operator is projected to at most this after every update").group("Learning");
  param(weights_, "weights", Weights::Float, {"float", "ternary"}).restart()
      .help("float weights, or ternary {-1, 0, +1} x scale trained by stochastic flips").group("Learning");
  param(weight_mean_, "weight_mean", 1.0, -1, 1).restart()
      .help("initial synapses between planes (dz != 0): this mean plus the spread; within a plane: the spread only. Scaled to the Lipschitz target")
      .group("Learning");
  param(weight_spread_, "weight_spread", 0.2, 0, 10).restart().help("initial weights: half-width of the uniform spread").group("Learning");
  param(input_weight_, "input_weight", 0.5, 0, 1).restart().help("initial input-slab synapses uniform in [0, input_weight]").group("Learning");
  param(readout_, "readout", Readout::Neuron, {"neuron", "face"})
      .restart()
      .help("read each class at one far-face neuron, or by a readout unit coupled to the whole far face (learned, centred; "
            "it needs a far face that carries the input: beta ~0.1, lipschitz_target >= 0.99, bias_init 0, see the README)")
      .group("Learning");
  param(bias_init_, "bias_init", -0.05, -1, 1).restart().help("initial bias of every neuron").group("Learning");
  param(warm_start_, "warm_start", false)
      .help("each batch's free phase starts from the free fixed point the batch before reached (slot by slot) instead of from rest")
      .group("Learning");

  param(init_density_, "init_density", 1.0, 0, 1).restart().help("share of possible synapses live at the start").group("Plasticity");
  param(synapse_budget_, "synapse_budget", 1.0, 0, 1).restart().help("most live synapses, as a share of the possible ones").group("Plasticity");
  param(plasticity_, "plasticity", false).help("grow synapses where the nudge is loud, prune where it is silent").group("Plasticity");
  param(plasticity_every_, "plasticity_every", 5, 1, 10000).help("batches between pruning/growth rounds").group("Plasticity");
  param(grow_ratio_, "grow_ratio", 3, 0, 1000).help("grow a synapse whose running |gradient| exceeds this multiple of the live mean").group("Plasticity");
  param(prune_ratio_, "prune_ratio", 0.1, 0, 1).help("prune a synapse whose running |gradient| is below this multiple of the live mean").group("Plasticity");

  param(ablate_shape_, "ablate_shape", AblateShape::Random, {"random", "sphere"})
      .help("Ablate kills a random share of neurons, or the sphere holding that share of the cube's volume").group("Perturbation");
  param(ablate_centre_[0], "ablate_cx", 0.5, 0, 1).help("sphere centre x, as a share of the side").group("Perturbation");
  param(ablate_centre_[1], "ablate_cy", 0.5, 0, 1).help("sphere centre y, as a share of the side").group("Perturbation");
  param(ablate_centre_[2], "ablate_cz", 0.5, 0, 1).help("sphere centre z, as a share of the side").group("Perturbation");
  param(heal_, "heal", false).help("killed neurons come back (state 0, their synapses as they were) at the next batch").group("Perturbation");

  for (int a = 0; a < 3; ++a)
    param(probe_[a], std::string("probe_") + "xyz"[a], -1, -1, kMaxSide - 1)
        .help("the probed neuron (the view sets it when a neuron is picked): its activation, velocity and nudge are the probe_* metrics, recorded every step; -1: none")
        .group("Probe");

  param(step_mode_, "step_mode", StepMode::Relaxation, {"relaxation", "batch", "stream"})
      .help("one step() = one relaxation step (watch it settle), one whole batch (train fast), or one frame of a stream of test "
            "images relaxed from the previous frame's fixed point, no learning (see where the lazy engine pays)")
      .group("Run");
  param(stream_kind_, "stream", cube::StreamKind::Occluder, {"occluder", "morph"})
      .help("step_mode = stream: a black square sliding across one test image, or one test image morphing into the next")
      .group("Run");
  param(stream_image_, "stream_image", 0, 0, 9998).help("step_mode = stream: the test example the stream shows (the morph ends on the next one)").group("Run");
  param(stream_frames_, "stream_frames", 40, 2, 100000).help("step_mode = stream: frames of one morph").group("Run");
  param(occluder_, "occluder", 8, 1, 64).help("step_mode = stream: side of the occluding square, in pixels").group("Run");
  params_.add_former_name("nudge_steps", "nudged_steps");  // scene version 1.0

  metrics_.add("energy", "", [this] { return energy(); });
  metrics_.add("mean_abs_ds", "", [this] { return last_.updated > 0 ? last_.sum_ds / (static_cast<double>(last_.updated) * c_.B) : 0.0; });
  metrics_.add("max_abs_ds", "", [this] { return last_.max_ds; });
  metrics_.add("active_fraction", "", [this] { return static_cast<double>(last_.updated) / static_cast<double>(std::max<std::uint64_t>(1, c_.free_neurons)); });
  metrics_.add("flops_effective", "flop", [this] { return flops_eff_; });
  metrics_.add("flops_dense", "flop", [this] { return flops_dense_; });
  metrics_.add("flops_ratio", "", [this] { return flops_eff_ > 0 ? flops_dense_ / flops_eff_ : 1.0; });
  metrics_.add("synapses", "", [this] { return static_cast<double>(synapses_); });
  metrics_.add("lipschitz", "", [this] { return lipschitz_; });
  declare_learning_metrics(/*with_loss=*/false);
  metrics_.add("phase", "", [this] { return static_cast<double>(static_cast<int>(stage_)); });
  metrics_.add("settle_steps", "steps", [this] { return static_cast<double>(settle_steps_); });
  metrics_.add("alive_fraction", "", [this] { return alive_fraction(); });
  metrics_.add("weight_sparsity", "", [this] { return possible_ ? 1.0 - static_cast<double>(synapses_) / static_cast<double>(possible_) : 0.0; });
  metrics_.add("quarantined", "", [this] { return static_cast<double>(quarantined_); });
  // Stream steps only (NaN otherwise): the share of relaxing neurons the last frame updated, and how
  // many times fewer multiply-adds it did than dense sweeps over the same steps.
  metrics_.add("frame_work_share", "", [this] { return streaming_ ? frame_share_ : NAN; }, MetricTable::Unmeasured::Nan);
  metrics_.add("frame_mac_ratio", "", [this] { return streaming_ && frame_macs_ > 0 ? frame_dense_macs_ / frame_macs_ : NAN; },
               MetricTable::Unmeasured::Nan);
  metrics_.add("probe_activation", "", [this] { return probe_channels()[0]; }, MetricTable::Unmeasured::Nan);
  metrics_.add("probe_velocity", "", [this] { return probe_channels()[1]; }, MetricTable::Unmeasured::Nan);
  metrics_.add("probe_nudge", "", [this] { return probe_channels()[2]; }, MetricTable::Unmeasured::Nan);
}

std::uint64_t CubeSystem::bytes_needed() const {
  const auto n = static_cast<std::uint64_t>(params_.integer("n"));
  const auto B = static_cast<std::uint64_t>(params_.integer("batch"));
  const auto depth = static_cast<std::uint64_t>(std::min<std::int64_t>(params_.integer("input_depth"), params_.integer("n")));
  const std::uint64_t p = n + 2, cells = p * p * p;
  const auto dim = static_cast<std::uint64_t>(example_dim(params_.choice("dataset")));
  std::uint64_t bytes = cube::Cube::bytes_for(n, B);
  bytes += 2 * cells * B * 4;                 // free and +beta copies of the states
  bytes += cube::readout_bytes(n, B, kMaxClasses) + 2 * kMaxClasses * B * 4;  // face readout and its copies
  bytes += 3 * cells * 4 + cells;             // power iteration, learning scratch, killed flags
  bytes += cells * (2 * 4 * cube::kNeighbours + 4 + 4) + kMaxClasses * (n * n + 1) * 4 + n * n * 4;  // the kept learned state
  bytes += depth * n * n * (dim + 1) * 4;     // random projection
  bytes += data_bytes();
  bytes += n * n * n * (4 * 3 + 1 + 4) + (n <= 32 ? n * n * n * 26 * 4 : 0);  // one snapshot
  return bytes;
}

void CubeSystem::check_params() const {
  const std::int64_t n = params_.integer("n"), depth = params_.integer("input_depth"), B = params_.integer("batch");
  if (depth > n - 2) throw InputError("/params/input_depth", "expected at most n - 2 = " + std::to_string(n - 2) + " (the cube needs room to relax)");
  if (params_.integer("show") >= B) throw InputError("/params/show", "expected an example index below batch = " + std::to_string(B));
  if (params_.real("init_density") > params_.real("synapse_budget"))
    throw InputError("/params/init_density", "expected at most synapse_budget (the budget holds from the start)");
  for (const char* axis : {"x", "y", "z"}) {
    const std::string name = std::string("probe_") + axis;
    if (params_.integer(name) >= n) throw InputError("/params/" + name, "expected -1 (no probe) or a coordinate below n = " + std::to_string(n));
  }
  if (params_.choice("step_mode") == "stream") {
    // The stream writes pixels onto the face as the direct-image encoding does (cube_input.cpp).
    const std::string& set = params_.choice("dataset");
    const std::int64_t side = set == "fashion-mnist" ? 28 : set == "patterns" ? 8 : 0;
    if (side == 0 || params_.choice("projection") != "auto" || n < side)
      throw InputError("/params/step_mode", "expected an image data set that fits the face for stream (fashion-mnist with n >= 28, "
                                            "or patterns with n >= 8, projection auto), got " + set + " on n = " + std::to_string(n));
    const std::int64_t test = params_.integer("test_size");
    if (test != 0 && params_.integer("stream_image") + 1 >= test)
      throw InputError("/params/stream_image", "expected below test_size - 1 = " + std::to_string(test - 1) + " (the morph ends on the next image)");
  }
}

void CubeSystem::restart() {
  const int n = n_, depth = input_depth_, B = batch_size_;
  rng_.reseed(seed_);
  params_changed();
  settled_.valid = false;
  streaming_ = false;
  frames_ = frame_t0_ = 0;
  frame_steps_ = 0;
  frame_macs_ = frame_dense_macs_ = frame_share_ = 0;

  build_data();
  c_.shape(n, B, depth);
  c_.show = show_;
  c_.target.assign(uz(data().train.classes) * uz(B), 0.0f);
  s_free_.assign(c_.s.size(), 0.0f);
  s_plus_.assign(c_.s.size(), 0.0f);
  const int units = readout_ == Readout::Face ? data().train.classes : 0;
  if (readout_ == Readout::Face) {
    cube::shape_readout(c_, units);
    // The units start halfway between the targets 0 and 1.
    std::fill(c_.ro.bias.begin(), c_.ro.bias.end(), 0.5f);
  }
  r_free_.assign(c_.ro.r.size(), 0.0f);
  r_plus_.assign(c_.ro.r.size(), 0.0f);
  pv_.assign(c_.cells + uz(units), 0.0f);
  pu_.assign(c_.cells + uz(units), 0.0f);
  partial_.assign(uz(n), cube::RelaxStats{});
  killed_.assign(c_.cells, 0);
  moved_.assign(c_.cells, 0u);
  plane_scratch_.assign(2 * uz(c_.P), 0.0);
  kept_.w.assign(c_.w.size(), 0.0f);
  kept_.loud.assign(c_.loud.size(), 0.0f);
  kept_.bias.assign(c_.bias.size(), 0.0f);
  kept_.mask.assign(c_.mask.size(), 0u);
  kept_.ro_u.assign(c_.ro.u.size(), 0.0f);
  kept_.ro_bias.assign(c_.ro.bias.size(), 0.0f);
  kept_.ro_mu.assign(c_.ro.mu.size(), 0.0f);
  refused_updates_ = 0;
  batch_idx_.assign(uz(B), 0);
  place_outputs();
  init_weights();

  relax_t_ = 0;
  batches_total_ = 0;
  flops_eff_ = flops_dense_ = 0;
  last_ = cube::RelaxStats{};
  quarantined_ = killed_count_ = flips_ = 0;
  scan_pending_ = false;
  settle_steps_ = 0;
  begin_epoch();
}

void CubeSystem::params_changed() {
  c_.omega = overrelax_;
  if (!c_.s.empty()) c_.show = std::min(show_, c_.B - 1);
}

// ---- initial weights and predictions -----------------------------------------------------

void CubeSystem::init_weights() {
  const double mean = weight_mean_, spread = weight_spread_;
  const double in_w = input_weight_, density = init_density_;
  possible_ = c_.possible_synapses();
  budget_ = static_cast<std::uint64_t>(std::floor(synapse_budget_ * static_cast<double>(possible_)));
  std::uint64_t live = 0;
  for (std::size_t p = 0; p < c_.cells; ++p) {
    c_.bias[p] = c_.alive[p] ? static_cast<float>(bias_init_) : 0.0f;
    for (int d = 0; d < cube::kNeighbours / 2; ++d) {
      if (!(c_.possible[p] >> d & 1u)) continue;
      const double u = rng_.uniform(), v = rng_.uniform(-1, 1);
      if (u >= density || live >= budget_) continue;
      const std::size_t q = c_.nbr(p, d);
      const bool input = p < c_.idx(0, 0, c_.depth) || q < c_.idx(0, 0, c_.depth);
      const bool across = cube::neighbour_offset(d)[2] != 0;
      float wv = static_cast<float>(input ? in_w * 0.5 * (1 + v) : (across ? mean : 0.0) + spread * v);
      if (weights_ == Weights::Ternary) wv = wv > 0 ? 1.0f : -1.0f;  // scaled below
      c_.set_synapse(p, d, wv);
      ++live;
    }
  }
  c_.recount();
  scale_ff_ = 1.0f;
  scale_in_ = static_cast<float>(weights_ == Weights::Ternary ? std::max(in_w, 1e-3) : 1.0);
  if (weights_ == Weights::Ternary) {
    for (std::size_t p = 0; p < c_.cells; ++p)
      for (int d = 0; d < cube::kNeighbours; ++d) {
        const std::size_t q = c_.nbr(p, d);
        if ((c_.mask[p] >> d & 1u) && !(c_.relaxes[p] && c_.relaxes[q])) c_.w[p * cube::kNeighbours + uz(d)] *= scale_in_;
      }
  }
  // The initial recurrent operator is scaled to the Lipschitz target exactly: the strongest
  // coupling the bound allows, so the input reaches the far face.
  const double L = cube::lipschitz_estimate(c_, pv_, pu_, 60);
  if (L > 0) {
    const float f = static_cast<float>(target_L_ / L);
    cube::scale_recurrent(c_, f);
    scale_ff_ *= f;
    lipschitz_ = L * f;
  } else {
    lipschitz_ = 0;
  }
  synapses_ = c_.live_synapses();
  c_.weights_changed();
}

int CubeSystem::predicted(int e) const {
  int best = 0;
  float bv = -std::numeric_limits<float>::infinity();  // the readout units are linear: any value
  if (c_.ro.active()) {
    for (int k = 0; k < c_.ro.K; ++k) {
      const float v = c_.ro.r[uz(k) * uz(c_.B) + uz(e)];
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    return best;
  }
  for (std::size_t k = 0; k < outputs_.size(); ++k) {
    const float v = c_.s[outputs_[k] * uz(c_.B) + uz(e)];
    if (v > bv) {
      bv = v;
      best = static_cast<int>(k);
    }
  }
  return best;
}

void CubeSystem::count_predictions(learn::EpochTally& tally, std::size_t valid) const {
  const data::Dataset& d = stage_ == Stage::Eval ? data().test : data().train;
  std::uint64_t hits = 0;
  for (std::size_t b = 0; b < valid; ++b) hits += predicted(static_cast<int>(b)) == d.y[batch_idx_[b]] ? 1 : 0;
  tally.add(hits, valid);
}

// ---- perturbations ----------------------------------------------------------------------

void CubeSystem::kill(std::size_t p, bool freeze) {
  if (freeze) {
    c_.alive[p] = 2;  // keeps its state and still drives its neighbours, never updates
  } else {
    c_.alive[p] = 0;
    killed_[p] = 1;
    for (std::size_t b = 0; b < uz(c_.B); ++b) c_.s[p * uz(c_.B) + b] = 0.0f;
  }
}

void CubeSystem::revive_killed() {
  if (killed_count_ == 0) return;
  std::uint64_t revived = 0;
  for (std::size_t p = 0; p < c_.cells; ++p)
    if (killed_[p] || c_.alive[p] == 2) {
      killed_[p] = 0;
      c_.alive[p] = 1;
      ++revived;
    }
  killed_count_ = 0;
  c_.recount();
  project(20);
  emit(Event::Level::Info, "healed: " + std::to_string(revived) + " neuron(s) back in the cube");
}

std::vector<PerturbKind> CubeSystem::supported_perturbations() const {
  return {PerturbKind::Noise, PerturbKind::Ablate, PerturbKind::InjectNaN, PerturbKind::InjectInf};
}

void CubeSystem::perturb(const Perturbation& pt) {
  const auto B = uz(c_.B);
  std::vector<std::size_t> relaxing;
  for (std::size_t p = 0; p < c_.cells; ++p)
    if (c_.relaxes[p]) relaxing.push_back(p);
  if (relaxing.empty()) return;
  const double f = std::clamp(pt.fraction, 0.0, 1.0);
  switch (pt.kind) {
    case PerturbKind::Noise: {
      if (!std::isfinite(pt.amplitude)) throw InputError("/perturb/amplitude", "expected a finite noise amplitude");
      for (std::size_t p : relaxing)
        for (std::size_t b = 0; b < B; ++b) {
          float& v = c_.s[p * B + b];
          v = std::clamp(static_cast<float>(v + pt.amplitude * rng_.normal()), 0.0f, 1.0f);
        }
      emit(Event::Level::Info, "state noise of amplitude " + std::to_string(pt.amplitude) + " on " +
                                   std::to_string(relaxing.size()) + " neurons");
      break;
    }
    case PerturbKind::Ablate: {
      if (f <= 0) return;
      const bool freeze = pt.mode == AblateMode::Freeze;
      std::uint64_t hit = 0;
      if (ablate_shape_ == AblateShape::Sphere) {
        // The sphere whose volume is the fraction f of the cube.
        const double n = c_.n, r = std::cbrt(3.0 * f * n * n * n / (4.0 * std::numbers::pi));
        const double cx = ablate_centre_[0] * (n - 1), cy = ablate_centre_[1] * (n - 1), cz = ablate_centre_[2] * (n - 1);
        for (std::size_t p : relaxing) {
          const auto xyz = c_.coords(p);
          const double dx = xyz[0] - cx, dy = xyz[1] - cy, dz = xyz[2] - cz;
          if (dx * dx + dy * dy + dz * dz <= r * r) {
            kill(p, freeze);
            ++hit;
          }
        }
      } else {
        hit = pick_distinct(relaxing, units_hit(f, relaxing.size()), rng_, [&](std::size_t p) { kill(p, freeze); });
      }
      if (!freeze) killed_count_ += hit;
      c_.recount();
      emit(Event::Level::Info, std::string(freeze ? "froze " : "killed ") + std::to_string(hit) + " neuron(s)" +
                                   (heal_ ? " (heal is on: back at the next batch)" : ""));
      break;
    }
    case PerturbKind::InjectNaN:
    case PerturbKind::InjectInf: {
      const float bad = pt.kind == PerturbKind::InjectNaN ? NAN : INFINITY;
      const std::size_t k = pick_distinct(relaxing, units_hit(f, relaxing.size()), rng_, [&](std::size_t p) {
        for (std::size_t b = 0; b < B; ++b) c_.s[p * B + b] = bad;
      });
      emit(Event::Level::Info, "injected " + std::string(pt.kind == PerturbKind::InjectNaN ? "NaN" : "Inf") +
                                   " into the states of " + std::to_string(k) + " neuron(s)");
      scan_pending_ = true;  // found, like a real fault, by the next step's scan
      break;
    }
  }
  // The settled picture no longer holds anywhere: every block relaxes again.
  cube::mark_all(c_, relax_t_);
}

// ---- metrics, snapshot, dump ------------------------------------------------------------

double CubeSystem::alive_fraction() const {
  std::uint64_t in_cube = 0, alive = 0;
  for (int z = c_.depth; z < c_.n; ++z)
    for (int y = 0; y < c_.n; ++y)
      for (int x = 0; x < c_.n; ++x) {
        ++in_cube;
        alive += c_.alive[c_.idx(x, y, z)] ? 1 : 0;
      }
  return in_cube ? static_cast<double>(alive) / static_cast<double>(in_cube) : 0.0;
}

std::array<double, 3> CubeSystem::probe_channels() const {
  for (int v : probe_)
    if (v < 0 || v >= c_.n) return {NAN, NAN, NAN};  // no probe: not measured
  if (step_mode_ == StepMode::Batch && settled_.valid) {  // what the view shows (snapshot())
    const std::size_t i = (uz(probe_[2]) * uz(c_.n) + uz(probe_[1])) * uz(c_.n) + uz(probe_[0]);
    return {settled_.s[i], 0.0, settled_.nudge[i]};
  }
  const std::size_t p = c_.idx(probe_[0], probe_[1], probe_[2]), e = uz(c_.show), B = uz(c_.B);
  const bool fresh = c_.updated_at[c_.block(probe_[0] / cube::kSegment, probe_[1], probe_[2])] == relax_t_ - 1;
  const bool nudged = stage_ == Stage::NudgePlus || stage_ == Stage::NudgeMinus;
  return {c_.s[p * B + e], fresh ? c_.vel0[p] : 0.0, nudged ? c_.s[p * B + e] - s_free_[p * B + e] : 0.0};
}

std::shared_ptr<const Snapshot> CubeSystem::snapshot() const {
  auto s = std::make_shared<cube::CubeSnapshot>();
  s->step = step_;
  const int n = c_.n;
  const auto N = uz(n) * uz(n) * uz(n), B = uz(c_.B), e = uz(c_.show);
  const bool nudged = stage_ == Stage::NudgePlus || stage_ == Stage::NudgeMinus;
  s->n = n;
  s->activation.resize(N);
  s->velocity.resize(N);
  s->nudge.assign(N, 0.0f);
  s->alive.resize(N);
  s->synapse_mask.resize(N);
  if (n <= 32) s->weights.resize(N * cube::kNeighbours);
  std::size_t i = 0;
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x, ++i) {
        const std::size_t p = c_.idx(x, y, z);
        s->activation[i] = c_.s[p * B + e];
        const bool fresh = c_.updated_at[c_.block(x / cube::kSegment, y, z)] == relax_t_ - 1;
        s->velocity[i] = fresh ? c_.vel0[p] : 0.0f;
        if (nudged) s->nudge[i] = c_.s[p * B + e] - s_free_[p * B + e];
        s->alive[i] = c_.alive[p] ? 1 : 0;
        s->synapse_mask[i] = c_.mask[p];
        if (n <= 32) std::copy_n(c_.w.data() + p * cube::kNeighbours, cube::kNeighbours, s->weights.data() + i * cube::kNeighbours);
      }
  s->input_depth = c_.depth;
  for (std::size_t p : outputs_) {
    const auto xyz = c_.coords(p);
    s->output_neurons.push_back(static_cast<std::uint32_t>((uz(xyz[2]) * uz(n) + uz(xyz[1])) * uz(n) + uz(xyz[0])));
    s->output.push_back(c_.s[p * B + e]);
  }
  s->face_readout = c_.ro.active();
  for (int k = 0; k < c_.ro.K; ++k) s->output.push_back(c_.ro.r[uz(k) * B + e]);
  const data::Dataset& d = stage_ == Stage::Eval ? data().test : data().train;
  const float* x = d.example(batch_idx_[e]);
  s->input.assign(x, x + d.dim);
  s->input_rows = d.rows;
  s->input_cols = d.cols;
  s->class_names = d.class_names;
  s->label = d.y[batch_idx_[e]];
  s->predicted = predicted(static_cast<int>(e));
  s->phase = nudged ? cube::CubePhase::Nudged : cube::CubePhase::Free;
  s->relax_step = phase_step_;
  s->lipschitz = lipschitz_;
  s->synapses = synapses_;
  s->synapse_budget = budget_;
  s->active_fraction = static_cast<double>(last_.updated) / static_cast<double>(std::max<std::uint64_t>(1, c_.free_neurons));
  s->flops_effective = flops_eff_;
  s->flops_dense = flops_dense_;
  if (step_mode_ == StepMode::Batch && settled_.valid && settled_.s.size() == N) {
    // The batch just done, as it settled: the live states are the next batch at rest.
    const SettledShowcase& k = settled_;
    s->settled = true;
    s->activation = k.s;
    std::fill(s->velocity.begin(), s->velocity.end(), 0.0f);
    s->nudge = k.nudge;
    s->output = k.out;
    const data::Dataset& kd = k.test ? data().test : data().train;
    const float* kx = kd.example(k.example);
    s->input.assign(kx, kx + kd.dim);
    s->label = kd.y[k.example];
    s->predicted = k.predicted;
    s->phase = k.nudged ? cube::CubePhase::Nudged : cube::CubePhase::Free;
    s->relax_step = k.settle_steps;
  }
  if (streaming_) {
    s->streaming = true;
    s->frame = frames_;
    s->frame_share = frame_share_;
    s->frame_mac_ratio = frame_macs_ > 0 ? frame_dense_macs_ / frame_macs_ : 0.0;
    s->relax_step = frame_steps_;
    s->work.assign(N, 0.0f);
    i = 0;
    for (int z = 0; z < n; ++z)
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x, ++i)
          if (c_.relaxes[c_.idx(x, y, z)] && c_.updated_at[c_.block(x / cube::kSegment, y, z)] >= frame_t0_) s->work[i] = 1.0f;
    if (frames_ > 0) stream_image(frames_ - 1, s->input);
    const data::Dataset& td = data().test;
    s->input_rows = td.rows;
    s->input_cols = td.cols;
    s->label = td.y[uz(stream_image_) % td.size()];
  }
  s->epoch = epoch_;
  s->batch = cursor_.batch();
  s->batches_per_epoch = cursor_.batches_per_epoch();
  s->train_accuracy = train_accuracy();
  s->test_accuracy = test_accuracy();
  return s;
}

void CubeSystem::dump(nlohmann::json& out) const {
  dump_header(out);
  std::vector<double> m(metric_names().size());
  metrics(m.data());
  for (std::size_t k = 0; k < m.size(); ++k) out["metrics"][metric_names()[k]] = m[k];
  static const char* stage_names[] = {"free", "nudged+", "nudged-", "eval"};
  out["stage"] = stage_names[static_cast<int>(stage_)];
  out["relax_step"] = relax_t_;
  out["phase_step"] = phase_step_;
  const int n = c_.n;
  std::vector<float> act, bias;
  std::vector<int> alive;
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        const std::size_t p = c_.idx(x, y, z);
        act.push_back(c_.s[p * uz(c_.B) + uz(c_.show)]);
        bias.push_back(c_.bias[p]);
        alive.push_back(c_.alive[p]);
      }
  out["activation"] = act;
  out["bias"] = bias;
  out["alive"] = alive;
  if (c_.ro.active()) {
    std::vector<float> units;
    for (int k = 0; k < c_.ro.K; ++k) units.push_back(c_.ro.r[uz(k) * uz(c_.B) + uz(c_.show)]);
    out["readout"] = {{"units", units}, {"bias", c_.ro.bias}, {"offsets", c_.ro.mu}, {"coupling", c_.ro.u}};
  }
  if (n <= 16) {  // 26 weights per neuron: beyond 16^3 the JSON would dwarf everything else
    std::vector<float> w;
    for (int z = 0; z < n; ++z)
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
          const float* wp = c_.w.data() + c_.idx(x, y, z) * cube::kNeighbours;
          w.insert(w.end(), wp, wp + cube::kNeighbours);
        }
    out["weights"] = w;
  }
}

std::uint64_t CubeSystem::state_hash() const {
  StateHash h;
  h.value(step_);
  h.value(relax_t_);
  h.value(static_cast<int>(stage_));
  h.span(std::span<const float>(c_.s));
  h.span(std::span<const float>(c_.w));
  h.span(std::span<const float>(c_.bias));
  h.span(std::span<const std::uint32_t>(c_.mask));
  h.span(std::span<const std::uint8_t>(c_.alive));
  h.span(std::span<const float>(c_.ro.u));
  h.span(std::span<const float>(c_.ro.bias));
  h.span(std::span<const float>(c_.ro.mu));
  h.span(std::span<const float>(c_.ro.r));
  h.value(flops_eff_);
  h.value(lipschitz_);
  return h.digest();
}

// Left out, as restart() rebuilds them from the parameters and they never change after it: the
// data set and its projection (proj_, direct_image_), outputs_, scale_in_, budget_, possible_.
// Scratch, written before it is read at every use: partial_, pu_, moved_, plane_scratch_, kept_.
template <class Self, class A>
void CubeSystem::state_io(Self& self, A& a) {
  learner_io(self, a);
  a(self.c_,
    // The phase states the update compares (and the view's nudge), and the batch they belong to.
    self.s_free_, self.s_plus_, self.r_free_, self.r_plus_, self.batch_idx_, self.batch_valid_,
    // Where the epoch machine is.
    self.stage_, self.relax_t_, self.phase_step_, self.settle_steps_, self.batches_total_,
    // The learned scalars beside the cube; pv_ is the power iteration's warm start.
    self.lipschitz_, self.scale_ff_, self.synapses_, self.pv_,
    // Ablation (what heal revives), faults and counters.
    self.killed_, self.killed_count_, self.scan_pending_, self.quarantined_, self.flips_, self.refused_updates_,
    self.last_, self.flops_eff_, self.flops_dense_, self.rng_,
    // The stream's position and its last frame's counts.
    self.streaming_, self.frames_, self.frame_t0_, self.frame_steps_, self.frame_macs_, self.frame_dense_macs_, self.frame_share_);
}

namespace {

// The length of every array a state_io lists, in order. The kernels index by the cube's shape,
// not by the arrays' sizes, so a checkpoint whose arrays are not the lengths the reset gave them
// (another version's) is refused before anything reads past an end.
struct Lengths {
  std::vector<std::size_t> n;
  template <class... T>
  void operator()(const T&... v) { (add(v), ...); }
  template <class T>
  void add(const T& v) {
    if constexpr (requires { T::state_io(v, *this); }) T::state_io(v, *this);
    else if constexpr (requires { v.size(); }) n.push_back(v.size());
  }
};

}  // namespace

void CubeSystem::write_state(StateWriter& out) const { state_io(*this, out); }

void CubeSystem::read_state(StateReader& in) {
  Lengths reset, read;
  state_io(*this, reset);
  state_io(*this, in);
  state_io(*this, read);
  if (read.n != reset.n)
    throw CheckpointError("the cube's arrays are not the lengths its parameters give: written by another version?");
  // What the cube derives from the fields just read: relaxes and the block counts (alive, mask),
  // and the batch-1 kernel's row copy of the weights.
  c_.recount();
  c_.weights_changed();
  settled_.valid = false;  // it showed the states before the read
}

}  // namespace obs
