#pragma once
// Shared by the kuramoto_* test files: systems are built through the scene path the app
// uses (scene text -> parse_scene -> instantiate), never by poking the class directly.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

#include "kuramoto/kuramoto_system.hpp"
#include "scene_test_support.hpp"

namespace kuramoto_test {

inline std::unique_ptr<obs::KuramotoSystem> make(const nlohmann::json& params, std::uint64_t seed = 1) {
  return scene_test::make_system<obs::KuramotoSystem>("kuramoto", params, seed);
}

using scene_test::metric;
using scene_test::metrics_of;

struct Average {
  double r = 0, r2 = 0;               // time averages of r and r^2
  double r_min = 1e300, r_max = -1e300;
};

// Steps through t_skip of transients, then averages r and r^2 over t_avg (in model time).
inline Average time_average(obs::KuramotoSystem& k, double t_skip, double t_avg) {
  const double dt = k.params().real("dt");
  const long skip = std::lround(t_skip / dt), avg = std::lround(t_avg / dt);
  for (long i = 0; i < skip; ++i) k.step();
  Average a;
  for (long i = 0; i < avg; ++i) {
    k.step();
    const double r = k.order_parameter();
    a.r += r;
    a.r2 += r * r;
    a.r_min = std::min(a.r_min, r);
    a.r_max = std::max(a.r_max, r);
  }
  a.r /= static_cast<double>(avg);
  a.r2 /= static_cast<double>(avg);
  return a;
}

struct State {
  std::vector<double> phase, omega;
  std::size_t moving = 0, frozen = 0, removed = 0;
  std::uint64_t quarantined = 0, step = 0;
};

// The state as the system publishes it (dump), in double.
inline State state_of(const obs::KuramotoSystem& k) {
  nlohmann::json j;
  k.dump(j);
  State s;
  s.phase = j["phase"].get<std::vector<double>>();
  s.omega = j["omega"].get<std::vector<double>>();
  s.moving = j["moving"].get<std::size_t>();
  s.frozen = j["frozen"].get<std::size_t>();
  s.removed = j["removed"].get<std::size_t>();
  s.quarantined = j["quarantined"].get<std::uint64_t>();
  s.step = j["step"].get<std::uint64_t>();
  return s;
}

// r e^{i psi} = (1/N) sum_j e^{i phi_j}, computed independently in double with libm.
inline std::complex<double> order_of(const std::vector<double>& phase) {
  std::complex<double> z = 0;
  for (double p : phase) z += std::polar(1.0, p);
  return phase.empty() ? z : z / static_cast<double>(phase.size());
}

}  // namespace kuramoto_test
