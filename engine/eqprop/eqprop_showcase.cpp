// What eqprop records for the view besides training: the showcased test example's relaxation,
// frame by frame, and (2-D data) the decision map over the plane with training points on it.
#include "eqprop/eqprop_system.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace obs {
namespace {

using eqprop::Mat;

constexpr double kMapLo = -1.5, kMapHi = 1.5;  // the decision map covers [-1.5, 1.5]^2
constexpr std::size_t kMaxPoints = 600;         // training points shown over the map

}  // namespace

// 2-D data: the decision-map grid and a fixed sample of training points to draw over it.
void EqPropSystem::prepare_decision_map() {
  map_res_ = 0;
  map_.reset();
  decision_map_.clear();
  points_.clear();
  point_labels_.clear();
  if (data().train.dim == 2) {
    map_res_ = kMapRes;
    decision_map_.assign(static_cast<std::size_t>(kMapRes * kMapRes), 0);
    map_ = std::make_shared<MapWorkspace>();
    map_->relax.resize(net_, kMapRes * kMapRes);
    map_->ff.resize(net_, kMapRes * kMapRes);
    map_->x = Mat::Zero(2, kMapRes * kMapRes);
    for (int r = 0; r < kMapRes; ++r)
      for (int c = 0; c < kMapRes; ++c) {  // row 0 at the top (largest y), as an image
        map_->x(0, r * kMapRes + c) = static_cast<float>(kMapLo + (kMapHi - kMapLo) * (c + 0.5) / kMapRes);
        map_->x(1, r * kMapRes + c) = static_cast<float>(kMapHi - (kMapHi - kMapLo) * (r + 0.5) / kMapRes);
      }
    const std::size_t n = std::min(kMaxPoints, data().train.size());
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t k = i * data().train.size() / n;
      points_.push_back(data().train.example(k)[0]);
      points_.push_back(data().train.example(k)[1]);
      point_labels_.push_back(data().train.y[k]);
    }
  }
}

void EqPropSystem::run_showcase() {
  show_force_ = false;
  const int L = net_.free_layers();
  const auto idx = showcase_ % data().test.size();
  const float* e = data().test.example(idx);
  std::copy(e, e + data().test.dim, show_x_.data());
  show_y_.setZero();
  show_y_(data().test.y[idx], 0) = 1.0f;
  auto record = [&](int f, const std::vector<Mat>& s, eqprop::RelaxPhase ph) {
    traj_[f].phase = ph;
    for (int l = 1; l <= L; ++l) std::copy(s[l].data(), s[l].data() + s[l].size(), traj_[f].s[l - 1].data());
  };
  if (algorithm_ == Algorithm::Backprop) {
    ff_show_.forward(net_, show_x_);
    record(0, ff_show_.activations(), eqprop::RelaxPhase::Free);
    traj_len_ = show_free_ = 1;
    show_settled_ = true;
    const Mat& o = ff_show_.output();
    out_free_.assign(o.data(), o.data() + o.size());
    out_nudged_ = out_free_;
    show_pred_ = argmax_col(o, 0);
    return;
  }
  show_relax_.set_input(net_, show_x_);
  show_relax_.set_target(show_y_);
  // After a noise kick the relaxation starts from the kicked state, so the view shows the
  // contraction damping it; otherwise from rest, like every training relaxation.
  if (!std::exchange(show_noisy_start_, false)) show_relax_.zero_state();
  // A kick set to land mid-relaxation (kick_at): noise into the hidden state and/or the units an
  // ablation killed going dead, after kick_at free sweeps made with every unit as it was before.
  // The free phase runs on at least until it lands, so the view shows the settled state, the hit
  // and the relaxation back.
  const bool kick = std::exchange(show_kick_pending_, false), ablate = std::exchange(show_ablate_pending_, false);
  std::vector<eqprop::Vec> masks_after;
  if (ablate) masks_after = std::exchange(net_.mask, std::move(show_mask_before_));
  bool landed = !(kick || ablate);
  int f = 0;
  show_settled_ = false;
  while (f < free_steps_) {
    if (!landed && f == kick_at_) {
      if (ablate) net_.mask = masks_after;
      for (int l = 1; kick && l < L; ++l) show_relax_.s(l) += show_kick_[l].cwiseProduct(net_.mask[l - 1].replicate(1, show_relax_.s(l).cols()));
      landed = true;
    }
    const float d = show_relax_.sweep(net_, 0.0f);
    record(f++, show_relax_.states(), eqprop::RelaxPhase::Free);
    if (!(d >= tol_) && landed) {
      show_settled_ = std::isfinite(d);
      break;
    }
  }
  if (ablate && !landed) net_.mask = masks_after;  // free_steps ended first: the ablation holds all the same
  show_kick_.clear();
  show_mask_before_.clear();
  show_free_ = f;
  const Mat& o = show_relax_.s(L);
  out_free_.assign(o.data(), o.data() + o.size());
  show_pred_ = argmax_col(o, 0);
  const float b = std::fabs(beta_);
  if (nudge_schedule_ == NudgeSchedule::Oscillating) {
    // Single-phase learning relaxes once, from rest, under the oscillation; the view shows the
    // free fixed point first (the reference of its Blue channel) and then two periods of the
    // orbit from there, every sweep (nothing settles).
    const double omega = 2.0 * std::numbers::pi / osc_period_;
    for (int k = 0; k < 2 * osc_period_; ++k) {
      const float w = static_cast<float>(std::sin(omega * k));
      show_relax_.sweep(net_, b * w);
      record(f++, show_relax_.states(), w < 0 ? eqprop::RelaxPhase::NudgedMinus : eqprop::RelaxPhase::NudgedPlus);
    }
  } else {
    for (int k = 0; k < nudged_steps_; ++k) {
      const float d = show_relax_.sweep(net_, b);
      record(f++, show_relax_.states(), eqprop::RelaxPhase::NudgedPlus);
      if (!(d >= tol_)) break;
    }
  }
  traj_len_ = f;
  out_nudged_.assign(o.data(), o.data() + o.size());
  if (!show_relax_.all_finite()) {
    emit(Event::Level::Error, "non-finite state in the showcase relaxation: restarted from rest");
    show_relax_.zero_state();
  }
}

void EqPropSystem::run_decision_map() {
  const std::lock_guard lock(map_->mu);  // shared with this system's clones
  const Mat& out = answer(map_->relax, map_->ff, map_->x);
  for (int c = 0; c < kMapRes * kMapRes; ++c) decision_map_[c] = static_cast<std::uint8_t>(argmax_col(out, c));
}

}  // namespace obs
