#pragma once
// Shared by the eqprop_* test files: small networks with random weights for the maths, and
// systems built through the scene path the app uses (parse_scene -> instantiate).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <vector>

#include "core/rng.hpp"
#include "core/scene.hpp"
#include "scene_test_support.hpp"
#include "eqprop/eqprop_system.hpp"
#include "eqprop/layered_net.hpp"

namespace eqprop_test {

using obs::eqprop::Mat;

// A net with a batch of inputs and their targets: what the gradient tests differentiate.
struct Problem {
  obs::eqprop::Net net;
  Mat x, y;
};

// Glorot-uniform weights times `gain`, random biases, then the coupling among free layers
// scaled to ||M||_2 = target (exact, dense), so every test net is a contraction.
inline obs::eqprop::Net random_net(const std::vector<int>& sizes, obs::eqprop::Activation act, std::uint64_t seed,
                                   double gain = 1.5, double target = 0.8, bool linear_output = false);

inline Mat random_matrix(int rows, int cols, obs::Rng& rng, double lo, double hi) {
  Mat m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = static_cast<float>(rng.uniform(lo, hi));
  return m;
}

// One-hot targets for `batch` columns, labels cycling through the classes.
inline Mat one_hot(int classes, int batch) {
  Mat y = Mat::Zero(classes, batch);
  for (int c = 0; c < batch; ++c) y(c % classes, c) = 1.0f;
  return y;
}

inline std::unique_ptr<obs::EqPropSystem> make(const nlohmann::json& params, std::uint64_t seed = 1) {
  return scene_test::make_system<obs::EqPropSystem>("eqprop", params, seed);
}

// `base` with the keys of `extra` set (added or replaced).
inline nlohmann::json with(nlohmann::json base, const nlohmann::json& extra) {
  base.update(extra);
  return base;
}

using scene_test::metric;
using scene_test::metrics_of;

// The batch-mean loss at the free fixed point, relaxed tightly from rest.
double loss_at_fixed_point(const obs::eqprop::Net& net, const Mat& x, const Mat& y);
// The reference gradient (implicit differentiation) at that fixed point; requires convergence.
obs::eqprop::Grad reference_at_fixed_point(const obs::eqprop::Net& net, const Mat& x, const Mat& y);

}  // namespace eqprop_test

#include "eqprop/lipschitz.hpp"
#include "eqprop/reference_gradient.hpp"

inline double eqprop_test::loss_at_fixed_point(const obs::eqprop::Net& net, const Mat& x, const Mat& y) {
  obs::eqprop::Relaxer r(net, static_cast<int>(x.cols()));
  r.set_input(net, x);
  r.set_target(y);
  r.zero_state();
  r.relax(net, 0, 3000, 1e-8f);
  return r.cost();
}

inline obs::eqprop::Grad eqprop_test::reference_at_fixed_point(const obs::eqprop::Net& net, const Mat& x, const Mat& y) {
  const int batch = static_cast<int>(x.cols());
  obs::eqprop::Relaxer r(net, batch);
  r.set_input(net, x);
  r.set_target(y);
  r.zero_state();
  r.relax(net, 0, 3000, 1e-8f);
  obs::eqprop::ReferenceGradient ref;
  ref.resize(net, batch);
  obs::eqprop::Grad g;
  g.resize_like(net);
  ref.compute(net, r.states(), y, g, 5000, 1e-8f);
  REQUIRE(ref.converged());
  return g;
}

inline obs::eqprop::Net eqprop_test::random_net(const std::vector<int>& sizes, obs::eqprop::Activation act,
                                                std::uint64_t seed, double gain, double target, bool linear_output) {
  obs::Rng rng(seed);
  obs::eqprop::Net net;
  net.init_shape(sizes, act, linear_output ? obs::eqprop::Activation::Linear : act);
  for (int l = 0; l < net.free_layers(); ++l) {
    const double a = gain * std::sqrt(6.0 / (sizes[l] + sizes[l + 1]));
    net.W[l] = random_matrix(sizes[l + 1], sizes[l], rng, -a, a);
    net.b[l] = random_matrix(sizes[l + 1], 1, rng, -0.3, 0.3);
  }
  const double norm = obs::eqprop::exact_coupling_norm(net);
  if (norm > 0)
    for (int l = 1; l < net.free_layers(); ++l) net.W[l] *= static_cast<float>(target / norm);
  return net;
}
