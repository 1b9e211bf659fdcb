#include "eqprop/ternary_weights.hpp"

#include <algorithm>
#include <cmath>

namespace obs::eqprop {

float TernaryWeights::ternarise_into(const Mat& from, Mat& to, std::uint64_t* changed) {
  const auto level = [](float w) { return (w > 0.0f) - (w < 0.0f); };
  const double threshold = 0.7 * static_cast<double>(from.cwiseAbs().mean());
  double sum = 0;
  std::size_t above = 0;
  for (Eigen::Index k = 0; k < from.size(); ++k)
    if (std::fabs(from.data()[k]) > threshold) sum += std::fabs(from.data()[k]), ++above;
  const float alpha = above ? static_cast<float>(sum / static_cast<double>(above)) : 0.0f;
  for (Eigen::Index k = 0; k < from.size(); ++k) {
    const float w = from.data()[k], t = std::fabs(w) > threshold ? std::copysign(alpha, w) : 0.0f;
    if (changed) *changed += level(t) != level(to.data()[k]);
    to.data()[k] = t;
  }
  return alpha;
}

void TernaryWeights::ternarise(Net& net, Rule rule, int substeps) {
  rule_ = rule;
  substeps_ = rule == Rule::Flips ? std::clamp(substeps, 1, kMaxSubsteps) : 1;
  alpha_.assign(net.W.size(), 0.0f);
  if (rule == Rule::Shadow) shadow_ = net.W;
  else shadow_.clear();
  counts_.clear();
  if (substeps_ > 1)
    for (const Mat& W : net.W) counts_.emplace_back(static_cast<std::size_t>(W.size()), std::int8_t{0});
  for (std::size_t l = 0; l < net.W.size(); ++l) alpha_[l] = ternarise_into(net.W[l], net.W[l]);
}

float TernaryWeights::advance(float level, int& count, int n, int K) {
  count += n;
  if (count >= K && level < 1.0f) level += 1.0f, count -= K;
  else if (count <= -K && level > -1.0f) level -= 1.0f, count += K;
  count = std::clamp(count, 1 - K, K - 1);  // one level per update; at the end level it waits
  return level;
}

std::uint64_t TernaryWeights::apply(Net& net, const Grad& step, const std::vector<float>& lr, float momentum, Grad& velocity,
                                    Rng& rng) {
  if (rule_ == Rule::Flips) return flip(net, step, lr, momentum, velocity, rng);
  // The shadow takes the float step (net.b too), then the net's matrices are its ternarisation.
  std::swap(net.W, shadow_);
  apply_update(net, step, lr, momentum, velocity);
  std::swap(net.W, shadow_);
  std::uint64_t changed = 0;
  for (std::size_t l = 0; l < net.W.size(); ++l) alpha_[l] = ternarise_into(shadow_[l], net.W[l], &changed);
  return changed;
}

std::uint64_t TernaryWeights::flip(Net& net, const Grad& step, const std::vector<float>& lr, float momentum, Grad& velocity,
                                   Rng& rng) {
  std::uint64_t flips = 0;
  for (std::size_t l = 0; l < net.W.size(); ++l) {
    velocity.dW[l] = momentum * velocity.dW[l] + step.dW[l];
    velocity.db[l] = momentum * velocity.db[l] + step.db[l];
    net.b[l] += lr[l] * velocity.db[l];
    const float alpha = alpha_[l];
    if (!(alpha > 0)) continue;  // a matrix with no scale left has nothing to flip to
    const float rate = lr[l] / alpha;
    Mat& W = net.W[l];
    const Mat& v = velocity.dW[l];
    // The scale learns too: along W = alpha T the update's component is sum v T, which a float
    // step lr v would move alpha by lr (sum v T) / nnz.
    double along = 0;
    std::uint64_t nnz = 0;
    for (Eigen::Index k = 0; k < W.size(); ++k)
      if (W.data()[k] != 0.0f) along += static_cast<double>(v.data()[k]) * (W.data()[k] > 0 ? 1.0 : -1.0), ++nnz;
    // (At most halved by one update: a scale must stay positive.)
    const float grown = nnz ? std::max(alpha + lr[l] * static_cast<float>(along / static_cast<double>(nnz)), 0.5f * alpha) : alpha;
    if (substeps_ == 1) {
      for (Eigen::Index k = 0; k < W.size(); ++k) {
        const float g = v.data()[k];
        if (g == 0.0f || rng.uniform() >= static_cast<double>(rate * std::fabs(g))) continue;
        const float level = std::round(W.data()[k] / alpha), next = std::clamp(level + (g > 0 ? 1.0f : -1.0f), -1.0f, 1.0f);
        if (next == level) continue;  // already at the end it is pushed toward
        W.data()[k] = next * alpha;
        ++flips;
      }
    } else {
      const int K = substeps_;
      std::int8_t* const count = counts_[l].data();
      for (Eigen::Index k = 0; k < W.size(); ++k) {
        const float g = v.data()[k];
        if (g == 0.0f) continue;
        // Sub-levels asked for, capped where more could not matter (one level per update).
        const float sub = std::min(rate * std::fabs(g) * static_cast<float>(K), 2.0f * static_cast<float>(K));
        const float whole = std::floor(sub);
        const int n = static_cast<int>(whole) + (rng.uniform() < static_cast<double>(sub - whole) ? 1 : 0);
        if (n == 0) continue;  // most weights, most updates: nothing to count
        int c = count[k];
        const float level = std::round(W.data()[k] / alpha), next = advance(level, c, g > 0 ? n : -n, K);
        count[k] = static_cast<std::int8_t>(c);
        if (next == level) continue;
        W.data()[k] = next * alpha;
        ++flips;
      }
    }
    if (grown != alpha) {
      for (Eigen::Index k = 0; k < W.size(); ++k)
        if (W.data()[k] != 0.0f) W.data()[k] = W.data()[k] > 0 ? grown : -grown;
      alpha_[l] = grown;
    }
  }
  return flips;
}

void TernaryWeights::follow_projection(const Net& net) {
  for (std::size_t l = 0; l < net.W.size() && l < alpha_.size(); ++l) {
    const float top = net.W[l].cwiseAbs().maxCoeff();
    if (!(top > 0) || top == alpha_[l]) continue;
    if (l < shadow_.size() && alpha_[l] > 0) shadow_[l] *= top / alpha_[l];
    alpha_[l] = top;
  }
}

double TernaryWeights::zero_share(const Net& net) {
  std::uint64_t zeros = 0, all = 0;
  for (const Mat& W : net.W) {
    zeros += static_cast<std::uint64_t>((W.array() == 0.0f).count());
    all += static_cast<std::uint64_t>(W.size());
  }
  return all ? static_cast<double>(zeros) / static_cast<double>(all) : 0.0;
}

}  // namespace obs::eqprop
