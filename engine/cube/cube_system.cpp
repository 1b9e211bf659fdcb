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

namespace obs {
namespace {

constexpr int kMaxSide = 1024;  // the parameter's range; the memory budget refuses far earlier
constexpr float kInputWeightMax = 1.0f;
// How far the face readout's offsets move toward each training batch's mean free face state
// (the first batch sets them): slow enough that they are a mean over many batches.
constexpr float kReadoutOffsetRate = 0.05f;
// The most classes a data set has (Fashion-MNIST): the readout's share of the memory estimate.
constexpr std::uint64_t kMaxClasses = 10;

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace

CubeSystem::CubeSystem() {
  params_.add_int("n", 16, 4, kMaxSide).restart().help("side of the cube: n^3 neurons").group("Cube");
  params_.add_int("batch", 32, 1, 256).restart().help("examples relaxed together (multiples of 16 use the vector kernel)").group("Cube");
  params_.add_int("input_depth", 1, 1, kMaxSide).restart().help("the input is clamped on the slab z < input_depth").group("Cube");
  params_.add_choice("engine", "lazy", {"dense", "lazy"})
      .help("dense: every neuron every step; lazy: only row blocks near a neuron that moved by more than tol").group("Cube");
  params_.add_int("show", 0, 0, 255).help("the example of the batch the view shows").group("Cube");

  params_.add_choice("dataset", "moons", {"moons", "spirals", "patterns", "fashion-mnist"}).restart()
      .help("training data (fashion-mnist needs Debian's dataset-fashion-mnist)").group("Data");
  params_.add_int("train_size", 2000, 16, 60000).restart().help("training examples").group("Data");
  params_.add_int("test_size", 500, 0, 10000).restart().help("test examples, relaxed at the end of every epoch").group("Data");
  params_.add_real("data_noise", 0.1, 0, 1).restart().help("noise of the synthetic sets").group("Data");
  params_.add_choice("projection", "auto", {"auto", "random"}).restart()
      .help("auto: images that fit go pixel for pixel onto the input face, others through a fixed random projection; random: always the projection")
      .group("Data");
  params_.add_real("projection_gain", 3, 0, 100).restart().help("scale of the fixed random projection onto the input slab").group("Data");
  params_.add_real("projection_smoothing", 2, 0, 64).restart()
      .help("the random projection is smoothed over the face by this radius (neurons), so neighbouring slab neurons see similar features").group("Data");

  params_.add_int("free_steps", 60, 1, 100000).help("most relaxation steps of the free phase").group("Learning");
  params_.add_int("nudge_steps", 30, 1, 100000).help("most relaxation steps of a nudged phase").group("Learning");
  params_.add_real("tol", 1e-4, 0, 1).log_scale().help("a block has settled when no |ds| in it exceeds tol; a phase ends when all have").group("Learning");
  params_.add_real("beta", 0.5, 1e-3, 0.9).help("nudge strength (below 1 so the -beta phase stays convex)").group("Learning");
  params_.add_choice("beta_mode", "symmetric", {"positive", "random_sign", "symmetric"})
      .help("+beta; a random sign per batch; or the symmetric (+beta, -beta) estimate").group("Learning");
  params_.add_real("lr", 0.05, 0, 10).log_scale().help("learning rate (ternary: flip probability per unit |gradient| / scale)").group("Learning");
  params_.add_real("overrelax", 1.0, 0.1, 1.95)
      .help("over-relaxation factor omega of the Gauss-Seidel sweep: s <- clip(s + omega (s* - s)); every update still lowers the energy for omega < 2, and the fixed point is the same").group("Learning");
  params_.add_real("lipschitz_target", 0.95, 0.05, 0.999).help("||W||_2 of the recurrent operator is projected to at most this after every update").group("Learning");
  params_.add_choice("weights", "float", {"float", "ternary"}).restart()
      .help("float weights, or ternary {-1, 0, +1} x scale trained by stochastic flips").group("Learning");
  params_.add_real("weight_mean", 1.0, -1, 1).restart()
      .help("initial synapses between planes (dz != 0): this mean plus the spread; within a plane: the spread only. Scaled to the Lipschitz target")
      .group("Learning");
  params_.add_real("weight_spread", 0.2, 0, 10).restart().help("initial weights: half-width of the uniform spread").group("Learning");
  params_.add_real("input_weight", 0.5, 0, 1).restart().help("initial input-slab synapses uniform in [0, input_weight]").group("Learning");
  params_.add_choice("readout", "neuron", {"neuron", "face"})
      .restart()
      .help("read each class at one far-face neuron, or by a readout unit coupled to the whole far face (learned, centred; "
            "it needs a far face that carries the input: beta ~0.1, lipschitz_target >= 0.99, bias_init 0, see the README)")
      .group("Learning");
  params_.add_real("bias_init", -0.05, -1, 1).restart().help("initial bias of every neuron").group("Learning");

  params_.add_real("init_density", 1.0, 0, 1).restart().help("share of possible synapses live at the start").group("Plasticity");
  params_.add_real("synapse_budget", 1.0, 0, 1).restart().help("most live synapses, as a share of the possible ones").group("Plasticity");
  params_.add_bool("plasticity", false).help("grow synapses where the nudge is loud, prune where it is silent").group("Plasticity");
  params_.add_int("plasticity_every", 5, 1, 10000).help("batches between pruning/growth rounds").group("Plasticity");
  params_.add_real("grow_ratio", 3, 0, 1000).help("grow a synapse whose running |gradient| exceeds this multiple of the live mean").group("Plasticity");
  params_.add_real("prune_ratio", 0.1, 0, 1).help("prune a synapse whose running |gradient| is below this multiple of the live mean").group("Plasticity");

  params_.add_choice("ablate_shape", "random", {"random", "sphere"})
      .help("Ablate kills a random share of neurons, or the sphere holding that share of the cube's volume").group("Perturbation");
  params_.add_real("ablate_cx", 0.5, 0, 1).help("sphere centre x, as a share of the side").group("Perturbation");
  params_.add_real("ablate_cy", 0.5, 0, 1).help("sphere centre y, as a share of the side").group("Perturbation");
  params_.add_real("ablate_cz", 0.5, 0, 1).help("sphere centre z, as a share of the side").group("Perturbation");
  params_.add_bool("heal", false).help("killed neurons come back (state 0, their synapses as they were) at the next batch").group("Perturbation");

  for (const char* axis : {"x", "y", "z"})
    params_.add_int(std::string("probe_") + axis, -1, -1, kMaxSide - 1)
        .help("the probed neuron (the view sets it when a neuron is picked): its activation, velocity and nudge are the probe_* metrics, recorded every step; -1: none")
        .group("Probe");

  params_.add_choice("step_mode", "relaxation", {"relaxation", "batch"})
      .help("one step() = one relaxation step (watch it settle) or one whole batch (train fast)").group("Run");
}

std::uint64_t CubeSystem::bytes_needed() const {
  const auto n = static_cast<std::uint64_t>(params_.integer("n"));
  const auto B = static_cast<std::uint64_t>(params_.integer("batch"));
  const auto depth = static_cast<std::uint64_t>(std::min<std::int64_t>(params_.integer("input_depth"), params_.integer("n")));
  const std::uint64_t p = n + 2, cells = p * p * p;
  const bool fashion = params_.choice("dataset") == "fashion-mnist";
  const std::uint64_t dim = fashion ? 784 : 64;
  const std::uint64_t examples = static_cast<std::uint64_t>(params_.integer("train_size") + params_.integer("test_size"));
  std::uint64_t bytes = cube::Cube::bytes_for(n, B);
  bytes += 2 * cells * B * 4;                 // free and +beta copies of the states
  bytes += cube::readout_bytes(n, B, kMaxClasses) + 2 * kMaxClasses * B * 4;  // face readout and its copies
  bytes += 3 * cells * 4 + cells;             // power iteration, learning scratch, killed flags
  bytes += cells * (2 * 4 * cube::kNeighbours + 4 + 4) + kMaxClasses * (n * n + 1) * 4 + n * n * 4;  // the kept learned state
  bytes += depth * n * n * (dim + 1) * 4;     // random projection
  bytes += examples * (dim * 4 + 1);          // the data set
  bytes += n * n * n * (4 * 3 + 1 + 4) + (n <= 32 ? n * n * n * 26 * 4 : 0);  // one snapshot
  return bytes;
}

void CubeSystem::reset(std::uint64_t seed) {
  const int n = static_cast<int>(params_.integer("n"));
  const int depth = static_cast<int>(params_.integer("input_depth"));
  const int B = static_cast<int>(params_.integer("batch"));
  if (depth > n - 2) throw InputError("/params/input_depth", "expected at most n - 2 = " + std::to_string(n - 2) + " (the cube needs room to relax)");
  if (params_.integer("show") >= B) throw InputError("/params/show", "expected an example index below batch = " + std::to_string(B));
  if (params_.real("init_density") > params_.real("synapse_budget"))
    throw InputError("/params/init_density", "expected at most synapse_budget (the budget holds from the start)");
  for (const char* axis : {"x", "y", "z"}) {
    const std::string name = std::string("probe_") + axis;
    if (params_.integer(name) >= n) throw InputError("/params/" + name, "expected -1 (no probe) or a coordinate below n = " + std::to_string(n));
  }
  check_memory_budget();
  seed_ = seed;
  step_ = 0;
  rng_.reseed(seed);
  params_changed();

  build_data();
  c_.shape(n, B, depth);
  c_.show = static_cast<int>(params_.integer("show"));
  c_.target.assign(uz(data_.train.classes) * uz(B), 0.0f);
  s_free_.assign(c_.s.size(), 0.0f);
  s_plus_.assign(c_.s.size(), 0.0f);
  const int units = face_readout_ ? data_.train.classes : 0;
  if (face_readout_) {
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
  epoch_ = 0;
  batches_total_ = 0;
  flops_eff_ = flops_dense_ = 0;
  last_ = cube::RelaxStats{};
  last_train_acc_ = test_acc_ = 0;
  test_correct_ = test_seen_ = 0;
  quarantined_ = killed_count_ = flips_ = 0;
  scan_pending_ = false;
  settle_steps_ = 0;
  batches_per_epoch_ = data_.train.size() / uz(B);
  if (batches_per_epoch_ == 0)
    throw InputError("/params/train_size", "expected at least batch = " + std::to_string(B) + " training examples");
  eval_batches_ = (data_.test.size() + uz(B) - 1) / uz(B);
  begin_epoch();
}

void CubeSystem::params_changed() {
  lazy_ = params_.choice("engine") == "lazy";
  ternary_ = params_.choice("weights") == "ternary";
  plasticity_ = params_.flag("plasticity");
  heal_ = params_.flag("heal");
  batch_mode_ = params_.choice("step_mode") == "batch";
  tol_ = static_cast<float>(params_.real("tol"));
  beta_ = static_cast<float>(params_.real("beta"));
  lr_ = static_cast<float>(params_.real("lr"));
  target_L_ = static_cast<float>(params_.real("lipschitz_target"));
  c_.omega = static_cast<float>(params_.real("overrelax"));
  free_steps_ = static_cast<int>(params_.integer("free_steps"));
  nudge_steps_ = static_cast<int>(params_.integer("nudge_steps"));
  plasticity_every_ = static_cast<int>(params_.integer("plasticity_every"));
  for (std::size_t a = 0; a < 3; ++a) probe_[a] = static_cast<int>(params_.integer(std::string("probe_") + "xyz"[a]));
  beta_mode_ = params_.choice("beta_mode");
  face_readout_ = params_.choice("readout") == "face";
  if (!c_.s.empty()) c_.show = static_cast<int>(std::min<std::int64_t>(params_.integer("show"), c_.B - 1));
}

// ---- data, input slab and read-out ------------------------------------------------------

void CubeSystem::build_data() {
  const auto& name = params_.choice("dataset");
  const auto n_train = uz(params_.integer("train_size")), n_test = uz(params_.integer("test_size"));
  const double noise = params_.real("data_noise");
  if (name == "moons") data_ = data::make_moons(n_train, n_test, noise, seed_);
  else if (name == "spirals") data_ = data::make_spirals(n_train, n_test, 3, noise, seed_);
  else if (name == "patterns") data_ = data::make_patterns(n_train, n_test, noise, seed_);
  else data_ = data::load_fashion_mnist(data::kFashionMnistDir, n_train, n_test);

  const int n = static_cast<int>(params_.integer("n"));
  const int depth = static_cast<int>(params_.integer("input_depth"));
  const auto& d = data_.train;
  direct_image_ = params_.choice("projection") == "auto" && d.rows > 1 && d.rows <= n && d.cols <= n;
  image_x0_ = (n - d.cols) / 2;
  image_y0_ = (n - d.rows) / 2;
  proj_.clear();
  proj_bias_.clear();
  if (!direct_image_) {
    // A fixed random feature map x -> clip(0.5 + P x + q, 0, 1), one row per slab neuron.
    const std::size_t units = uz(depth) * uz(n) * uz(n), dim = uz(d.dim);
    const double gain = params_.real("projection_gain") / std::sqrt(static_cast<double>(dim));
    proj_.resize(units * dim);
    proj_bias_.resize(units);
    for (auto& v : proj_) v = static_cast<float>(rng_.normal());
    for (auto& v : proj_bias_) v = static_cast<float>(rng_.uniform(-0.5, 0.5));
    // Smooth each input dimension's map over the face (two passes of a box blur per axis,
    // per slab layer) and renormalise: a topographic projection. Only smooth patterns on
    // the face survive the trip through a contractive lattice to the far face; white-noise
    // features average out within a few planes.
    const int r = static_cast<int>(std::lround(params_.real("projection_smoothing")));
    if (r > 0) {
      std::vector<double> line(uz(n)), out(uz(n));
      auto blur = [&](std::size_t start, std::size_t stride) {
        for (int pass = 0; pass < 2; ++pass) {
          for (int i = 0; i < n; ++i) line[uz(i)] = proj_[start + uz(i) * stride];
          for (int i = 0; i < n; ++i) {
            double acc = 0;
            int cnt = 0;
            for (int j = std::max(0, i - r); j <= std::min(n - 1, i + r); ++j, ++cnt) acc += line[uz(j)];
            out[uz(i)] = acc / cnt;
          }
          for (int i = 0; i < n; ++i) proj_[start + uz(i) * stride] = static_cast<float>(out[uz(i)]);
        }
      };
      for (int z = 0; z < depth; ++z)
        for (std::size_t j = 0; j < dim; ++j) {
          const std::size_t plane = uz(z) * uz(n) * uz(n);
          for (int y = 0; y < n; ++y) blur((plane + uz(y) * uz(n)) * dim + j, dim);
          for (int x = 0; x < n; ++x) blur((plane + uz(x)) * dim + j, uz(n) * dim);
          double ss = 0;
          for (std::size_t k = plane; k < plane + uz(n) * uz(n); ++k) ss += static_cast<double>(proj_[k * dim + j]) * proj_[k * dim + j];
          const double f = ss > 0 ? std::sqrt(static_cast<double>(n) * n / ss) : 0.0;
          for (std::size_t k = plane; k < plane + uz(n) * uz(n); ++k) proj_[k * dim + j] = static_cast<float>(proj_[k * dim + j] * f);
        }
    }
    for (auto& v : proj_) v = static_cast<float>(v * gain);
  }
}

void CubeSystem::place_outputs() {
  outputs_.clear();
  if (face_readout_) return;  // the readout units read the classes
  // The classes sit on a grid centred on the far face, spread as far apart as the face allows.
  const int C = data_.train.classes, n = c_.n;
  const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(C))));
  const int rows = (C + cols - 1) / cols;
  outputs_.assign(uz(C), 0);
  for (int k = 0; k < C; ++k) {
    const int gx = k % cols, gy = k / cols;
    const int x = static_cast<int>((gx + 0.5) * n / cols), y = static_cast<int>((gy + 0.5) * n / rows);
    const std::size_t p = c_.idx(std::min(x, n - 1), std::min(y, n - 1), n - 1);
    outputs_[uz(k)] = p;
    c_.out_class[p] = static_cast<std::int16_t>(k);
  }
}

void CubeSystem::init_weights() {
  const double mean = params_.real("weight_mean"), spread = params_.real("weight_spread");
  const double in_w = params_.real("input_weight"), density = params_.real("init_density");
  possible_ = c_.possible_synapses();
  budget_ = static_cast<std::uint64_t>(std::floor(params_.real("synapse_budget") * static_cast<double>(possible_)));
  std::uint64_t live = 0;
  for (std::size_t p = 0; p < c_.cells; ++p) {
    c_.bias[p] = c_.alive[p] ? static_cast<float>(params_.real("bias_init")) : 0.0f;
    for (int d = 0; d < cube::kNeighbours / 2; ++d) {
      if (!(c_.possible[p] >> d & 1u)) continue;
      const double u = rng_.uniform(), v = rng_.uniform(-1, 1);
      if (u >= density || live >= budget_) continue;
      const std::size_t q = c_.nbr(p, d);
      const bool input = p < c_.idx(0, 0, c_.depth) || q < c_.idx(0, 0, c_.depth);
      const bool across = cube::neighbour_offset(d)[2] != 0;
      float wv = static_cast<float>(input ? in_w * 0.5 * (1 + v) : (across ? mean : 0.0) + spread * v);
      if (ternary_) wv = wv > 0 ? 1.0f : -1.0f;  // scaled below
      c_.set_synapse(p, d, wv);
      ++live;
    }
  }
  c_.recount();
  scale_ff_ = 1.0f;
  scale_in_ = static_cast<float>(ternary_ ? std::max(in_w, 1e-3) : 1.0);
  if (ternary_) {
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

void CubeSystem::begin_epoch() {
  order_.resize(data_.train.size());
  for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<std::uint32_t>(i);
  for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[uz(static_cast<std::int64_t>(rng_.below(i)))]);
  batch_ = 0;
  train_correct_ = train_seen_ = 0;
  load_batch(false);
}

void CubeSystem::load_batch(bool eval) {
  const data::Dataset& d = eval ? data_.test : data_.train;
  const auto B = uz(c_.B);
  const std::size_t first = uz(static_cast<std::int64_t>(eval ? eval_batch_ : batch_)) * B;
  batch_valid_ = eval ? std::min(B, d.size() - first) : B;
  for (std::size_t b = 0; b < B; ++b)
    batch_idx_[b] = eval ? static_cast<std::uint32_t>((first + b) % d.size()) : order_[first + b];

  std::fill(c_.s.begin(), c_.s.end(), 0.0f);
  std::fill(c_.ro.r.begin(), c_.ro.r.end(), 0.0f);
  std::fill(c_.ro.drive.begin(), c_.ro.drive.end(), 0.0f);
  std::fill(c_.target.begin(), c_.target.end(), 0.0f);
  const int n = c_.n;
  for (std::size_t b = 0; b < B; ++b) {
    const float* x = d.example(batch_idx_[b]);
    c_.target[uz(d.y[batch_idx_[b]]) * B + b] = 1.0f;
    for (int z = 0; z < c_.depth; ++z)
      for (int y = 0; y < n; ++y)
        for (int xx = 0; xx < n; ++xx) {
          float v = 0;
          if (direct_image_) {
            const int r = y - image_y0_, col = xx - image_x0_;
            if (r >= 0 && r < d.rows && col >= 0 && col < d.cols) v = x[r * d.cols + col];
          } else {
            const std::size_t k = (uz(z) * uz(n) + uz(y)) * uz(n) + uz(xx);
            const float* row = proj_.data() + k * uz(d.dim);
            float a = 0.5f + proj_bias_[k];
            for (int j = 0; j < d.dim; ++j) a += row[j] * x[j];
            v = std::clamp(a, 0.0f, 1.0f);
          }
          c_.s[c_.idx(xx, y, z) * B + b] = v;
        }
  }
  for (std::size_t p = 0; p < c_.cells; ++p)  // frozen neurons keep nothing across examples either
    if (c_.alive[p] == 2)
      for (std::size_t b = 0; b < B; ++b) c_.s[p * B + b] = 0.0f;
  c_.beta = 0;
  stage_ = eval ? Stage::Eval : Stage::Free;
  phase_step_ = 0;
  cube::mark_all(c_, relax_t_);
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

void CubeSystem::count_predictions(std::uint64_t& correct, std::uint64_t& seen, std::size_t valid) const {
  const data::Dataset& d = stage_ == Stage::Eval ? data_.test : data_.train;
  for (std::size_t b = 0; b < valid; ++b) {
    correct += predicted(static_cast<int>(b)) == d.y[batch_idx_[b]] ? 1 : 0;
    ++seen;
  }
}

double CubeSystem::train_accuracy() const {
  return train_seen_ ? static_cast<double>(train_correct_) / static_cast<double>(train_seen_) : last_train_acc_;
}

// ---- the stages -------------------------------------------------------------------------

void CubeSystem::step() {
  if (batch_mode_) {
    const std::uint64_t start = batches_total_;
    const Stage s0 = stage_;
    // One training batch (to its weight update), or one test batch. Every phase ends within its
    // step limit, so a batch takes at most a free and two nudged phases; the bound is the
    // backstop that keeps step() finite should a phase ever fail to end.
    const std::int64_t most = static_cast<std::int64_t>(free_steps_) + 2 * static_cast<std::int64_t>(nudge_steps_) + 3;
    for (std::int64_t k = 0;; ++k) {
      if (k == most) {
        emit(Event::Level::Error, "a batch did not finish within " + std::to_string(most) +
                                      " relaxation steps (free_steps + 2 nudge_steps): step ended early");
        break;
      }
      relax_once();
      if (s0 == Stage::Eval ? (stage_ != Stage::Eval || phase_step_ == 0) : batches_total_ != start) break;
    }
  } else {
    relax_once();
  }
  ++step_;
}

int CubeSystem::finish_phase() {
  const Stage s0 = stage_;
  const std::int64_t t0 = relax_t_;
  do relax_once();
  while (stage_ == s0 && phase_step_ != 0);
  return static_cast<int>(relax_t_ - t0);
}

void CubeSystem::relax_once() {
  if (scan_pending_) {
    // Something outside the kernel wrote states (a perturbation): look at every state before
    // any neighbour reads it.
    scan_pending_ = false;
    if (const std::uint64_t bad = cube::quarantine_nonfinite(c_)) {
      quarantined_ += bad;
      emit(Event::Level::Error, "non-finite state (NaN/Inf) in " + std::to_string(bad) +
                                    " neuron(s): reset to 0 before any neighbour read it");
      cube::mark_all(c_, relax_t_);
    }
  }
  cube::relax_step(c_, relax_t_, lazy_, tol_, partial_, last_);
  ++relax_t_;
  ++phase_step_;
  flops_eff_ += static_cast<double>(last_.macs);
  flops_dense_ += static_cast<double>(last_.dense_macs);
  if (last_.nonfinite) {
    const std::uint64_t bad = cube::quarantine_nonfinite(c_);
    quarantined_ += bad;
    emit(Event::Level::Error, "non-finite field met inside the relaxation; " + std::to_string(bad) +
                                  " neuron state(s) reset to 0");
    cube::mark_all(c_, relax_t_);
  }
  // The step limit holds after a quarantine too: a fault that recurs every step (a non-finite
  // bias) must not keep the phase, and a batch-mode step, relaxing forever.
  const int limit = stage_ == Stage::Free || stage_ == Stage::Eval ? free_steps_ : nudge_steps_;
  if ((!last_.nonfinite && last_.max_ds <= tol_) || phase_step_ >= limit) end_phase();
}

void CubeSystem::end_phase() {
  const auto B = uz(c_.B);
  switch (stage_) {
    case Stage::Free: {
      count_predictions(train_correct_, train_seen_, B);
      settle_steps_ = phase_step_;
      s_free_ = c_.s;  // same size: no allocation
      r_free_ = c_.ro.r;
      float beta = beta_;
      if (beta_mode_ == "random_sign" && rng_.uniform() < 0.5) beta = -beta;
      c_.beta = beta;
      stage_ = Stage::NudgePlus;
      phase_step_ = 0;
      cube::mark_outputs(c_, relax_t_);
      return;
    }
    case Stage::NudgePlus:
      if (beta_mode_ == "symmetric") {
        s_plus_ = c_.s;
        c_.s = s_free_;
        r_plus_ = c_.ro.r;
        c_.ro.r = r_free_;
        cube::refresh_drive(c_);
        c_.beta = -beta_;
        stage_ = Stage::NudgeMinus;
        phase_step_ = 0;
        cube::mark_outputs(c_, relax_t_);
        return;
      }
      learn();
      break;
    case Stage::NudgeMinus:
      learn();
      break;
    case Stage::Eval: {
      count_predictions(test_correct_, test_seen_, batch_valid_);
      if (++eval_batch_ < eval_batches_) {
        load_batch(true);
        return;
      }
      test_acc_ = test_seen_ ? static_cast<double>(test_correct_) / static_cast<double>(test_seen_) : 0.0;
      emit(Event::Level::Info, "epoch " + std::to_string(epoch_ + 1) + ": train accuracy " + std::to_string(last_train_acc_) +
                                   ", test accuracy " + std::to_string(test_acc_));
      ++epoch_;
      begin_epoch();
      return;
    }
  }
  // After a weight update: the next training batch, or the test set at the end of an epoch.
  ++batches_total_;
  if (heal_) revive_killed();
  if (++batch_ < batches_per_epoch_) {
    load_batch(false);
    return;
  }
  last_train_acc_ = train_accuracy();
  train_correct_ = train_seen_ = 0;
  if (eval_batches_ > 0) {
    eval_batch_ = 0;
    test_correct_ = test_seen_ = 0;
    load_batch(true);
  } else {
    ++epoch_;
    begin_epoch();
  }
}

bool CubeSystem::learned_state_finite() const {
  auto finite = [](const auto& v) {
    for (float x : v)
      if (!std::isfinite(x)) return false;
    return true;
  };
  return std::isfinite(lipschitz_) && finite(c_.w) && finite(c_.bias) && finite(c_.loud) && finite(c_.ro.u) &&
         finite(c_.ro.bias) && finite(c_.ro.mu);
}

void CubeSystem::learn() {
  // Kept before the update: copies into storage sized at reset, so nothing allocates.
  std::copy(c_.w.begin(), c_.w.end(), kept_.w.begin());
  std::copy(c_.loud.begin(), c_.loud.end(), kept_.loud.begin());
  std::copy(c_.bias.begin(), c_.bias.end(), kept_.bias.begin());
  std::copy(c_.mask.begin(), c_.mask.end(), kept_.mask.begin());
  std::copy(c_.ro.u.begin(), c_.ro.u.end(), kept_.ro_u.begin());
  std::copy(c_.ro.bias.begin(), c_.ro.bias.end(), kept_.ro_bias.begin());
  std::copy(c_.ro.mu.begin(), c_.ro.mu.end(), kept_.ro_mu.begin());
  kept_.scale_ff = scale_ff_;
  kept_.lipschitz = lipschitz_;
  kept_.synapses = synapses_;
  const std::uint64_t flips_before = flips_;
  update_weights();
  if (learned_state_finite()) return;
  // A non-finite update (an overflow: the face readout's linear units are unbounded, and a large
  // lr makes their biases diverge) is refused whole: a NaN weight would reach every state of the
  // next relaxation, which could then never settle.
  std::copy(kept_.w.begin(), kept_.w.end(), c_.w.begin());
  std::copy(kept_.loud.begin(), kept_.loud.end(), c_.loud.begin());
  std::copy(kept_.bias.begin(), kept_.bias.end(), c_.bias.begin());
  std::copy(kept_.mask.begin(), kept_.mask.end(), c_.mask.begin());
  std::copy(kept_.ro_u.begin(), kept_.ro_u.end(), c_.ro.u.begin());
  std::copy(kept_.ro_bias.begin(), kept_.ro_bias.end(), c_.ro.bias.begin());
  std::copy(kept_.ro_mu.begin(), kept_.ro_mu.end(), c_.ro.mu.begin());
  std::fill(c_.grad.begin(), c_.grad.end(), 0.0f);  // no estimate survives from a refused update
  scale_ff_ = kept_.scale_ff;
  lipschitz_ = kept_.lipschitz;
  synapses_ = kept_.synapses;
  flips_ = flips_before;
  c_.recount();
  c_.weights_changed();
  ++refused_updates_;
  emit(Event::Level::Error, "weight update of batch " + std::to_string(batches_total_ + 1) +
                                " turned non-finite (NaN/Inf; lower lr): refused, the previous weights kept (" +
                                std::to_string(refused_updates_) + " refused so far)");
}

void CubeSystem::update_weights() {
  cube::LearnConfig cfg;
  cfg.lr = lr_;
  const bool symmetric = stage_ == Stage::NudgeMinus;
  // Symmetric: a = +beta states, c = -beta states, k = 1/(2 beta). Otherwise a = nudged,
  // c = free, k = 1/beta (beta carries its sign).
  cfg.k = symmetric ? 1.0f / (2.0f * beta_) : 1.0f / c_.beta;
  cfg.w_in_max = kInputWeightMax;
  cfg.ternary = ternary_;
  cfg.scale_ff = scale_ff_;
  cfg.scale_in = scale_in_;
  cfg.plasticity = plasticity_;
  cfg.restructure = plasticity_ && (batches_total_ + 1) % static_cast<std::uint64_t>(plasticity_every_) == 0;
  cfg.grow_ratio = static_cast<float>(params_.real("grow_ratio"));
  cfg.prune_ratio = static_cast<float>(params_.real("prune_ratio"));
  cfg.budget = budget_;
  cfg.key = seed_ * 0x2545f4914f6cdd1dULL + batches_total_;
  cfg.moved = moved_.data();
  cfg.plane_scratch = plane_scratch_.data();
  cube::LearnStats st;
  const bool changed = cube::eqprop_update(c_, symmetric ? s_plus_.data() : c_.s.data(),
                                           symmetric ? c_.s.data() : s_free_.data(), cfg, st);
  flips_ += st.flips;
  if (c_.ro.active()) {
    // Offsets first (they change the coordinates, not the model), then the units' step in them.
    cube::move_readout_offsets(c_, s_free_.data(), batches_total_ == 0 ? 1.0f : kReadoutOffsetRate);
    cube::readout_update(c_, symmetric ? s_plus_.data() : c_.s.data(), symmetric ? r_plus_.data() : c_.ro.r.data(),
                         symmetric ? c_.s.data() : s_free_.data(), symmetric ? c_.ro.r.data() : r_free_.data(), cfg.lr, cfg.k);
  }
  if (changed) {
    c_.recount();
    synapses_ = c_.live_synapses();
  }
  project(8);
}

void CubeSystem::project(int iterations) {
  const double L = cube::lipschitz_estimate(c_, pv_, pu_, iterations);
  lipschitz_ = L;
  if (L > target_L_) {
    const float f = static_cast<float>(target_L_ / L);
    cube::scale_recurrent(c_, f);
    scale_ff_ *= f;
    lipschitz_ = L * f;
  }
  c_.weights_changed();  // the batch-1 kernel's weight copy (every weight writer ends here)
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
      if (params_.choice("ablate_shape") == "sphere") {
        // The sphere whose volume is the fraction f of the cube.
        const double n = c_.n, r = std::cbrt(3.0 * f * n * n * n / (4.0 * std::numbers::pi));
        const double cx = params_.real("ablate_cx") * (n - 1), cy = params_.real("ablate_cy") * (n - 1),
                     cz = params_.real("ablate_cz") * (n - 1);
        for (std::size_t p : relaxing) {
          const auto xyz = c_.coords(p);
          const double dx = xyz[0] - cx, dy = xyz[1] - cy, dz = xyz[2] - cz;
          if (dx * dx + dy * dy + dz * dz <= r * r) {
            kill(p, freeze);
            ++hit;
          }
        }
      } else {
        const std::size_t k = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(f * static_cast<double>(relaxing.size()))));
        for (std::size_t j = 0; j < k && j < relaxing.size(); ++j) {  // k distinct: partial Fisher-Yates
          const std::size_t last = relaxing.size() - 1 - j;
          std::swap(relaxing[uz(static_cast<std::int64_t>(rng_.below(last + 1)))], relaxing[last]);
          kill(relaxing[last], freeze);
          ++hit;
        }
      }
      if (!freeze) killed_count_ += hit;
      c_.recount();
      emit(Event::Level::Info, std::string(freeze ? "froze " : "killed ") + std::to_string(hit) + " neuron(s)" +
                                   (heal_ ? " (heal is on: back at the next batch)" : ""));
      break;
    }
    case PerturbKind::InjectNaN:
    case PerturbKind::InjectInf: {
      const std::size_t k = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(f * static_cast<double>(relaxing.size()))));
      const float bad = pt.kind == PerturbKind::InjectNaN ? NAN : INFINITY;
      for (std::size_t j = 0; j < k && j < relaxing.size(); ++j) {
        const std::size_t last = relaxing.size() - 1 - j;
        std::swap(relaxing[uz(static_cast<std::int64_t>(rng_.below(last + 1)))], relaxing[last]);
        for (std::size_t b = 0; b < B; ++b) c_.s[relaxing[last] * B + b] = bad;
      }
      emit(Event::Level::Info, "injected " + std::string(pt.kind == PerturbKind::InjectNaN ? "NaN" : "Inf") +
                                   " into the states of " + std::to_string(std::min(k, relaxing.size())) + " neuron(s)");
      scan_pending_ = true;  // found, like a real fault, by the next step's scan
      break;
    }
  }
  // The settled picture no longer holds anywhere: every block relaxes again.
  cube::mark_all(c_, relax_t_);
}

// ---- metrics, snapshot, dump ------------------------------------------------------------

const std::vector<std::string>& CubeSystem::metric_names() const {
  static const std::vector<std::string> names = {
      "energy",         "mean_abs_ds",    "max_abs_ds",    "active_fraction", "flops_effective", "flops_dense",
      "flops_ratio",    "synapses",       "lipschitz",     "train_accuracy",  "test_accuracy",   "epoch",
      "epoch_progress", "phase",          "settle_steps",  "alive_fraction",  "weight_sparsity", "quarantined",
      "probe_activation", "probe_velocity", "probe_nudge"};
  return names;
}

void CubeSystem::metrics(double* out) const {
  const double updated = static_cast<double>(last_.updated);
  const double free_n = static_cast<double>(std::max<std::uint64_t>(1, c_.free_neurons));
  std::uint64_t in_cube = 0, alive = 0;
  for (int z = c_.depth; z < c_.n; ++z)
    for (int y = 0; y < c_.n; ++y)
      for (int x = 0; x < c_.n; ++x) {
        ++in_cube;
        alive += c_.alive[c_.idx(x, y, z)] ? 1 : 0;
      }
  out[0] = energy();
  out[1] = updated > 0 ? last_.sum_ds / (updated * c_.B) : 0.0;
  out[2] = last_.max_ds;
  out[3] = updated / free_n;
  out[4] = flops_eff_;
  out[5] = flops_dense_;
  out[6] = flops_eff_ > 0 ? flops_dense_ / flops_eff_ : 1.0;
  out[7] = static_cast<double>(synapses_);
  out[8] = lipschitz_;
  out[9] = train_accuracy();
  out[10] = test_acc_;
  out[11] = epoch_;
  out[12] = stage_ == Stage::Eval ? 1.0 : static_cast<double>(batch_) / static_cast<double>(std::max<std::uint64_t>(1, batches_per_epoch_));
  out[13] = static_cast<double>(static_cast<int>(stage_));
  out[14] = settle_steps_;
  out[15] = in_cube ? static_cast<double>(alive) / static_cast<double>(in_cube) : 0.0;
  out[16] = possible_ ? 1.0 - static_cast<double>(synapses_) / static_cast<double>(possible_) : 0.0;
  out[17] = static_cast<double>(quarantined_);
  const auto channels = probe_channels();
  for (std::size_t k = 0; k < 3; ++k) out[18 + k] = channels[k];
}

std::array<double, 3> CubeSystem::probe_channels() const {
  for (int v : probe_)
    if (v < 0 || v >= c_.n) return {NAN, NAN, NAN};  // no probe: not measured
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
  const data::Dataset& d = stage_ == Stage::Eval ? data_.test : data_.train;
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
  s->epoch = epoch_;
  s->batch = batch_;
  s->batches_per_epoch = batches_per_epoch_;
  s->train_accuracy = train_accuracy();
  s->test_accuracy = test_acc_;
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

}  // namespace obs
