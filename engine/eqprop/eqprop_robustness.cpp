// Robustness, the roadmap's self-healing claim measured (issue 16): after a test pass the first
// robust_count test examples are scored again with the hidden state perturbed mid-inference, by
// EqProp and by backprop of the same layers, at fixed noise levels and ablated shares.
//
// EqProp: the free phase runs robust_at sweeps, then the perturbation hits and the relaxation
// goes on to tol (free_steps at most). Noise: every alive hidden unit's state gets std * N(0, 1).
// Ablation: a share of the hidden units is silenced (held at 0 from then on, as the `ablate`
// perturbation does). Backprop: the same noise added to every hidden activation before the next
// layer reads it, the same units silenced. The units and the noise come from streams of the seed
// (the same at every pass, untouched by training's draws), so passes compare.
//
// What to expect, and why: the free phase is a contraction with one fixed point, so a kick to the
// state is forgotten (it only costs sweeps), while a feed-forward net carries noise to its output;
// an ablated unit changes the fixed point itself, for both.
//
// Healing by learning (heal_*): the other half of the roadmap's self-healing. Two copies of the
// whole system learn on for heal_batches batches, the same batches for both: one with the units of
// acc_ablate_15 dead (held at 0 and out of the updates, as the `ablate` perturbation leaves them),
// the control with none. The share of the lost loss regained is (hurt - healed) / (hurt - clean),
// losses being the cost 1/2 ||out - y||^2 on the robust_count test examples. The control says how
// much of that any 100 more batches would have given. The run itself is untouched (copies).
#include "eqprop/eqprop_system.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "core/pick_distinct.hpp"

namespace obs {

using eqprop::Mat;

void EqPropSystem::measure_robustness() {
  for (std::size_t k = 0; k < robust_accuracy_.size(); ++k) {
    const bool noise = k < kNoiseLevels.size();
    robust_accuracy_[k] = !robustness_ ? std::numeric_limits<double>::quiet_NaN()
                                       : perturbed_accuracy(!noise, noise ? kNoiseLevels[k] : kAblateShares[k - kNoiseLevels.size()]);
  }
  measure_healing();
}

Rng EqPropSystem::robustness_stream(bool ablate, double level) const {
  return Rng(seed_ ^ 0x5e1f'4ea1'0000'0001ULL ^ static_cast<std::uint64_t>(std::lround(level * 1e6)) ^ (ablate ? 0xab1a7eULL : 0));
}

std::vector<std::pair<int, int>> EqPropSystem::alive_hidden_units() const {
  std::vector<std::pair<int, int>> alive;
  for (int l = 1; l < net_.free_layers(); ++l)
    for (int i = 0; i < net_.sizes[l]; ++i)
      if (net_.mask[l - 1][i] != 0.0f) alive.emplace_back(l, i);
  return alive;
}

void EqPropSystem::kill_unit(int l, int i) {
  net_.mask[l - 1][i] = 0.0f;
  // Momentum must not keep moving a dead unit's weights.
  velocity_.dW[l - 1].row(i).setZero();
  velocity_.db[l - 1][i] = 0.0f;
  velocity_.dW[l].col(i).setZero();
  show_relax_.s(l).row(i).setZero();
}

double EqPropSystem::perturbed_accuracy(bool ablate, double level) {
  const int L = net_.free_layers();
  Rng rng = robustness_stream(ablate, level);
  // Silence the chosen hidden units in the net's own masks, restored at the end.
  const std::vector<eqprop::Vec> masks = net_.mask;
  std::vector<std::pair<int, int>> silenced;
  if (ablate) {
    auto alive = alive_hidden_units();
    pick_distinct(alive, units_hit(level, alive.size()), rng, [&](const std::pair<int, int>& u) { silenced.push_back(u); });
  }
  const auto silence = [&] {
    for (const auto& [l, i] : silenced) {
      net_.mask[l - 1][i] = 0.0f;
      if (algorithm_ != Algorithm::Backprop) relax_.s(l).row(i).setZero();
    }
  };

  const auto& test = data().test;
  const std::size_t n = std::min(static_cast<std::size_t>(robust_count_), test.size()), B = static_cast<std::size_t>(batch_);
  const int dim = test.dim;
  std::uint64_t hits = 0;
  for (std::size_t first = 0; first < n; first += B) {
    const std::size_t count = std::min(B, n - first);
    for (std::size_t c = 0; c < B; ++c) {
      float* col = xb_.col(static_cast<Eigen::Index>(c)).data();
      if (c < count) std::copy(test.example(first + c), test.example(first + c) + dim, col);
      else std::fill(col, col + dim, 0.0f);
    }
    const Mat* out = nullptr;
    if (algorithm_ == Algorithm::Backprop) {
      if (ablate) silence();
      ff_.forward(net_, xb_, ablate ? 0.0f : static_cast<float>(level), &rng);
      if (ablate) net_.mask = masks;
      out = &ff_.output();
    } else {
      relax_.set_input(net_, xb_);
      relax_.zero_state();
      relax_.relax(net_, 0.0f, robust_at_, 0.0f);  // tol 0: exactly robust_at sweeps
      if (ablate) {
        silence();
      } else {
        for (int l = 1; l < L; ++l) {
          Mat& s = relax_.s(l);
          for (Eigen::Index c = 0; c < s.cols(); ++c)
            for (Eigen::Index i = 0; i < s.rows(); ++i) s(i, c) += static_cast<float>(level * rng.normal()) * net_.mask[l - 1][i];
        }
      }
      relax_.relax(net_, 0.0f, free_steps_, tol_);
      if (ablate) net_.mask = masks;
      out = &relax_.s(L);
    }
    for (std::size_t c = 0; c < count; ++c) hits += argmax_col(*out, static_cast<int>(c)) == test.y[first + c];
  }
  return n ? static_cast<double>(hits) / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

EqPropSystem::HeldOutScore EqPropSystem::held_out_score() {
  const auto& test = data().test;
  const std::size_t n = std::min(static_cast<std::size_t>(robust_count_), test.size()), B = static_cast<std::size_t>(batch_);
  std::vector<std::uint32_t> idx(B);
  std::uint64_t hits = 0;
  double loss = 0;
  for (std::size_t first = 0; first < n; first += B) {
    const std::size_t count = std::min(B, n - first);
    for (std::size_t c = 0; c < count; ++c) idx[c] = static_cast<std::uint32_t>(first + c);
    fill_batch(test, idx.data(), static_cast<int>(count), xb_, yb_, labels_.data());
    const Mat& out = answer(relax_, ff_, xb_);
    for (std::size_t c = 0; c < count; ++c) {
      const auto col = static_cast<Eigen::Index>(c);
      hits += argmax_col(out, static_cast<int>(c)) == labels_[c];
      loss += 0.5 * (out.col(col) - yb_.col(col)).squaredNorm();
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return n ? HeldOutScore{static_cast<double>(hits) / static_cast<double>(n), loss / static_cast<double>(n)} : HeldOutScore{nan, nan};
}

void EqPropSystem::measure_healing() {
  healing_ = {};
  if (!robustness_) return;
  const auto copy = [this] {
    auto s = std::unique_ptr<EqPropSystem>(static_cast<EqPropSystem*>(clone_of(*this).release()));
    s->align_every_ = 0;     // no alignment measurements inside the experiment
    s->pending_fault_ = 0;   // a pending fault is the run's, not the copies'
    return s;
  };
  const auto hurt = copy(), control = copy();
  Rng units = robustness_stream(true, kHealShare);  // the units of acc_ablate_15
  auto alive = alive_hidden_units();
  pick_distinct(alive, units_hit(kHealShare, alive.size()), units, [&](const std::pair<int, int>& u) { hurt->kill_unit(u.first, u.second); });

  const HeldOutScore clean = held_out_score(), ablated = hurt->held_out_score();
  // Batches drawn from a stream of the seed's own, the same for both copies.
  Rng draw(seed_ ^ 0x4ea1'0000'ba7c'4e5fULL);
  const std::size_t n = data().train.size();
  std::vector<std::uint32_t> idx(static_cast<std::size_t>(batch_));
  for (int b = 0; b < heal_batches_; ++b) {
    for (auto& i : idx) i = static_cast<std::uint32_t>(draw.below(n));
    for (EqPropSystem* s : {hurt.get(), control.get()}) {
      s->fill_batch(data().train, idx.data(), batch_, s->xb_, s->yb_, s->labels_.data());
      s->learn_batch();
    }
  }
  const HeldOutScore healed = hurt->held_out_score(), trained = control->held_out_score();
  // A share of nothing is no number: when the dead units cost under 0.1 % of the loss (a net whose
  // deep layers are already silent, say) the share would be noise over noise, so it is NaN.
  const double lost = ablated.loss - clean.loss;
  healing_ = {clean.loss, ablated.loss, healed.loss, trained.loss,
              lost > 1e-3 * clean.loss ? (ablated.loss - healed.loss) / lost : std::numeric_limits<double>::quiet_NaN(), ablated.accuracy,
              healed.accuracy};
}

}  // namespace obs
