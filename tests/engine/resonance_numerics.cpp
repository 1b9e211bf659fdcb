// §9.3 numerics: integer phase accumulators have no drift; determinism; options that must not
// change the physics (rotating frame) do not.
#include <omp.h>

#include <cmath>

#include "resonance/resonance_math.hpp"
#include "resonance_test_util.hpp"

using namespace resonance_test;
namespace rz = obs::resonance;

namespace {
nlohmann::json free_running(const std::string& phase) {
  // No carriers: every oscillator runs free at omega_i.
  return {{"init", "random"}, {"N", 3}, {"M0", 0}, {"phase", phase}, {"amplitude", "fixed"}, {"dt", 0.01},
          {"omega0", 1.0}, {"omega_width", 0.7}, {"genesis", false}, {"measure_every", 0}};
}
}  // namespace

TEST_CASE("int64 accumulators: after n free-running steps Phi = Phi_0 + n Delta mod 2^64, exactly") {
  auto s = make(free_running("int64"));
  const auto j0 = dump_of(*s);
  constexpr int n = 200000;
  run(*s, n);
  const auto j1 = dump_of(*s);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto a0 = j0["oscillators"][i]["acc"].get<std::uint64_t>();
    const auto a1 = j1["oscillators"][i]["acc"].get<std::uint64_t>();
    const std::uint64_t inc = rz::accumulator_increment(j0["oscillators"][i]["omega"].get<double>() * 0.01);
    CHECK(a1 == rz::accumulator_after(a0, inc, n));
  }
}

TEST_CASE("int64 accumulators: no drift over 1e9 steps (closed form), where float phases drift") {
  // The step is Phi <- Phi + Delta in unsigned 64-bit arithmetic, which is exact modular
  // addition; the previous case checks the running system equals the closed form step for step,
  // so the closed form at n = 1e9 is what 1e9 steps of the system give. Its phase error against
  // the exact n omega dt is the increment's rounding, |e| <= 2 pi 2^-64 per step.
  const double omega = 1.2345678, dt = 0.01;
  const std::uint64_t inc = rz::accumulator_increment(omega * dt);
  const std::uint64_t n = 1'000'000'000ULL;
  const double exact = std::fmod(static_cast<long double>(omega) * dt * static_cast<long double>(n), 2 * std::numbers::pi);
  const double got = static_cast<double>(static_cast<std::int64_t>(rz::accumulator_after(0, inc, n))) / rz::kAccumulatorPerRad;
  CHECK(std::abs(rz::wrap(got - exact)) < 1e-8);  // + double rounding of omega dt, ~1e-18 x 1e9
  // A float phase stepped the ordinary way drifts measurably within 2e5 steps.
  auto f = make(free_running("float"));
  auto a = make(free_running("int64"));
  const auto j0 = dump_of(*f);
  constexpr int steps = 200'000;
  run(*f, steps);
  run(*a, steps);
  const auto jf = dump_of(*f), ja = dump_of(*a);
  double err_float = 0, err_int = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const double w = j0["oscillators"][i]["omega"].get<double>(), p0 = j0["oscillators"][i]["phase"].get<double>();
    const double ideal = std::fmod(p0 + static_cast<long double>(w) * dt * steps, 2 * std::numbers::pi);
    err_float = std::max(err_float, std::abs(rz::wrap(jf["oscillators"][i]["phase"].get<double>() - ideal)));
    err_int = std::max(err_int, std::abs(rz::wrap(ja["oscillators"][i]["phase"].get<double>() - ideal)));
  }
  CHECK(err_int < 1e-6);   // float32 readout of an exact accumulator (+ initial rounding)
  MESSAGE("after 2e5 steps: float phase error " << err_float << " rad, int64 " << err_int << " rad");
  CHECK(err_float > 1e-4);  // rounding accumulates
}

TEST_CASE("determinism: same scene + seed gives the same state hash, whatever the thread count") {
  auto hash_after = [](std::uint64_t seed, int threads) {
    omp_set_num_threads(threads);
    auto s = make({{"init", "random"}, {"N", 10000}, {"M0", 6}, {"dither", 0.05}, {"measure_every", 50}}, seed);
    run(*s, 60);
    return s->state_hash();
  };
  const auto a = hash_after(3, 2), b = hash_after(3, 2), c = hash_after(3, 1), d = hash_after(4, 2);
  omp_set_num_threads(2);
  CHECK(a == b);
  CHECK(a == c);
  CHECK(a != d);
  auto st1 = from_file("resonance_stream.json"), st2 = from_file("resonance_stream.json");
  run(*st1, 1500);
  run(*st2, 1500);
  CHECK(st1->state_hash() == st2->state_hash());
}

TEST_CASE("readouts never feed back: switching the measurement off leaves the dynamics bit-identical") {
  auto on = from_file("resonance_stream.json", {{"measure_every", "10"}});
  auto off = from_file("resonance_stream.json", {{"measure_every", "0"}});
  run(*on, 1200);
  run(*off, 1200);
  CHECK(on->state_hash() == off->state_hash());
  CHECK(std::isfinite(metrics_of(*on)["phase_dist_shared"]));
}

TEST_CASE("rotating frame (§8.3.1) gives the same dynamics as the lab frame") {
  nlohmann::json p = {{"init", "single_carrier"}, {"N", 300}, {"omega0", 5.0}, {"omega_width", 0.3}, {"init_spread", 1.0},
                      {"measure_every", 0}, {"genesis", false}};
  auto lab = make(p);
  p["rotating_frame"] = true;
  p["Omega"] = 5.0;
  auto rot = make(p);
  for (int i = 0; i < 5; ++i) {
    run(*lab, 40);
    run(*rot, 40);
    CHECK(rot->order_parameter() == doctest::Approx(lab->order_parameter()).epsilon(2e-3));
  }
  const auto jl = dump_of(*lab), jr = dump_of(*rot);
  CHECK(jr["carriers"][0]["D"].get<double>() == doctest::Approx(jl["carriers"][0]["D"].get<double>()).epsilon(1e-2));
}
