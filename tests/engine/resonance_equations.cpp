// The pointwise equations of resonant compression against hand computations, and one full
// step of the system (Eq. 5, 8, 9, 41) recomputed in double from the dumped state.
#include <cmath>
#include <complex>
#include <numbers>

#include "core/rng.hpp"
#include "resonance/resonance_math.hpp"
#include "resonance_test_util.hpp"

using namespace resonance_test;
namespace rz = obs::resonance;
using std::numbers::pi;

TEST_CASE("Eq. 4 gate and Eq. 9 tuning on hand-worked values") {
  CHECK(rz::gate_open(0.0));
  CHECK(rz::gate_open(pi / 2 - 1e-9));
  CHECK_FALSE(rz::gate_open(pi / 2 + 1e-9));
  CHECK_FALSE(rz::gate_open(pi));
  CHECK(rz::gate_open(-pi / 3));
  // W = pi: sigma = (pi/2)^2; at the gate edge dphi = W/2 the tuning is e^{-1}.
  CHECK(rz::tuning(pi / 2, 0, pi) == doctest::Approx(std::exp(-1.0)).epsilon(1e-12));
  CHECK(rz::tuning(0.3, 0.3, 1.0) == doctest::Approx(1.0));
  // Shortest angle: 3 pi/2 away is pi/2 the other way.
  CHECK(rz::tuning(1.5 * pi, 0, 2.0) == doctest::Approx(std::exp(-(pi / 2) * (pi / 2) / 1.0)).epsilon(1e-12));
  // The kernel's float exp: relative error within a few float ulps over the range tuning uses.
  // (the float product x log2(e) limits it to ~6e-8 |x|).
  for (double x = -50; x <= 0; x += 0.173) {
    const double rel = std::abs(rz::fast_exp_neg(static_cast<float>(x)) / std::exp(static_cast<double>(static_cast<float>(x))) - 1);
    CHECK(rel < 1e-6 + 8e-8 * std::abs(x));
  }
  // Below e^-50 it is exactly 0, so no product of a weight, a bond and an amplitude turns
  // subnormal (each subnormal multiply-add costs ~100 cycles); far below, no overflow of the
  // exponent bits either.
  for (float x : {-50.01f, -60.0f, -87.0f, -100.0f, -1e30f}) CHECK(rz::fast_exp_neg(x) == 0.0f);
}

TEST_CASE("Eq. 15-19 coherence, baseline and D on hand-worked cases") {
  // Two equal phasors at 0 and pi/2: |u| = sqrt(2) w, coh = sqrt(2)/2; b = sqrt(pi/4) sqrt(2) / 2.
  const double coh = std::sqrt(2.0) / 2, b = std::sqrt(pi / 4) * std::sqrt(2.0) / 2;
  CHECK(rz::random_phase_baseline(2, 2) == doctest::Approx(b));
  CHECK(rz::division_score(1, 1, 2, 2) == doctest::Approx(coh / b));
  // Exact cancellation: D = 0; no weight: D = 0 rather than NaN.
  CHECK(rz::division_score(0, 0, 2, 2) == 0);
  CHECK(rz::division_score(0, 0, 0, 0) == 0);
  // Equal weights over n contributors: b = 0.886 / sqrt(n).
  CHECK(rz::random_phase_baseline(100, 100) == doctest::Approx(0.886227 / 10).epsilon(1e-5));
}

TEST_CASE("Eq. 17 by Monte Carlo: E[coh] of independent uniform phases matches the baseline") {
  obs::Rng rng(42);
  for (int n : {10, 50, 200}) {
    std::vector<double> w(static_cast<std::size_t>(n));
    double sw = 0, sw2 = 0;
    for (auto& x : w) {  // unequal weights, as P_ik A_i are
      x = rng.uniform(0.2, 1.0);
      sw += x;
      sw2 += x * x;
    }
    constexpr int trials = 20000;
    double mean = 0, sq = 0;
    for (int t = 0; t < trials; ++t) {
      std::complex<double> u = 0;
      for (double x : w) u += std::polar(x, rng.uniform(0, 2 * pi));
      const double c = std::abs(u) / sw;
      mean += c;
      sq += c * c;
    }
    mean /= trials;
    const double se = std::sqrt((sq / trials - mean * mean) / trials);
    const double expected = rz::random_phase_baseline(sw, sw2);
    // Eq. 16 is the large-n Rayleigh mean; at n = 10 its bias is below 2 %.
    CHECK(std::abs(mean - expected) < 4 * se + 0.02 * expected);
    if (n >= 50) CHECK(std::abs(mean - expected) < 4 * se + 0.005 * expected);
  }
}

TEST_CASE("Eq. 10 gate width narrows above D = 1, widens below, and stays in bounds") {
  CHECK(rz::gate_width_step(2.0, 3.0, 0.1, 0.5, 0.2, 0.5, 6.0) == doctest::Approx(2.0 - 0.1 * 0.5 * 2.0 * 2.0));
  CHECK(rz::gate_width_step(2.0, 0.5, 0.1, 0.5, 0.2, 0.5, 6.0) == doctest::Approx(2.0 + 0.1 * 0.2 * 0.5 * 2.0));
  CHECK(rz::gate_width_step(2.0, 1.0, 0.1, 0.5, 0.2, 0.5, 6.0) == doctest::Approx(2.0));
  CHECK(rz::gate_width_step(0.6, 100.0, 0.1, 0.5, 0.2, 0.5, 6.0) == 0.5);  // would go negative
  CHECK(rz::gate_width_step(5.9, 0.0, 1.0, 0.5, 0.2, 0.5, 6.0) == 6.0);
}

TEST_CASE("Eq. 11 and Eq. 12 amplitude steps") {
  // Eq. 11: A = 1, A0 = 0.5, I = 2, alpha = 1, rho = 0.1, h = 0.01: dA = -0.5 + 2 - 0.1.
  CHECK(rz::amplitude_cubic_step(1.0f, 0.5f, 2.0f, 1.0f, 0.1f, 0.01f) == doctest::Approx(1.0 + 0.01 * 1.4).epsilon(1e-6));
  CHECK(rz::amplitude_cubic_step(0.001f, 0.0f, -5.0f, 1.0f, 0.0f, 0.01f) == 0.0f);  // rectified
  // Eq. 12: (1 - alpha h) A + h I, rectified.
  CHECK(rz::amplitude_leaky_step(2.0f, 1.0f, 0.5f, 0.1f) == doctest::Approx(0.95 * 2.0 + 0.1).epsilon(1e-6));
  CHECK(rz::amplitude_leaky_step(0.1f, -10.0f, 0.5f, 0.1f) == 0.0f);
}

TEST_CASE("Eq. 13 bond step: in-gate capture only, elastic decay, bounded to [0, 1]") {
  // tau_p dP/dt = alpha G P max(0, Re) - lambda P; P = 0.5, alpha = 2, Re = 0.8, lambda = 0.5, tau = 2, h = 0.1.
  CHECK(rz::bond_step(0.5f, true, 0.8f, 2.0f, 0.5f, 2.0f, 0.1f) == doctest::Approx(0.5 + 0.05 * (0.8 - 0.25)).epsilon(1e-6));
  // Gate closed or anti-aligned: pure decay.
  CHECK(rz::bond_step(0.5f, false, 0.8f, 2.0f, 0.5f, 2.0f, 0.1f) == doctest::Approx(0.5 - 0.05 * 0.25).epsilon(1e-6));
  CHECK(rz::bond_step(0.5f, true, -3.0f, 2.0f, 0.5f, 2.0f, 0.1f) == doctest::Approx(0.5 - 0.05 * 0.25).epsilon(1e-6));
  CHECK(rz::bond_step(0.99f, true, 100.0f, 2.0f, 0.5f, 1.0f, 0.1f) == 1.0f);
}

TEST_CASE("snapping: bonds that decay below eps_snap are removed from P") {
  // No capture (alpha = 0), lambda = 1, tau = 1: P = 0.5 e^{-t} crosses 0.01 at t = ln 50 = 3.91 s.
  auto s = make({{"init", "single_carrier"}, {"N", 50}, {"capture_band", 0.0}, {"alpha_P", 0.0}, {"lambda_P", 1.0}, {"dissolution", false},
                 {"amplitude", "fixed"}, {"dt", 0.01}});
  run(*s, 380);
  CHECK(metrics_of(*s)["nnz"] == 50);
  run(*s, 20);
  auto m = metrics_of(*s);
  CHECK(m["nnz"] == 0);
  CHECK(m["snaps"] == 50);
  CHECK(m["density"] == 0);
}

namespace {

// One step of Eq. 36-41 for a single carrier and fixed amplitudes, in double, from a dump.
struct Expected {
  std::vector<double> phase;
  std::complex<double> c;
};
Expected hand_step(const nlohmann::json& j, double dt, double gamma, double beta) {
  const auto& car = j["carriers"][0];
  const std::complex<double> c(car["re"].get<double>(), car["im"].get<double>());
  const double psi = std::arg(c), W = car["W"].get<double>(), wk = car["omega"].get<double>();
  const bool G = std::cos(psi) >= 0;
  std::complex<double> u = 0;
  Expected e;
  for (const auto& o : j["oscillators"]) {
    const double phi = o["phase"].get<double>(), w = o["omega"].get<double>();
    const double P = o["bonds"][0][1].get<double>();
    const double T = rz::tuning(phi, psi, W);               // Eq. 9
    const std::complex<double> g = T * P * c;                // Eq. 8
    e.phase.push_back(rz::wrap(phi + dt * (w + std::imag(g * std::polar(1.0, -phi)))));  // Eq. 40
    if (G) u += T * P * std::polar(1.0, phi);                // Eq. 5 (A = 1)
  }
  const std::complex<double> rot = std::exp(std::complex<double>(-gamma * dt, wk * dt));
  const std::complex<double> lin = rot * c + (1 - std::exp(-gamma * dt)) / gamma * u;  // Eq. 41
  e.c = lin / std::sqrt(1 + 2 * dt * beta * std::norm(lin));  // exact flow of -beta |c|^2 c over dt
  return e;
}

void check_step(obs::ResonanceSystem& s, double dt, double gamma, double beta) {
  const auto before = dump_of(s);
  const Expected e = hand_step(before, dt, gamma, beta);
  s.step();
  const auto after = dump_of(s);
  const auto& car = after["carriers"][0];
  CHECK(car["re"].get<double>() == doctest::Approx(e.c.real()).epsilon(1e-5));
  CHECK(car["im"].get<double>() == doctest::Approx(e.c.imag()).epsilon(1e-5));
  for (std::size_t i = 0; i < e.phase.size(); ++i)
    CHECK(std::abs(rz::wrap(after["oscillators"][i]["phase"].get<double>() - e.phase[i])) < 2e-6);
}

}  // namespace

TEST_CASE("one full step reproduces Eq. 5 (gated, tuned drive), Eq. 8 and Eq. 41, gate open and closed") {
  const double dt = 0.01, gamma = 1.5, beta = 0.02;
  auto s = make({{"init", "single_carrier"}, {"N", 6}, {"amplitude", "fixed"}, {"bond_dynamics", false}, {"dt", dt},
                 {"gamma", gamma}, {"beta", beta}, {"W0", 2.0}, {"eta_narrow", 0.0}, {"eta_widen", 0.0}, {"omega0", 1.0},
                 {"P_init", 0.7}, {"dissolution", false}, {"mitosis", false}, {"genesis", false}, {"measure_every", 0}});
  // The carrier starts at psi = 0: gate open.
  REQUIRE(std::cos(std::arg(std::complex<double>(dump_of(*s)["carriers"][0]["re"].get<double>(),
                                                 dump_of(*s)["carriers"][0]["im"].get<double>()))) >= 0);
  check_step(*s, dt, gamma, beta);
  // Run until the carrier's gate is closed, then check that step too (no drive enters).
  for (int i = 0; i < 2000; ++i) {
    const auto j = dump_of(*s);
    if (std::cos(std::atan2(j["carriers"][0]["im"].get<double>(), j["carriers"][0]["re"].get<double>())) < -0.2) break;
    s->step();
  }
  const auto j = dump_of(*s);
  REQUIRE(std::cos(std::atan2(j["carriers"][0]["im"].get<double>(), j["carriers"][0]["re"].get<double>())) < 0);
  check_step(*s, dt, gamma, beta);
}

TEST_CASE("quasi-steady carrier (Eq. 42) in Algorithm 1's order: c from the phases before the step drives that step") {
  const double dt = 0.01, gamma = 1.5, beta = 0.3, kappa = 0.8;
  auto s = make({{"init", "single_carrier"}, {"N", 6}, {"amplitude", "fixed"}, {"bond_dynamics", false}, {"dt", dt},
                 {"carrier_model", "quasi_steady"}, {"gamma", gamma}, {"beta", beta}, {"kappa", kappa}, {"W0", 2.0},
                 {"eta_narrow", 0.0}, {"eta_widen", 0.0}, {"omega0", 1.0}, {"omega_width", 0.4}, {"P_init", 0.7},
                 {"dissolution", false}, {"mitosis", false}, {"genesis", false}, {"measure_every", 0}});
  for (int n = 0; n < 3; ++n) {  // the first step (carrier still at its initial value) and two more
    const auto before = dump_of(*s);
    const auto& car0 = before["carriers"][0];
    const double psi_old = std::atan2(car0["im"].get<double>(), car0["re"].get<double>()), W = car0["W"].get<double>();
    std::complex<double> u = 0;  // Eq. 5 drive, ungated, tuned against the carrier's phase before the update
    for (const auto& o : before["oscillators"]) {
      const double phi = o["phase"].get<double>();
      u += rz::tuning(phi, psi_old, W) * o["bonds"][0][1].get<double>() * std::polar(1.0, phi);
    }
    const std::complex<double> c = u / (gamma + beta * std::norm(u));  // Eq. 42
    s->step();
    const auto after = dump_of(*s);
    CHECK(after["carriers"][0]["re"].get<double>() == doctest::Approx(c.real()).epsilon(1e-5));
    CHECK(after["carriers"][0]["im"].get<double>() == doctest::Approx(c.imag()).epsilon(1e-5));
    for (std::size_t i = 0; i < before["oscillators"].size(); ++i) {
      const auto& o = before["oscillators"][i];
      const double phi = o["phase"].get<double>(), w = o["omega"].get<double>(), P = o["bonds"][0][1].get<double>();
      const std::complex<double> g = rz::tuning(phi, std::arg(c), W) * P * c;  // Eq. 8 with the new carrier
      const double expected = rz::wrap(phi + dt * (w + kappa * std::imag(g * std::polar(1.0, -phi))));  // Eq. 40
      CHECK(std::abs(rz::wrap(after["oscillators"][i]["phase"].get<double>() - expected)) < 2e-6);
    }
  }
}
