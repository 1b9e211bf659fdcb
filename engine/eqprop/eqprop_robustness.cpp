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
#include "eqprop/eqprop_system.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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
}

double EqPropSystem::perturbed_accuracy(bool ablate, double level) {
  const int L = net_.free_layers();
  Rng rng(seed_ ^ 0x5e1f'4ea1'0000'0001ULL ^ static_cast<std::uint64_t>(std::lround(level * 1e6)) ^ (ablate ? 0xab1a7eULL : 0));
  // Silence the chosen hidden units in the net's own masks, restored at the end.
  const std::vector<eqprop::Vec> masks = net_.mask;
  std::vector<std::pair<int, int>> silenced;
  if (ablate) {
    std::vector<std::pair<int, int>> alive;
    for (int l = 1; l < L; ++l)
      for (int i = 0; i < net_.sizes[l]; ++i)
        if (net_.mask[l - 1][i] != 0.0f) alive.emplace_back(l, i);
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

}  // namespace obs
