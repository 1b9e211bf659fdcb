// The cube's epoch machine: one step is a relaxation step (or a whole batch) of the stages
// free -> nudged (+beta, then -beta) -> learn, over a shuffled epoch, then an evaluation pass.
#include "cube/cube_system.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "cube/cube_learning.hpp"
#include "cube/cube_readout.hpp"

namespace obs {
namespace {

constexpr float kInputWeightMax = 1.0f;
// How far the face readout's offsets move toward each training batch's mean free face state
// (the first batch sets them): slow enough that they are a mean over many batches.
constexpr float kReadoutOffsetRate = 0.05f;

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace

void CubeSystem::begin_epoch() {
  start_epoch(rng_);
  load_batch(false);
}

void CubeSystem::step() {
  if (step_mode_ == StepMode::Stream) {
    stream_step();
    ++step_;
    return;
  }
  if (streaming_) leave_stream();
  if (step_mode_ == StepMode::Batch) {
    const std::uint64_t start = batches_total_;
    const Stage s0 = stage_;
    // One training batch (to its weight update), or one test batch. Every phase ends within its
    // step limit, so a batch takes at most a free and two nudged phases; the bound is the
    // backstop that keeps step() finite should a phase ever fail to end.
    const std::int64_t most = static_cast<std::int64_t>(free_steps_) + 2 * static_cast<std::int64_t>(nudged_steps_) + 3;
    for (std::int64_t k = 0;; ++k) {
      if (k == most) {
        emit(Event::Level::Error, "a batch did not finish within " + std::to_string(most) +
                                      " relaxation steps (free_steps + 2 nudged_steps): step ended early");
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

void CubeSystem::keep_settled(bool nudge) {
  if (step_mode_ != StepMode::Batch) return;  // relaxation steps show the live states
  const int n = c_.n;
  const auto N = uz(n) * uz(n) * uz(n), B = uz(c_.B), e = uz(c_.show);
  SettledShowcase& k = settled_;
  if (nudge) {
    if (!k.valid) return;
    k.nudge.resize(N);
    std::size_t i = 0;
    for (int z = 0; z < n; ++z)
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x, ++i) {
          const std::size_t p = c_.idx(x, y, z);
          k.nudge[i] = c_.s[p * B + e] - s_free_[p * B + e];
        }
    k.nudged = true;
    return;
  }
  k.s.resize(N);
  std::size_t i = 0;
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x, ++i) k.s[i] = c_.s[c_.idx(x, y, z) * B + e];
  k.out.clear();
  for (std::size_t p : outputs_) k.out.push_back(c_.s[p * B + e]);
  for (int u = 0; u < c_.ro.K; ++u) k.out.push_back(c_.ro.r[uz(u) * B + e]);
  k.nudge.assign(N, 0.0f);
  k.example = batch_idx_[e];
  k.test = stage_ == Stage::Eval;
  k.predicted = predicted(static_cast<int>(e));
  k.settle_steps = phase_step_;
  k.nudged = false;
  k.valid = true;
}

int CubeSystem::finish_phase() {
  const Stage s0 = stage_;
  const std::int64_t t0 = relax_t_;
  do relax_once();
  while (stage_ == s0 && phase_step_ != 0);
  return static_cast<int>(relax_t_ - t0);
}

void CubeSystem::relax_once() {
  const bool settled = relax_sweep();
  // The step limit holds after a quarantine too: a fault that recurs every step (a non-finite
  // bias) must not keep the phase, and a batch-mode step, relaxing forever.
  const int limit = stage_ == Stage::Free || stage_ == Stage::Eval ? free_steps_ : nudged_steps_;
  if (settled || phase_step_ >= limit) end_phase();
}

bool CubeSystem::relax_sweep() {
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
  cube::relax_step(c_, relax_t_, engine_ == Engine::Lazy, tol_, partial_, last_);
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
  return !last_.nonfinite && last_.max_ds <= tol_;
}

void CubeSystem::end_phase() {
  const auto B = uz(c_.B);
  switch (stage_) {
    case Stage::Free: {
      count_predictions(train_, B);
      keep_settled(false);
      settle_steps_ = phase_step_;
      s_free_ = c_.s;  // same size: no allocation
      r_free_ = c_.ro.r;
      float beta = beta_;
      if (beta_mode_ == learn::BetaMode::RandomSign && rng_.uniform() < 0.5) beta = -beta;
      c_.beta = beta;
      stage_ = Stage::NudgePlus;
      phase_step_ = 0;
      cube::mark_outputs(c_, relax_t_);
      return;
    }
    case Stage::NudgePlus:
      keep_settled(true);
      if (beta_mode_ == learn::BetaMode::Symmetric) {
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
      count_predictions(test_, batch_valid_);
      keep_settled(false);
      if (!cursor_.advance_eval(batch_valid_)) {
        load_batch(true);
        return;
      }
      end_epoch();
      begin_epoch();
      return;
    }
  }
  // After a weight update: the next training batch, or the test set at the end of an epoch.
  ++batches_total_;
  if (heal_) revive_killed();
  if (!cursor_.next_batch()) {
    load_batch(false);
    return;
  }
  train_.close();  // the test pass shows the finished epoch's training score
  cursor_.start_eval();
  if (cursor_.eval_done()) {  // no test set
    end_epoch();
    begin_epoch();
  } else {
    load_batch(true);
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
  cfg.ternary = weights_ == Weights::Ternary;
  cfg.scale_ff = scale_ff_;
  cfg.scale_in = scale_in_;
  cfg.plasticity = plasticity_;
  cfg.restructure = plasticity_ && (batches_total_ + 1) % static_cast<std::uint64_t>(plasticity_every_) == 0;
  cfg.grow_ratio = grow_ratio_;
  cfg.prune_ratio = prune_ratio_;
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

}  // namespace obs
