// Synthetic sets: deterministic per seed, balanced, and geometrically what they claim to be
// (noise-free points lie on their curves, pattern strokes are where the class says).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "data/dataset.hpp"

using obs::data::Dataset;

namespace {

std::vector<std::size_t> class_counts(const Dataset& d) {
  std::vector<std::size_t> c(static_cast<std::size_t>(d.classes), 0);
  for (auto y : d.y) {
    REQUIRE(y < d.classes);
    ++c[y];
  }
  return c;
}

void check_balanced(const Dataset& d) {
  for (auto c : class_counts(d)) {
    CHECK(c >= d.size() / static_cast<std::size_t>(d.classes));
    CHECK(c <= d.size() / static_cast<std::size_t>(d.classes) + 1);
  }
}

}  // namespace

TEST_CASE("data_synthetic: same seed gives identical bits, another seed does not") {
  const auto a = obs::data::make_moons(200, 50, 0.1, 7), b = obs::data::make_moons(200, 50, 0.1, 7);
  const auto c = obs::data::make_moons(200, 50, 0.1, 8);
  CHECK(a.train.x == b.train.x);
  CHECK(a.test.x == b.test.x);
  CHECK(a.train.y == b.train.y);
  CHECK(a.train.x != c.train.x);
  CHECK(a.train.x != std::vector<float>(a.test.x.begin(), a.test.x.end()));  // test is fresh, not a copy

  const auto s1 = obs::data::make_spirals(300, 30, 3, 0.05, 11), s2 = obs::data::make_spirals(300, 30, 3, 0.05, 11);
  CHECK(s1.train.x == s2.train.x);
  const auto p1 = obs::data::make_patterns(120, 24, 0.1, 3), p2 = obs::data::make_patterns(120, 24, 0.1, 3);
  CHECK(p1.train.x == p2.train.x);
  CHECK(p1.test.x == p2.test.x);
  CHECK(p1.train.x != obs::data::make_patterns(120, 24, 0.1, 4).train.x);
}

TEST_CASE("data_synthetic: moons are two balanced half circles") {
  const auto s = obs::data::make_moons(401, 99, 0.0, 1);
  for (const auto* d : {&s.train, &s.test}) {
    CHECK(d->rows == 1);
    CHECK(d->cols == 2);
    CHECK(d->dim == 2);
    CHECK(d->classes == 2);
    CHECK(d->class_names.size() == 2);
    check_balanced(*d);
    for (std::size_t i = 0; i < d->size(); ++i) {
      // Undo the [-1, 1] normalisation and check the scikit-learn circles directly.
      const double x = 1.5 * d->example(i)[0] + 0.5, y = 1.5 * d->example(i)[1] + 0.25;
      if (d->y[i] == 0) {
        CHECK(std::hypot(x, y) == doctest::Approx(1.0).epsilon(1e-5));
        CHECK(y >= -1e-6);
      } else {
        CHECK(std::hypot(x - 1.0, y - 0.5) == doctest::Approx(1.0).epsilon(1e-5));
        CHECK(y <= 0.5 + 1e-6);
      }
      CHECK(std::abs(d->example(i)[0]) <= 1.0f + 1e-6f);
    }
  }
  // With noise the spread around the curve matches the requested standard deviation.
  const auto n = obs::data::make_moons(20000, 0, 0.1, 2);
  double ss = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < n.train.size(); i += 2) {  // class 0 only: radial residual of the upper moon
    const double x = 1.5 * n.train.example(i)[0] + 0.5, y = 1.5 * n.train.example(i)[1] + 0.25;
    ss += (std::hypot(x, y) - 1.0) * (std::hypot(x, y) - 1.0);
    ++count;
  }
  // Radial residual of isotropic noise with sd 0.1 * 1.5 (undone scaling) is ~ that sd.
  CHECK(std::sqrt(ss / count) == doctest::Approx(0.15).epsilon(0.05));
}

TEST_CASE("data_synthetic: spirals lie on their arms") {
  const int arms = 3;
  const auto s = obs::data::make_spirals(300, 0, arms, 0.0, 5);
  const auto& d = s.train;
  CHECK(d.classes == arms);
  CHECK(d.class_names.size() == 3u);
  check_balanced(d);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const double x = d.example(i)[0], y = d.example(i)[1];
    const double r = std::hypot(x, y);
    REQUIRE(r >= 0.1 - 1e-6);
    REQUIRE(r <= 1.0 + 1e-6);
    const double t = (r - 0.1) / 0.9;
    const double expect = 2.0 * std::numbers::pi * d.y[i] / arms + 3.0 * std::numbers::pi * t;
    // Same angle modulo 2 pi: compare unit vectors.
    CHECK(std::cos(expect) * x / r + std::sin(expect) * y / r == doctest::Approx(1.0).epsilon(1e-4));
  }
  CHECK_THROWS_AS(obs::data::make_spirals(10, 0, 1, 0.0, 1), obs::InputError);
  CHECK_THROWS_AS(obs::data::make_spirals(10, 0, 17, 0.0, 1), obs::InputError);
}

TEST_CASE("data_synthetic: patterns draw the stroke their label names") {
  const auto s = obs::data::make_patterns(600, 60, 0.0, 9);
  const auto& d = s.train;
  CHECK(d.rows == 8);
  CHECK(d.cols == 8);
  CHECK(d.dim == 64);
  CHECK(d.classes >= 4);
  CHECK(static_cast<int>(d.class_names.size()) == d.classes);
  check_balanced(d);
  check_balanced(s.test);
  std::set<std::vector<float>> distinct;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const float* img = d.example(i);
    std::set<int> rows, cols;
    float amp = -1;
    for (int r = 0; r < 8; ++r)
      for (int c = 0; c < 8; ++c) {
        const float v = img[r * 8 + c];
        if (v == 0.0f) continue;
        CHECK(v >= 0.7f);
        CHECK(v <= 1.0f);
        if (amp < 0) amp = v;
        CHECK(v == amp);  // one brightness per stroke
        rows.insert(r);
        cols.insert(c);
      }
    REQUIRE(!rows.empty());
    const std::string& name = d.class_names[d.y[i]];
    if (name == "horizontal") {
      CHECK(rows.size() == 2);
      CHECK(*rows.rbegin() - *rows.begin() == 1);
      CHECK(cols.size() >= 6);
    } else if (name == "vertical") {
      CHECK(cols.size() == 2);
      CHECK(*cols.rbegin() - *cols.begin() == 1);
      CHECK(rows.size() >= 6);
    } else if (name == "diagonal" || name == "anti-diagonal") {
      CHECK(rows.size() >= 5);
      CHECK(cols.size() >= 5);
      const int sign = name == "diagonal" ? 1 : -1;
      // Every lit pixel sits on one of two adjacent (anti-)diagonals.
      std::set<int> offsets;
      for (int r = 0; r < 8; ++r)
        for (int c = 0; c < 8; ++c)
          if (img[r * 8 + c] > 0) offsets.insert(sign > 0 ? c - r : c + r);
      CHECK(offsets.size() == 2);
    } else if (name == "cross") {
      CHECK(rows.size() == 5);
      CHECK(cols.size() == 5);
    }
    distinct.insert(std::vector<float>(img, img + 64));
  }
  CHECK(distinct.size() > 100);  // positions and brightness vary, not a handful of templates

  // Pixel noise stays inside [0, 1].
  const auto noisy = obs::data::make_patterns(100, 0, 0.3, 9);
  for (float v : noisy.train.x) {
    CHECK(v >= 0.0f);
    CHECK(v <= 1.0f);
  }
}

TEST_CASE("data_synthetic: bad arguments are refused") {
  CHECK_THROWS_AS(obs::data::make_moons(10, 10, std::nan(""), 1), obs::InputError);
  CHECK_THROWS_AS(obs::data::make_moons(10, 10, -0.1, 1), obs::InputError);
  CHECK_THROWS_AS(obs::data::make_patterns(0, 10, 0.1, 1), obs::InputError);
  CHECK_THROWS_AS(obs::data::make_patterns(std::size_t{1} << 39, 0, 0.1, 1), obs::InputError);
}
