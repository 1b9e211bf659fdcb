#pragma once
// Homeostasis (issue 16, roadmap III.1): every layer watches how fast it moves and brakes or
// boosts itself, so that a learning rate or an initial gain far from a good one still learns.
//
// The roadmap's Green channel is velocity, |ds| per sweep. Under the Lipschitz bound the
// relaxation is a contraction, so that velocity always dies away within a step; what goes wrong
// at a bad learning rate or gain shows across learning steps instead, in two places:
//
// 1. The step (regulate). Each weight layer's velocity is the size of the step it is about to
//    take over its own size, r_l = lr_l g_l |d_l| / |theta_l| (theta_l = W_l with its bias; d_l
//    the step's direction, momentum folded in as apply_update does; Frobenius norms). With a
//    target velocity v, per update:
//      r_l > 2 v    brake: g_l shrinks so that r_l = 2 v, before the step is taken (no step is
//                   larger than twice the target, not even the first one at a learning rate of 10);
//      r_l < v / 2  boost: g_l grows by 2 % (a slow climb, 116 updates per decade);
//      otherwise    g_l holds.
//    g_l stays within [kGainMin, kGainMax]; the step taken is lr_l g_l d_l. This is a trust ratio
//    as in layer-wise adaptive rate scaling (LARS, You, Gitman & Ginsburg 2017), with the brake
//    fast and the boost slow, as in additive-increase / multiplicative-decrease control.
// 2. The synapses (scale_synapses). A hidden unit clipped by the activation has velocity 0 in
//    the Green channel: it cannot move. A layer whose mean slope rho'(s) falls below a floor
//    (most of it saturated, as after a large initial gain) has its incoming weights and biases
//    shrunk by 1 % per update: the roadmap's "brakes by shrinking weights", in the form of
//    synaptic scaling (Turrigiano 2008). Without it, a saturated layer's gradients are small, the
//    step rule boosts them, and the large noisy steps keep it saturated (measured: 65-77 % at
//    init_gain 3 and 10 without it; docs/systems/eqprop.md, "Homeostasis"). The floor is low
//    (homeo_slope 0.05): a trained hard-sigmoid layer is mostly clipped, and a floor of 0.1 held
//    the Fashion-MNIST net at 84 % after 20 epochs.
//
// The Lipschitz bound is untouched: the projection still holds the coupling's L at or below
// lipschitz_target after every step (shrinking weights only lowers it).
#include <vector>

#include "eqprop/layered_net.hpp"
#include "eqprop/learning_rules.hpp"

namespace obs::eqprop {

class Homeostat {
 public:
  static constexpr double kGainMin = 1e-4, kGainMax = 1e4;
  static constexpr double kBoost = 1.02;  // per update, below the band
  static constexpr double kBand = 2;        // the band is [v / kBand, v kBand]

  // One gain per weight matrix, all 1.
  void reset(std::size_t layers);
  // Sets the gains for the step about to be taken from `step` (with `velocity`, the momentum
  // buffer before this step, when momentum > 0) and writes lr_l g_l into `out` (sized here).
  // Allocation-free once `out` has its size.
  void regulate(const Net& net, const Grad& step, const Grad& velocity, float momentum, const std::vector<float>& lr,
                double target, std::vector<float>& out);
  // Synaptic scaling, the brake on a saturated layer (Turrigiano 2008): each hidden layer's mean
  // slope rho'(s) over its units and the batch (`states[l]`, l = 1..L; the share of the layer
  // that can move at all, since a clipped unit's velocity is 0) is measured, and a layer whose
  // slope is below `min_slope` has its incoming weights and biases shrunk by kShrink.
  void scale_synapses(Net& net, const std::vector<Mat>& states, double min_slope);
  static constexpr double kShrink = 0.99;  // per update, below min_slope
  const std::vector<double>& gains() const { return gain_; }
  // Mean slope of hidden layer l + 1 (index l) at the last scale_synapses, before its scaling.
  const std::vector<double>& slopes() const { return slope_; }
  // r_l of the step regulate() let through (after braking); NaN before the first.
  const std::vector<double>& velocities() const { return velocity_; }

  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.gain_, self.velocity_, self.slope_);
  }

 private:
  std::vector<double> gain_, velocity_, slope_;
};

}  // namespace obs::eqprop
