// Small synthetic sets for instant demos: two moons, k-arm spirals (2-D points the decision map can
// show), and 8x8 pattern images (a tiny image task that trains in seconds). Labels cycle through
// the classes, so every set is balanced to within one example; all randomness comes from one
// obs::Rng, so a seed gives the same bits everywhere.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "core/input_error.hpp"
#include "core/rng.hpp"
#include "core/system.hpp"
#include "data/dataset.hpp"

namespace obs::data {
namespace {

Dataset blank(const char* name, int rows, int cols, std::vector<std::string> class_names, std::size_t n) {
  Dataset d;
  d.name = name;
  d.rows = rows;
  d.cols = cols;
  d.dim = rows * cols;
  d.classes = static_cast<int>(class_names.size());
  d.class_names = std::move(class_names);
  d.x.assign(n * static_cast<std::size_t>(d.dim), 0.0f);
  d.y.assign(n, 0);
  return d;
}

void check_args(const char* what, std::size_t n_train, std::size_t n_test, double noise, int dim) {
  if (!std::isfinite(noise) || noise < 0.0 || noise > 10.0)
    throw InputError("", std::string(what) + ": noise " + std::to_string(noise) + " is out of range; expected 0..10");
  if (n_train == 0) throw InputError("", std::string(what) + ": expected at least one training example");
  const std::uint64_t need = (static_cast<std::uint64_t>(n_train) + n_test) * (sizeof(float) * dim + 1);
  if (n_train > (std::uint64_t{1} << 40) || n_test > (std::uint64_t{1} << 40) || need > memory_budget_bytes())
    throw InputError("", std::string(what) + ": " + std::to_string(n_train) + " + " + std::to_string(n_test) +
                             " examples are beyond the memory budget of " + std::to_string(memory_budget_bytes() >> 20) +
                             " MiB");
}

// Scikit-learn's two interleaved half circles, shifted and scaled from [-1, 2] x [-0.5, 1] to
// [-1, 1] x [-0.5, 0.5] so the points fill the decision map; noise is in those final units.
void fill_moons(Dataset& d, double noise, Rng& rng) {
  constexpr double pi = std::numbers::pi;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const int label = static_cast<int>(i % 2);
    const double t = pi * rng.uniform();
    double px = label == 0 ? std::cos(t) : 1.0 - std::cos(t);
    double py = label == 0 ? std::sin(t) : 0.5 - std::sin(t);
    px = (px - 0.5) / 1.5 + noise * rng.normal();
    py = (py - 0.25) / 1.5 + noise * rng.normal();
    d.x[2 * i] = static_cast<float>(px);
    d.x[2 * i + 1] = static_cast<float>(py);
    d.y[i] = static_cast<std::uint8_t>(label);
  }
}

// Archimedean arms r = 0.1 + 0.9 t turning 1.5 times, rotated 2 pi k / arms apart.
void fill_spirals(Dataset& d, int arms, double noise, Rng& rng) {
  constexpr double pi = std::numbers::pi;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const int k = static_cast<int>(i % static_cast<std::size_t>(arms));
    const double t = rng.uniform();
    const double r = 0.1 + 0.9 * t;
    const double a = 2.0 * pi * k / arms + 3.0 * pi * t;
    d.x[2 * i] = static_cast<float>(r * std::cos(a) + noise * rng.normal());
    d.x[2 * i + 1] = static_cast<float>(r * std::sin(a) + noise * rng.normal());
    d.y[i] = static_cast<std::uint8_t>(k);
  }
}

constexpr int kSide = 8;

const std::vector<std::string>& pattern_names() {
  static const std::vector<std::string> names = {"horizontal", "vertical", "diagonal", "anti-diagonal", "cross", "square"};
  return names;
}

// One pattern image: the class's stroke at a random position and brightness, then pixel noise.
// Strokes are two pixels wide (lines) so a shift by one never turns one class into another.
void draw_pattern(float* img, int label, double noise, Rng& rng) {
  const auto amp = static_cast<float>(rng.uniform(0.7, 1.0));
  auto put = [&](int r, int c) {
    if (r >= 0 && r < kSide && c >= 0 && c < kSide) img[r * kSide + c] = amp;
  };
  auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng.below(static_cast<std::uint64_t>(hi - lo + 1))); };
  switch (label) {
    case 0: {  // horizontal bar: rows r, r+1, spanning at least 6 columns
      const int r = pick(0, kSide - 2), c0 = pick(0, 2), c1 = pick(c0 + 5, kSide - 1);
      for (int c = c0; c <= c1; ++c) put(r, c), put(r + 1, c);
      break;
    }
    case 1: {  // vertical bar
      const int c = pick(0, kSide - 2), r0 = pick(0, 2), r1 = pick(r0 + 5, kSide - 1);
      for (int r = r0; r <= r1; ++r) put(r, c), put(r, c + 1);
      break;
    }
    case 2: {  // main diagonal shifted by k
      const int k = pick(-2, 2);
      for (int r = 0; r < kSide; ++r) put(r, r + k), put(r, r + k + 1);
      break;
    }
    case 3: {  // anti-diagonal shifted by k
      const int k = pick(-2, 2);
      for (int r = 0; r < kSide; ++r) put(r, kSide - 1 - r + k), put(r, kSide - 2 - r + k);
      break;
    }
    case 4: {  // plus sign with arms of 2 around a movable centre
      const int r0 = pick(2, kSide - 3), c0 = pick(2, kSide - 3);
      for (int j = -2; j <= 2; ++j) put(r0 + j, c0), put(r0, c0 + j);
      break;
    }
    default: {  // square outline, 4 or 5 pixels on a side
      const int s = pick(4, 5), r0 = pick(0, kSide - s), c0 = pick(0, kSide - s);
      for (int j = 0; j < s; ++j) put(r0, c0 + j), put(r0 + s - 1, c0 + j), put(r0 + j, c0), put(r0 + j, c0 + s - 1);
      break;
    }
  }
  for (int i = 0; i < kSide * kSide; ++i)
    img[i] = static_cast<float>(std::clamp(img[i] + noise * rng.normal(), 0.0, 1.0));
}

void fill_patterns(Dataset& d, double noise, Rng& rng) {
  for (std::size_t i = 0; i < d.size(); ++i) {
    const int label = static_cast<int>(i % static_cast<std::size_t>(d.classes));
    draw_pattern(d.x.data() + i * kSide * kSide, label, noise, rng);
    d.y[i] = static_cast<std::uint8_t>(label);
  }
}

}  // namespace

Split make_moons(std::size_t n_train, std::size_t n_test, double noise, std::uint64_t seed) {
  check_args("moons", n_train, n_test, noise, 2);
  Rng rng(seed);
  Split s{blank("moons", 1, 2, {"upper moon", "lower moon"}, n_train), blank("moons", 1, 2, {"upper moon", "lower moon"}, n_test)};
  fill_moons(s.train, noise, rng);
  fill_moons(s.test, noise, rng);
  return s;
}

Split make_spirals(std::size_t n_train, std::size_t n_test, int arms, double noise, std::uint64_t seed) {
  check_args("spirals", n_train, n_test, noise, 2);
  if (arms < 2 || arms > 16) throw InputError("", "spirals: " + std::to_string(arms) + " arms is out of range; expected 2..16");
  std::vector<std::string> names;
  for (int k = 0; k < arms; ++k) names.push_back("arm " + std::to_string(k));
  Rng rng(seed);
  Split s{blank("spirals", 1, 2, names, n_train), blank("spirals", 1, 2, names, n_test)};
  fill_spirals(s.train, arms, noise, rng);
  fill_spirals(s.test, arms, noise, rng);
  return s;
}

Split make_patterns(std::size_t n_train, std::size_t n_test, double noise, std::uint64_t seed) {
  check_args("patterns", n_train, n_test, noise, kSide * kSide);
  Rng rng(seed);
  Split s{blank("patterns", kSide, kSide, pattern_names(), n_train), blank("patterns", kSide, kSide, pattern_names(), n_test)};
  fill_patterns(s.train, noise, rng);
  fill_patterns(s.test, noise, rng);
  return s;
}

}  // namespace obs::data
