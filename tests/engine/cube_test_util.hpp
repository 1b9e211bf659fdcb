#pragma once
// Shared by the cube_* test files: systems are built through the scene path the app uses.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "scene_test_support.hpp"
#include "cube/cube_relax.hpp"
#include "cube/cube_system.hpp"

namespace cube_test {

inline std::unique_ptr<obs::CubeSystem> make(const nlohmann::json& params, std::uint64_t seed = 1) {
  return scene_test::make_system<obs::CubeSystem>("cube", params, seed);
}

using scene_test::metric;
using scene_test::metrics_of;

// Relaxes a small cube to machine precision (dense, tol 0, plenty of steps for a 5^3 cube).
inline void settle(obs::cube::Cube& c) {
  std::vector<obs::cube::RelaxStats> partial(static_cast<std::size_t>(c.n));
  obs::cube::RelaxStats st;
  for (int t = 0; t < 400; ++t) obs::cube::relax_step(c, t, false, 0.0f, partial, st);
}

// The free fixed point of c and the two nudged ones (+beta, -beta) reached from it.
struct Phases {
  obs::cube::Cube free, plus, minus;
};
inline Phases settle_phases(obs::cube::Cube c, float beta) {
  settle(c);
  Phases ph{c, c, c};
  ph.plus.beta = beta;
  ph.minus.beta = -beta;
  settle(ph.plus);
  settle(ph.minus);
  return ph;
}

// How well an estimate agrees with finite differences over many parameters.
struct Agreement {
  double dot = 0, ee = 0, ff = 0, worst = 0, largest = 0;
  int count = 0;
  void add(double fd, double est) {
    dot += fd * est;
    ee += est * est;
    ff += fd * fd;
    worst = std::max(worst, std::fabs(fd - est));
    largest = std::max(largest, std::fabs(fd));
    ++count;
  }
  double cosine() const { return dot / std::sqrt(ee * ff); }
};

}  // namespace cube_test
