// Dreaming (issue 16): the clamp form's fixed point against a hand computation, its energy never
// rising, the contrast form's step against central finite differences of the cost, and on the
// system: a trained moons net dreams points that it and the training data both put in the dreamt
// class, and dreams exist exactly when asked for.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "data/dataset.hpp"
#include "eqprop/dreamer.hpp"
#include "eqprop_test_util.hpp"

using namespace eqprop_test;
using obs::eqprop::Activation;
using obs::eqprop::Dreamer;
using obs::eqprop::Net;

namespace {

Dreamer::InputStats box(int dim, float lo, float hi) {
  return {std::vector<float>(dim, lo), std::vector<float>(dim, hi), std::vector<float>(dim, 0.5f * (lo + hi))};
}

// C(x) = |s_L - y|^2 / 2 at the free fixed point with x clamped, relaxed tightly.
double cost_at(const Net& net, const std::vector<float>& x, int cls) {
  obs::eqprop::Relaxer r(net, 1);
  r.set_input(net, Eigen::Map<const Mat>(x.data(), static_cast<Eigen::Index>(x.size()), 1));
  Mat y = Mat::Zero(net.sizes.back(), 1);
  y(cls, 0) = 1.0f;
  r.set_target(y);
  r.relax(net, 0.0f, 5000, 1e-7f);
  return r.cost();
}

}  // namespace

TEST_CASE("dream: the clamp form on a 2-1-2 net settles where the hand computation says") {
  Net net;
  net.init_shape({2, 1, 2}, Activation::HardSigmoid, Activation::Linear);
  net.W[0] << 0.5f, -0.5f;
  net.W[1] << 0.6f, -0.4f;
  Dreamer d;
  d.resize(net, 2, box(2, 0.0f, 1.0f));
  const float rest[2] = {0.0f, 0.0f};
  d.start(0, rest, 0);
  d.start(1, rest, 1);
  d.relax(net, 500, 1e-7f);
  // Class 0 drives the hidden unit by 0.6: s = 0.5 x1 - 0.5 x2 + 0.6 and x = clip(0.5 s, -0.5 s)
  // give x2 = 0, x1 = s / 2, s = s / 4 + 0.6: s = 0.8, x = (0.4, 0).
  CHECK(d.s(1)(0, 0) == doctest::Approx(0.8).epsilon(1e-5));
  CHECK(d.dreams()(0, 0) == doctest::Approx(0.4).epsilon(1e-5));
  CHECK(d.dreams()(1, 0) == 0.0f);
  // Class 1 drives it by -0.4: the unit stays off and the dream at rest.
  CHECK(d.s(1)(0, 1) == 0.0f);
  CHECK(d.dreams().col(1).isZero());
  CHECK(d.residual(net) < 1e-6);
  // A stiffer input (kappa = 2): x1 = s / 4, s = s / 8 + 0.6.
  d.set_stiffness(2.0f);
  d.start(0, rest, 0);
  d.relax(net, 500, 1e-7f);
  CHECK(d.s(1)(0, 0) == doctest::Approx(0.6 / 0.875).epsilon(1e-5));
  CHECK(d.dreams()(0, 0) == doctest::Approx(0.15 / 0.875).epsilon(1e-5));
}

TEST_CASE("dream: the clamp form never raises the energy and stops at a fixed point inside the box") {
  for (Activation act : {Activation::HardSigmoid, Activation::Tanh}) {
    CAPTURE(static_cast<int>(act));
    const Net net = random_net({6, 5, 4, 3}, act, 7, /*gain=*/2.0, /*target=*/0.9, /*linear_output=*/true);
    Dreamer d;
    d.resize(net, 3, box(6, -1.0f, 2.0f));
    obs::Rng rng(3);
    for (int c = 0; c < 3; ++c) {
      std::vector<float> x(6);
      for (float& v : x) v = static_cast<float>(rng.uniform(-3, 3));  // some outside: clipped in
      d.start(c, x.data(), c);
    }
    double e = d.energy(net);
    int sweeps = 0;
    for (; sweeps < 3000; ++sweeps) {
      const float delta = d.sweep(net);
      const double next = d.energy(net);
      CHECK(next <= e + 1e-6 * std::max(1.0, std::fabs(e)));  // float states: the energy's own rounding
      e = next;
      if (delta < 1e-7f) break;
    }
    CHECK(sweeps < 3000);
    CHECK(d.residual(net) < 1e-5);
    CHECK(d.dreams().minCoeff() >= -1.0f);
    CHECK(d.dreams().maxCoeff() <= 2.0f);
  }
}

TEST_CASE("dream: a contrast step points down the cost's gradient (central finite differences)") {
  const Net net = random_net({5, 4, 3}, Activation::Tanh, 11, 1.5, 0.8, /*linear_output=*/true);
  Dreamer d;
  d.resize(net, 1, box(5, -5.0f, 5.0f));
  const std::vector<float> x0{0.3f, -0.2f, 0.1f, 0.4f, -0.35f};
  const int cls = 2;
  d.start(0, x0.data(), cls);
  d.contrast(net, /*iterations=*/1, /*rate=*/1e-3f, /*prior=*/0.0f, /*beta=*/0.01f, 5000, 5000, 1e-7f);
  std::vector<double> step(5), down(5);
  for (int i = 0; i < 5; ++i) {
    step[i] = static_cast<double>(d.dreams()(i, 0)) - x0[i];
    std::vector<float> a = x0, b = x0;
    a[i] += 1e-3f;
    b[i] -= 1e-3f;
    down[i] = -(cost_at(net, a, cls) - cost_at(net, b, cls)) / 2e-3;
  }
  double dot = 0, ns = 0, nd = 0;
  for (int i = 0; i < 5; ++i) dot += step[i] * down[i], ns += step[i] * step[i], nd += down[i] * down[i];
  const double cosine = dot / std::sqrt(ns * nd);
  MESSAGE("contrast step vs -dC/dx by finite differences: cosine " << cosine);
  CHECK(cosine > 0.999);
  // The step is rate times the gradient over its RMS: its RMS is the rate.
  CHECK(std::sqrt(ns / 5) == doctest::Approx(1e-3).epsilon(0.01));
  // And it lowers the cost.
  std::vector<float> x1(5);
  for (int i = 0; i < 5; ++i) x1[i] = d.dreams()(i, 0);
  CHECK(cost_at(net, x1, cls) < cost_at(net, x0, cls));
  // With the whole prior (1) and a negligible rate, one step lands on the mean input (0 here).
  d.start(0, x0.data(), cls);
  d.contrast(net, 1, 1e-6f, /*prior=*/1.0f, 0.01f, 5000, 5000, 1e-7f);
  CHECK(d.dreams().cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("dream: a trained moons net dreams each class where it and the training data put that class") {
  const nlohmann::json moons = {{"dataset", "moons"}, {"train_size", 1000}, {"test_size", 300}, {"hidden_units", 64},
                                {"output", "activation"}, {"batch", 20}, {"lr_first", 0.2}, {"lr_last", 0.1},
                                {"momentum", 0.9}, {"map_every", 0}, {"showcase_every", 0}, {"dreams", 5}};
  auto s = make(moons, 1);
  while (s->epoch() < 10) s->step();
  REQUIRE(s->test_accuracy() > 0.95);
  const double accuracy = metric(*s, "dream_accuracy");
  MESSAGE("moons: test " << s->test_accuracy() << ", dream accuracy " << accuracy << ", sweeps " << metric(*s, "dream_sweeps"));
  CHECK(accuracy >= 0.9);
  const auto snap = std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(s->snapshot());
  REQUIRE(snap);
  REQUIRE(snap->dreams.size() == 4);  // two classes, one 2-D dream from the mean each
  REQUIRE(snap->dream_answers.size() == 2);
  // The net says each dream from the mean is its class, and so do its 15 nearest training points
  // (a judge that does not use the net).
  const auto train = obs::data::make_moons(1000, 300, 0.1, 1).train;  // the system's data: seed 1, noise 0.1
  for (int c = 0; c < 2; ++c) {
    CAPTURE(c);
    CHECK(snap->dream_answers[c] == c);
    const float px = snap->dreams[2 * c], py = snap->dreams[2 * c + 1];
    std::vector<std::pair<float, int>> near;
    for (std::size_t k = 0; k < train.size(); ++k) {
      const float dx = train.example(k)[0] - px, dy = train.example(k)[1] - py;
      near.emplace_back(dx * dx + dy * dy, train.y[k]);
    }
    std::partial_sort(near.begin(), near.begin() + 15, near.end());
    int same = 0;
    for (int k = 0; k < 15; ++k) same += near[k].second == c;
    MESSAGE("class " << c << " dream at (" << px << ", " << py << "): " << same << " of its 15 nearest training points are its class");
    CHECK(same >= 8);
  }
  // An edit of a dream parameter dreams again at the next step, not at the next test pass; a step
  // with no edit (mid-epoch) leaves the dreams as they were.
  const auto dreams_now = [&] { return std::dynamic_pointer_cast<const obs::eqprop::EqPropSnapshot>(s->snapshot())->dreams; };
  const std::vector<float> before = snap->dreams;
  s->step();
  CHECK(dreams_now() == before);
  const auto edit = [&](double prior) {
    s->params().set_json("dream_prior", prior, "/params/dream_prior");
    s->apply_params();
    s->step();
    return dreams_now();
  };
  const auto unpulled = edit(0.0);
  CHECK(unpulled != before);
  // Put back, the dreams are made again (the weights moved two steps meanwhile, and the
  // normalised steps dither by about dream_rate, so only roughly where they were).
  const auto again = edit(0.1);
  CHECK(again != unpulled);
  REQUIRE(again.size() == before.size());
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(std::fabs(again[i] - before[i]) < 0.2f);
}

TEST_CASE("dream: dreams exist exactly when asked for, under eqprop, in either form") {
  const nlohmann::json base = {{"dataset", "moons"}, {"train_size", 200}, {"test_size", 100}, {"hidden_units", 16},
                               {"batch", 20}, {"map_every", 0}, {"showcase_every", 0}};
  struct Case {
    const char* algorithm;
    int dreams;
    const char* mode;
    bool measured;
  };
  for (const Case& k : {Case{"eqprop", 0, "contrast", false}, Case{"eqprop", 3, "contrast", true}, Case{"eqprop", 3, "clamp", true},
                        Case{"backprop", 3, "contrast", false}}) {
    CAPTURE(k.algorithm);
    CAPTURE(k.dreams);
    CAPTURE(k.mode);
    nlohmann::json p = base;
    p["algorithm"] = k.algorithm;
    p["dreams"] = k.dreams;
    p["dream_mode"] = k.mode;
    auto s = make(p, 2);
    // Dreams at reset (the untrained net's), then after every test pass.
    CHECK(std::isfinite(metric(*s, "dream_accuracy")) == k.measured);
    while (s->epoch() < 2) s->step();
    const double a = metric(*s, "dream_accuracy");
    CHECK(std::isfinite(a) == k.measured);
    if (k.measured) CHECK((a >= 0.0 && a <= 1.0));
    CHECK(std::isfinite(metric(*s, "dream_sweeps")) == k.measured);
  }
}
