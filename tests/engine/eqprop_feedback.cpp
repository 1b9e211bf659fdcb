// Feedback alignment (issue 16): layers read the one above through fixed random B instead of
// W^T. With B = W^T every path gives the symmetric net's numbers; with random B the relaxation
// still reaches one fixed point (the projection bounds the asymmetric coupling, checked against
// a dense SVD), the reference gradient is the true gradient at that point (central finite
// differences), backprop's backward pass goes through B, and both learn moons. Evolving feedback
// (Kolen-Pollack) closes the gap W - B^T by (1 - decay) per step, and on moons B comes to W^T.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "eqprop/learning_rules.hpp"
#include "eqprop/lipschitz.hpp"
#include "eqprop_test_util.hpp"

using namespace eqprop_test;
using obs::eqprop::Activation;
using obs::eqprop::Net;
using obs::eqprop::Relaxer;

namespace {

// A random net with random feedback B_l (Glorot-uniform), the whole coupling projected to target.
Net with_random_feedback(const std::vector<int>& sizes, Activation act, std::uint64_t seed, double target, bool linear = true) {
  Net net = random_net(sizes, act, seed, 2.0, 5.0, linear);  // W_l as drawn; the projection below bounds M
  obs::Rng rng(seed + 17);
  net.B.assign(net.W.size(), Mat());
  for (int l = 1; l < net.free_layers(); ++l) {
    const double a = 2.0 * std::sqrt(6.0 / (sizes[l] + sizes[l + 1]));
    net.B[l] = random_matrix(sizes[l], sizes[l + 1], rng, -a, a);
  }
  obs::eqprop::LipschitzProjector lip;
  lip.resize(net, seed);
  lip.project(net, target, 50);
  return net;
}

Mat relaxed(const Net& net, const Mat& x, const Mat* start, int layer) {
  Relaxer r(net, static_cast<int>(x.cols()));
  r.set_input(net, x);
  r.zero_state();
  if (start) r.load_states(std::vector<Mat>{Mat(), start[0], start[1], start[2]});
  r.relax(net, 0, 5000, 1e-7f);
  CHECK(r.residual(net, 0) < 1e-5);
  return r.s(layer);
}

}  // namespace

TEST_CASE("feedback: with B = W^T the relaxation and backprop's backward pass are the symmetric net's") {
  const Net sym = random_net({5, 6, 4, 3}, Activation::Tanh, 3, 1.5, 0.8, true);
  Net fa = sym;
  fa.B.assign(sym.W.size(), Mat());
  for (int l = 1; l < sym.free_layers(); ++l) fa.B[l] = sym.W[l].transpose();
  obs::Rng rng(5);
  const Mat x = random_matrix(5, 4, rng, 0, 1), y = one_hot(3, 4);
  for (int l = 1; l <= 3; ++l) CHECK((relaxed(sym, x, nullptr, l) - relaxed(fa, x, nullptr, l)).cwiseAbs().maxCoeff() < 1e-6f);
  obs::eqprop::FeedForward a, b;
  a.resize(sym, 4);
  b.resize(fa, 4);
  obs::eqprop::Grad ga, gb;
  ga.resize_like(sym);
  gb.resize_like(fa);
  a.forward(sym, x);
  b.forward(fa, x);
  a.backward(sym, y, ga);
  b.backward(fa, y, gb);
  for (int l = 0; l < 3; ++l) CHECK((ga.dW[l] - gb.dW[l]).cwiseAbs().maxCoeff() < 1e-6f);
}

TEST_CASE("feedback: with random B the projection bounds the asymmetric coupling and the relaxation has one fixed point") {
  for (Activation act : {Activation::HardSigmoid, Activation::Tanh}) {
    CAPTURE(static_cast<int>(act));
    Net net = with_random_feedback({6, 8, 7, 3}, act, 11, 0.8);
    // The bound: the power iteration on M^T M against a dense SVD of the asymmetric M.
    CHECK(obs::eqprop::exact_coupling_norm(net) <= 0.8 * (1 + 1e-3));
    obs::eqprop::LipschitzProjector lip;
    lip.resize(net, 2);
    CHECK(lip.estimate(net, 50) == doctest::Approx(obs::eqprop::exact_coupling_norm(net)).epsilon(1e-3));
    // B is not W^T, so it is not an energy's gradient flow; with ||M|| < 1 the map is still a
    // contraction: from rest and from a random state it reaches the same point.
    obs::Rng rng(9);
    const Mat x = random_matrix(6, 5, rng, 0, 1);
    const Mat start[3] = {random_matrix(8, 5, rng, -1, 1), random_matrix(7, 5, rng, -1, 1), random_matrix(3, 5, rng, -1, 1)};
    for (int l = 1; l <= 3; ++l) CHECK((relaxed(net, x, nullptr, l) - relaxed(net, x, start, l)).cwiseAbs().maxCoeff() < 1e-5f);
  }
}

TEST_CASE("feedback: the reference gradient is the true gradient at the asymmetric fixed point (finite differences)") {
  const Net net = with_random_feedback({3, 5, 4, 2}, Activation::Tanh, 21, 0.7);
  obs::Rng rng(4);
  const Mat x = random_matrix(3, 5, rng, 0, 1), y = one_hot(2, 5);
  const obs::eqprop::Grad g = reference_at_fixed_point(net, x, y);
  const float eps = 2e-2f;
  double dot = 0, n_fd = 0, n_ref = 0;
  for (int l = 0; l < net.free_layers(); ++l)
    for (Eigen::Index k = 0; k < net.W[l].size(); ++k) {
      Net plus = net, minus = net;
      plus.W[l].data()[k] += eps;
      minus.W[l].data()[k] -= eps;
      const double fd = (loss_at_fixed_point(plus, x, y) - loss_at_fixed_point(minus, x, y)) / (2 * eps);
      dot += fd * g.dW[l].data()[k];
      n_fd += fd * fd;
      n_ref += static_cast<double>(g.dW[l].data()[k]) * g.dW[l].data()[k];
    }
  const double cosine = dot / std::sqrt(n_fd * n_ref);
  MESSAGE("feedback alignment: reference vs finite differences, cosine " << cosine);
  CHECK(cosine > 0.9999);
}

TEST_CASE("feedback: backprop's backward pass carries the error through B (hand computation)") {
  Net net;
  net.init_shape({2, 2, 1}, Activation::HardSigmoid, Activation::Linear);
  net.W[0] << 0.5f, 0.1f, -0.2f, 0.4f;
  net.W[1] << 0.3f, -0.6f;
  net.B.assign(2, Mat());
  net.B[1] = Mat(2, 1);
  net.B[1] << 1.0f, 2.0f;
  Mat x(2, 1), y(1, 1);
  x << 1.0f, 0.5f;
  y << 1.0f;
  obs::eqprop::FeedForward ff;
  ff.resize(net, 1);
  ff.forward(net, x);
  obs::eqprop::Grad g;
  g.resize_like(net);
  ff.backward(net, y, g);
  // a1 = clip(W0 x) = (0.55, 0); a2 = 0.3 * 0.55 = 0.165; delta2 = -0.835. delta1 = B1 delta2 times
  // rho'(a1) = (1, 0): (-0.835, 0). dW0 = -delta1 x^T = (0.835, 0.4175; 0, 0).
  CHECK(g.dW[0](0, 0) == doctest::Approx(0.835));
  CHECK(g.dW[0](0, 1) == doctest::Approx(0.4175));
  CHECK(g.dW[0](1, 0) == 0.0f);
  // Through W1^T instead it would be 0.3 * 0.835 = 0.2505: B made the difference.
}

TEST_CASE("feedback: the system learns moons with random feedback, by EqProp and by backprop, under its bound") {
  for (const char* algorithm : {"eqprop", "backprop"}) {
    CAPTURE(algorithm);
    auto s = make({{"dataset", "moons"}, {"train_size", 1000}, {"test_size", 300}, {"hidden_units", 64}, {"output", "activation"},
                   {"batch", 20}, {"lr_first", 0.2}, {"lr_last", 0.1}, {"momentum", 0.9}, {"map_every", 0}, {"showcase_every", 0},
                   {"feedback", "random"}, {"algorithm", algorithm}},
                  1);
    while (s->epoch() < 15) {
      s->step();
      if (std::string(algorithm) == "eqprop") REQUIRE(s->lipschitz() <= 0.95 + 1e-6);
    }
    MESSAGE(std::string(algorithm) << " with random feedback: test accuracy " << s->test_accuracy());
    CHECK(s->test_accuracy() > 0.85);
    CHECK(s->net().asymmetric());
  }
}

TEST_CASE("feedback: the Kolen-Pollack step shrinks W - B^T by (1 - decay) whatever the update") {
  Net net = with_random_feedback({4, 5, 3}, Activation::Tanh, 8, 0.9);
  obs::eqprop::Grad taken;
  taken.resize_like(net);
  obs::Rng rng(12);
  for (auto& m : taken.dW) m = random_matrix(static_cast<int>(m.rows()), static_cast<int>(m.cols()), rng, -1, 1);
  const Mat gap = net.W[1] - net.B[1].transpose();
  const Mat w0 = net.W[0];
  // W takes the step (no momentum: the step taken is the update itself), then B follows it.
  obs::eqprop::Grad velocity;
  velocity.resize_like(net);
  const std::vector<float> lr{0.1f, 0.2f};
  obs::eqprop::apply_update(net, taken, lr, 0.0f, velocity);
  obs::eqprop::evolve_feedback(net, taken, lr, 0.01f);
  CHECK((net.W[1] - net.B[1].transpose() - 0.99f * gap).cwiseAbs().maxCoeff() < 1e-6f);
  CHECK((net.W[0] - (w0 + 0.1f * taken.dW[0])).cwiseAbs().maxCoeff() < 1e-6f);  // W_0 has no feedback: not decayed
}

TEST_CASE("feedback: evolving feedback comes to W^T on moons, random feedback only partly aligns") {
  for (const char* feedback : {"evolving", "random"}) {
    CAPTURE(feedback);
    auto s = make({{"dataset", "moons"}, {"train_size", 1000}, {"test_size", 300}, {"hidden_units", 64}, {"output", "activation"},
                   {"batch", 20}, {"lr_first", 0.2}, {"lr_last", 0.1}, {"momentum", 0.9}, {"map_every", 0}, {"showcase_every", 0},
                   {"feedback", feedback}},
                  1);
    CHECK(metric(*s, "feedback_cos") < 0.2);  // independent random draws
    while (s->epoch() < 10) s->step();
    const double cos = metric(*s, "feedback_cos");
    MESSAGE(std::string(feedback) << ": cos(B, W^T) " << cos << ", test accuracy " << s->test_accuracy());
    if (std::string(feedback) == "evolving") {
      CHECK(cos > 0.99);
      CHECK(s->test_accuracy() > 0.95);
    } else {
      CHECK(cos < 0.9);
    }
  }
  CHECK(std::isnan(metric(*make({{"dataset", "moons"}, {"train_size", 100}, {"test_size", 20}}), "feedback_cos")));  // symmetric
}
