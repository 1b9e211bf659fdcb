#pragma once
// Ternary weights for the layered net (issue 16, roadmap II.2): every W_l = alpha_l T_l with
// T_l in {-1, 0, +1}, trained by stochastic flips, the layered form of the cube's rule
// (engine/cube/cube_learning.hpp). Biases stay real (one per unit; they cost no multiplies).
//
// The flip: with momentum folded in as in apply_update (v = momentum v + dW), each weight steps
// one level toward sign(v) (-1 -> 0 -> +1, or down) with probability min(1, lr |v| / alpha).
// Then E[step] = lr v wherever lr |v| <= alpha, so the flips are an unbiased stochastic rounding
// of the float update onto the ternary grid: the descent direction the learning rule computed
// (EqProp's contrast, or backprop's gradient), taken one level at a time. A flip to 0 prunes.
//
// Sub-level counters (`flip_substeps` = K > 1): each weight also keeps a signed count c of
// sub-levels, |c| < K (an int8). An update adds K lr |v| / alpha sub-levels toward sign(v),
// stochastically rounded (the whole part always, one more with the fraction's probability, one
// draw per weight as before); when c reaches +-K the weight moves one level that way and c drops
// by K, and at the end level c stops at +-(K - 1). The mean move of level + c / K is still
// lr v / alpha, but a weight moves a whole level only after K sub-levels agree, so a weight whose
// optimum lies between two levels no longer flips back and forth on every update: the rounding's
// variance per update falls about K-fold. K = 1 is the plain rule above, draw for draw.
//
// The shadow rule (`ternary_rule` = shadow), for comparison: a float copy of every matrix takes
// the ordinary update (apply_update), and the net uses its ternarisation, recomputed after every
// update with the same thresholding as the start (ternary weight networks trained with float
// latent weights, as in BinaryConnect, Courbariaux et al. 2015). The relaxation and the learning
// rule see only ternary weights; the float copy is memory the flip rule does without.
//
// The start: the Glorot weights ternarised as in ternary weight networks (Li, Zhang & Liu 2016):
// threshold 0.7 mean |W|, alpha the mean |W| above it. The Lipschitz projection scales a whole
// matrix, so alpha_l scales with it and the levels stay ternary; scale() reads alpha back from
// the matrix after every projection.
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "eqprop/layered_net.hpp"
#include "eqprop/learning_rules.hpp"

namespace obs::eqprop {

class TernaryWeights {
 public:
  enum class Rule { Flips, Shadow };
  // Replaces every W_l by its ternarised form and records alpha_l (and, for the shadow rule,
  // keeps the float weights as the shadow; for flips with substeps > 1, zero counters).
  void ternarise(Net& net, Rule rule, int substeps = 1);
  // One update: by flips (returns the flips made), or on the shadow and ternarised again
  // (returns the weights whose level changed). velocity as apply_update keeps it.
  std::uint64_t apply(Net& net, const Grad& step, const std::vector<float>& lr, float momentum, Grad& velocity, Rng& rng);
  // After the Lipschitz projection scaled some W_l: alpha_l read back (the largest |w|), and
  // the shadow scaled by the same factor.
  void follow_projection(const Net& net);
  const std::vector<float>& scale() const { return alpha_; }
  // The sub-level counters, per matrix in W's storage order (empty unless flips with K > 1).
  const std::vector<std::vector<std::int8_t>>& counts() const { return counts_; }
  static constexpr int kMaxSubsteps = 64;  // |c| < K must fit an int8
  // One weight under counters: n signed sub-levels added to count at `level` (-1, 0 or +1).
  // Returns the new level (at most one level away) and leaves count in (-K, K).
  static float advance(float level, int& count, int n, int K);
  // Share of the weights at 0, over all matrices.
  static double zero_share(const Net& net);
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.rule_, self.alpha_, self.shadow_, self.substeps_, self.counts_);
  }

 private:
  // Thresholds `from` at 0.7 mean |w| into `to` = alpha x {-1, 0, +1} (to may be from); returns
  // alpha, and adds to *changed the entries whose level changed.
  static float ternarise_into(const Mat& from, Mat& to, std::uint64_t* changed = nullptr);
  std::uint64_t flip(Net& net, const Grad& step, const std::vector<float>& lr, float momentum, Grad& velocity, Rng& rng);
  Rule rule_ = Rule::Flips;
  std::vector<float> alpha_;
  std::vector<Mat> shadow_;  // the shadow rule's float weights (empty for flips)
  int substeps_ = 1;         // K: sub-levels per level (flips)
  std::vector<std::vector<std::int8_t>> counts_;  // c per weight (flips with K > 1)
};

}  // namespace obs::eqprop
