// The kuramoto system as a System: determinism (also across OpenMP thread counts),
// NaN/Inf quarantine, ablation, noise, metrics, snapshot, parameter edits, and the
// refusal of N = 10^12 before any allocation. Every system is built through a scene.
#include <doctest/doctest.h>

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>
#include <numbers>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "core/registry.hpp"
#include "kuramoto_test_util.hpp"

using namespace kuramoto_test;
using std::numbers::pi;

// ---- an allocation probe ---------------------------------------------------------------
// While armed, records the largest single operator-new request. Weak, so a stronger
// replacement elsewhere in the test binary wins without a link error (the positive control
// below would then fail loudly rather than the probe silently lying).
namespace {
std::atomic<bool> g_probe_armed{false};
std::atomic<std::size_t> g_probe_largest{0};

struct AllocationProbe {
  AllocationProbe() {
    g_probe_largest = 0;
    g_probe_armed = true;
  }
  ~AllocationProbe() { g_probe_armed = false; }
  std::size_t largest() const { return g_probe_largest.load(); }
};
}  // namespace

// Every form of the global operators is replaced, all on malloc/free: a form left out is the
// runtime's (under ASan, its own allocator), and memory from one allocator handed to the other
// is an alloc-dealloc mismatch. std::stable_sort's temporary buffer is one: it takes
// new(nothrow) and gives it back through plain delete.
namespace {
void probe_record(std::size_t n) {
  if (g_probe_armed.load(std::memory_order_relaxed)) {
    std::size_t prev = g_probe_largest.load(std::memory_order_relaxed);
    while (n > prev && !g_probe_largest.compare_exchange_weak(prev, n)) {
    }
  }
}
void* probe_malloc(std::size_t n) noexcept {
  probe_record(n);
  return std::malloc(n ? n : 1);
}
void* probe_aligned(std::size_t n, std::align_val_t a) noexcept {
  probe_record(n);
  const auto align = static_cast<std::size_t>(a);
  // aligned_alloc wants a size that is a multiple of the alignment.
  return std::aligned_alloc(align, ((n ? n : 1) + align - 1) / align * align);
}
}  // namespace

__attribute__((weak)) void* operator new(std::size_t n) {
  if (void* p = probe_malloc(n)) return p;
  throw std::bad_alloc();
}
__attribute__((weak)) void* operator new[](std::size_t n) {
  if (void* p = probe_malloc(n)) return p;
  throw std::bad_alloc();
}
__attribute__((weak)) void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return probe_malloc(n); }
__attribute__((weak)) void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return probe_malloc(n); }
__attribute__((weak)) void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = probe_aligned(n, a)) return p;
  throw std::bad_alloc();
}
__attribute__((weak)) void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = probe_aligned(n, a)) return p;
  throw std::bad_alloc();
}
__attribute__((weak)) void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return probe_aligned(n, a); }
__attribute__((weak)) void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return probe_aligned(n, a); }
__attribute__((weak)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, std::size_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

obs::Perturbation perturbation(obs::PerturbKind kind, double fraction, obs::AblateMode mode = obs::AblateMode::Remove) {
  obs::Perturbation p;
  p.kind = kind;
  p.fraction = fraction;
  p.mode = mode;
  return p;
}

std::size_t count_non_finite(const State& s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.phase.size(); ++i) n += !std::isfinite(s.phase[i]) || !std::isfinite(s.omega[i]);
  return n;
}

std::uint64_t hash_after(const nlohmann::json& params, std::uint64_t seed, int steps) {
  auto k = make(params, seed);
  for (int i = 0; i < steps; ++i) k->step();
  return k->state_hash();
}

struct OmpThreads {  // restores the OpenMP thread count however the test ends
  int saved = omp_get_max_threads();
  ~OmpThreads() { omp_set_num_threads(saved); }
};

}  // namespace

// ---- scale limits ----------------------------------------------------------------------

TEST_CASE("kuramoto: N = 1e12 is refused with /params/N before any allocation") {
  {
    // Positive control: the probe sees the real thing (N = 1e6 needs 4 MB per float array).
    AllocationProbe probe;
    auto k = make({{"N", 1'000'000}});
    CHECK(probe.largest() >= 4'000'000);
  }
  {
    AllocationProbe probe;
    obs::Scene scene = obs::parse_scene("{\"system\": \"kuramoto\", \"params\": {\"N\": 1e12}}", "huge.json");
    try {
      auto k = obs::instantiate(scene);
      FAIL("N = 1e12 was accepted");
    } catch (const obs::InputError& e) {
      CHECK(e.pointer() == "/params/N");
      CHECK(e.pos().line == 1);
      CHECK(e.pos().column == 40);
      CHECK(contains(e.what(), "huge.json:1:40: /params/N: "));
    }
    CHECK(probe.largest() < (1u << 20));  // nothing bigger than bookkeeping was asked for
  }
  {
    // From --set, and the byte count is computed without allocating.
    AllocationProbe probe;
    auto sys = obs::make_system("kuramoto");
    REQUIRE(sys);
    CHECK_THROWS_AS(sys->params().set_text("N", "1e12", "--set N"), obs::InputError);
    sys->params().set_text("N", "5e7", "--set N");  // the declared maximum
    CHECK(sys->bytes_needed() == 50'000'000ULL * 32);
    CHECK(sys->bytes_needed() < obs::memory_budget_bytes());
    CHECK(probe.largest() < (1u << 20));
  }
}

// ---- determinism -----------------------------------------------------------------------

TEST_CASE("kuramoto: same seed gives the same state hash after 1000 steps; different seeds differ") {
  for (const std::string integrator : {"euler", "rk4"}) {
    for (const std::string sampling : {"quantile", "random"}) {
      CAPTURE(integrator);
      CAPTURE(sampling);
      const nlohmann::json p = {{"N", 3000}, {"K", 1.5}, {"dt", 0.05}, {"integrator", integrator}, {"sampling", sampling}};
      const std::uint64_t a = hash_after(p, 42, 1000), b = hash_after(p, 42, 1000), c = hash_after(p, 43, 1000);
      CHECK(a == b);
      CHECK(a != c);
      CHECK(a != hash_after(p, 42, 999));  // the hash follows the state
    }
  }
  // reset(seed) on a used system reproduces a fresh one, step for step.
  auto k = make({{"N", 2000}, {"K", 2}}, 5);
  const std::uint64_t h0 = k->state_hash();
  for (int i = 0; i < 100; ++i) k->step();
  const std::uint64_t h100 = k->state_hash();
  k->perturb(perturbation(obs::PerturbKind::Ablate, 0.3));
  k->reset(5);
  CHECK(k->state_hash() == h0);
  CHECK(k->steps() == 0);
  CHECK(k->active() == 2000);
  for (int i = 0; i < 100; ++i) k->step();
  CHECK(k->state_hash() == h100);

  // Perturbations draw from the seeded stream too: the same sequence reproduces.
  auto run = [](std::uint64_t seed) {
    auto s = make({{"N", 2000}, {"K", 2}}, seed);
    obs::Perturbation noise = perturbation(obs::PerturbKind::Noise, 0);
    noise.amplitude = 0.3;
    for (int i = 0; i < 50; ++i) s->step();
    s->perturb(noise);
    s->perturb(perturbation(obs::PerturbKind::Ablate, 0.1, obs::AblateMode::Freeze));
    s->perturb(perturbation(obs::PerturbKind::Ablate, 0.1, obs::AblateMode::Remove));
    s->perturb(perturbation(obs::PerturbKind::InjectNaN, 0.01));
    for (int i = 0; i < 50; ++i) s->step();
    return s->state_hash();
  };
  CHECK(run(8) == run(8));
  CHECK(run(8) != run(9));
}

TEST_CASE("kuramoto: the state hash does not depend on the OpenMP thread count") {
  // N = 1e5 is 25 blocks of 4096, above the 16 at which the kernels go parallel.
  OmpThreads restore;
  for (const std::string integrator : {"euler", "rk4"}) {
    CAPTURE(integrator);
    const nlohmann::json p = {{"N", 100'000}, {"K", 1.5}, {"dt", 0.05}, {"integrator", integrator}};
    const int steps = std::string(integrator) == "euler" ? 1000 : 250;
    std::vector<std::uint64_t> hashes;
    std::vector<double> rs;
    for (int threads : {1, 2, 3}) {
      omp_set_num_threads(threads);
      auto k = make(p, 77);
      for (int i = 0; i < steps; ++i) k->step();
      hashes.push_back(k->state_hash());
      rs.push_back(k->order_parameter());
    }
    CHECK(hashes[0] == hashes[1]);
    CHECK(hashes[0] == hashes[2]);
    CHECK(rs[0] == rs[1]);  // bit-identical metrics too
  }
}

// ---- NaN / Inf -------------------------------------------------------------------------

TEST_CASE("kuramoto: NaN and Inf injections are detected, reported, quarantined, and do not spread") {
  for (const obs::PerturbKind kind : {obs::PerturbKind::InjectNaN, obs::PerturbKind::InjectInf}) {
    for (const std::string integrator : {"euler", "rk4"}) {
      for (std::uint64_t seed : {1u, 2u, 3u}) {
        const bool nan = kind == obs::PerturbKind::InjectNaN;
        CAPTURE(nan);
        CAPTURE(integrator);
        CAPTURE(seed);
        const nlohmann::json p = {{"N", 10000}, {"gamma", 0.5}, {"K", 2}, {"dt", 0.05}, {"integrator", integrator}};
        auto k = make(p, seed);
        auto twin = make(p, seed);  // the same run without the fault
        const Average before = time_average(*k, 40, 10);
        time_average(*twin, 40, 10);
        REQUIRE(k->state_hash() == twin->state_hash());
        k->drain_events();

        k->perturb(perturbation(kind, 0.01));  // 1% of 10000 = 100 distinct oscillators
        State s = state_of(*k);
        CHECK(count_non_finite(s) == 100);
        auto events = k->drain_events();
        REQUIRE(events.size() == 1);
        CHECK(contains(events[0].text, nan ? "NaN" : "Inf"));
        CHECK(contains(events[0].text, "100 oscillator"));

        k->step();
        twin->step();
        events = k->drain_events();
        REQUIRE(events.size() == 1);
        CHECK(events[0].level == obs::Event::Level::Warning);
        CHECK(contains(events[0].text, "quarantined"));
        CHECK(contains(events[0].text, "100 oscillator"));
        const std::vector<double> m = metrics_of(*k);
        CHECK(std::isfinite(m[0]));
        CHECK(std::isfinite(m[1]));
        CHECK(std::isfinite(m[2]));
        CHECK(m[3] == 9900);  // active
        CHECK(m[4] == 100);   // quarantined
        s = state_of(*k);
        CHECK(s.phase.size() == 9900);
        CHECK(s.removed == 100);
        CHECK(s.quarantined == 100);
        CHECK(count_non_finite(s) == 0);

        // The survivors moved as if nothing had happened: the fault never reached the mean
        // field they used. Oscillators are matched by their (distinct) natural frequencies.
        const State t = state_of(*twin);
        std::vector<std::pair<double, double>> twin_by_omega;
        for (std::size_t i = 0; i < t.phase.size(); ++i) twin_by_omega.emplace_back(t.omega[i], t.phase[i]);
        std::sort(twin_by_omega.begin(), twin_by_omega.end());
        double worst = 0;
        for (std::size_t i = 0; i < s.phase.size(); ++i) {
          const auto it = std::lower_bound(twin_by_omega.begin(), twin_by_omega.end(), std::make_pair(s.omega[i], -1e300));
          REQUIRE(it != twin_by_omega.end());
          REQUIRE(it->first == s.omega[i]);
          worst = std::max(worst, std::abs(std::remainder(s.phase[i] - it->second, 2 * pi)));
        }
        // Euler uses the pre-fault field: identical up to float rounding. RK4 re-reads the
        // field once after the quarantine, which perturbs that one step by O(dt^2).
        CHECK(worst < (std::string(integrator) == "euler" ? 1e-5 : 1e-2));

        // Afterwards r stays finite and where it was (100 random units out of 10^4 hardly
        // move the mean field); a spread NaN would make it NaN, a collapse would make it ~0.
        const Average after = time_average(*k, 0, 20);
        CHECK(std::isfinite(after.r_min));
        CHECK(std::isfinite(after.r_max));
        CHECK(std::abs(after.r - before.r) < 0.02);
        CHECK(after.r_min > before.r - 0.05);
        CHECK(k->drain_events().empty());  // quarantined once, not again every step
        CHECK(count_non_finite(state_of(*k)) == 0);
      }
    }
  }
}

TEST_CASE("kuramoto: injecting into every oscillator leaves an empty but finite system") {
  auto k = make({{"N", 50}, {"K", 1}});
  k->perturb(perturbation(obs::PerturbKind::InjectNaN, 1.0));
  CHECK(count_non_finite(state_of(*k)) == 50);
  k->step();
  CHECK(k->active() == 0);
  const std::vector<double> m = metrics_of(*k);
  for (double v : m) CHECK(std::isfinite(v));
  CHECK(m[0] == 0);
  k->step();  // stepping an empty population is harmless
  CHECK(k->steps() == 2);
}

// ---- ablation and noise ----------------------------------------------------------------

TEST_CASE("kuramoto: ablation removes or freezes the requested counts; frozen units keep pulling") {
  auto k = make({{"N", 1000}, {"K", 2}, {"dt", 0.05}, {"integrator", "euler"}}, 4);
  for (int i = 0; i < 40; ++i) k->step();
  k->drain_events();

  k->perturb(perturbation(obs::PerturbKind::Ablate, 0.1, obs::AblateMode::Remove));
  CHECK(k->active() == 900);
  CHECK(k->moving() == 900);
  auto events = k->drain_events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].text == "removed 100 oscillators");

  k->perturb(perturbation(obs::PerturbKind::Ablate, 0.2, obs::AblateMode::Freeze));  // 20% of 900 moving
  CHECK(k->moving() == 720);
  CHECK(k->active() == 900);
  CHECK(k->drain_events().at(0).text == "froze 180 oscillators");
  State s = state_of(*k);
  CHECK(s.moving == 720);
  CHECK(s.frozen == 180);
  CHECK(s.removed == 100);
  const std::vector<double> frozen(s.phase.begin() + 720, s.phase.end());

  for (int i = 0; i < 50; ++i) k->step();
  s = state_of(*k);
  CHECK(std::vector<double>(s.phase.begin() + 720, s.phase.end()) == frozen);  // not one bit moved

  // One Euler step by hand: the field is the mean over every active unit, moving and frozen
  // (removed ones are not in the dump and take no part), normalised by the active count.
  {
    const double K = 2, dt = 0.05;
    const std::complex<double> z = order_of(s.phase);
    k->step();
    const State next = state_of(*k);
    double worst = 0;
    for (std::size_t i = 0; i < 720; ++i) {
      const double v = s.omega[i] + K * std::imag(z * std::polar(1.0, -s.phase[i]));
      worst = std::max(worst, std::abs(std::remainder(next.phase[i] - (s.phase[i] + dt * v), 2 * pi)) /
                                  (1 + std::abs(s.omega[i] * dt)));
    }
    CHECK(worst < 2e-6);
    s = next;
  }
  // r counts moving and frozen units alike, and not removed ones.
  const auto z = order_of(s.phase);
  CHECK(k->order_parameter() == doctest::Approx(std::abs(z)).epsilon(1e-5));
  CHECK(std::abs(std::remainder(k->mean_phase() - std::arg(z), 2 * pi)) < 1e-5);

  // Removing while some are frozen takes only moving units and keeps the frozen set.
  k->perturb(perturbation(obs::PerturbKind::Ablate, 0.5, obs::AblateMode::Remove));
  s = state_of(*k);
  CHECK(s.moving == 360);
  CHECK(s.frozen == 180);
  CHECK(s.removed == 460);
  std::vector<double> now_frozen(s.phase.begin() + 360, s.phase.end()), expect = frozen;
  std::sort(now_frozen.begin(), now_frozen.end());
  std::sort(expect.begin(), expect.end());
  CHECK(now_frozen == expect);

  // A fraction of 0 ablates nothing (the slider at zero); a tiny one still hits one unit;
  // a fraction of 1 takes every moving unit.
  k->perturb(perturbation(obs::PerturbKind::Ablate, 0.0, obs::AblateMode::Remove));
  CHECK(k->moving() == 360);
  k->perturb(perturbation(obs::PerturbKind::Ablate, 1e-9, obs::AblateMode::Remove));
  CHECK(k->moving() == 359);
  k->perturb(perturbation(obs::PerturbKind::Ablate, 1.0, obs::AblateMode::Remove));
  CHECK(k->moving() == 0);
  CHECK(k->active() == 180);
  k->step();
  CHECK(std::isfinite(k->order_parameter()));
  CHECK(k->order_parameter() == doctest::Approx(std::abs(order_of(state_of(*k).phase))).epsilon(1e-6));
}

TEST_CASE("kuramoto: a phase-noise kick has the requested amplitude; a non-finite one is refused") {
  auto k = make({{"N", 20000}, {"K", 1}}, 6);
  const State before = state_of(*k);
  obs::Perturbation p = perturbation(obs::PerturbKind::Noise, 0);
  p.amplitude = 0.1;
  k->perturb(p);
  const State after = state_of(*k);
  double m = 0, v = 0;
  const double n = static_cast<double>(before.phase.size());
  for (std::size_t i = 0; i < before.phase.size(); ++i) {
    CHECK(std::abs(after.phase[i]) <= pi + 1e-6);
    const double d = std::remainder(after.phase[i] - before.phase[i], 2 * pi);
    m += d;
    v += d * d;
  }
  m /= n;
  const double sd = std::sqrt(v / n - m * m);
  CHECK(std::abs(m) < 5 * 0.1 / std::sqrt(n));
  CHECK(std::abs(sd - 0.1) < 5 * 0.1 / std::sqrt(2 * n));
  // r was refreshed for the kicked phases.
  CHECK(k->order_parameter() == doctest::Approx(std::abs(order_of(after.phase))).epsilon(1e-9));

  const std::uint64_t h = k->state_hash();
  p.amplitude = std::numeric_limits<double>::quiet_NaN();
  try {
    k->perturb(p);
    FAIL("a NaN amplitude was accepted");
  } catch (const obs::InputError& e) {
    CHECK(e.pointer() == "/perturb/amplitude");
  }
  CHECK(k->state_hash() == h);
  CHECK(k->supported_perturbations().size() == 4);
}

// ---- metrics, snapshot, dump, edits -----------------------------------------------------

TEST_CASE("kuramoto: metrics r, psi, mean_freq agree with the phases and with theory") {
  CHECK(make({{"N", 2}})->metric_names() == std::vector<std::string>{"r", "psi", "mean_freq", "active", "quarantined"});
  for (const std::string integrator : {"euler", "rk4"}) {
    CAPTURE(integrator);
    const double omega0 = 1.5, dt = 0.05;
    auto k = make({{"N", 10000}, {"omega0", omega0}, {"K", 2}, {"dt", dt}, {"integrator", integrator}}, 12);
    time_average(*k, 40, 1);
    const State s = state_of(*k);
    const auto z = order_of(s.phase);
    std::vector<double> m = metrics_of(*k);
    CHECK(m[0] == doctest::Approx(std::abs(z)).epsilon(1e-5));
    CHECK(std::abs(std::remainder(m[1] - std::arg(z), 2 * pi)) < 1e-5);
    // The coupling term averages to zero over all oscillators (sum sin(psi - phi_i) = 0 when
    // r e^{i psi} is their own mean), so the mean velocity is the mean natural frequency.
    double mean_omega = 0;
    for (double w : s.omega) mean_omega += w;
    mean_omega /= static_cast<double>(s.omega.size());
    CHECK(m[2] == doctest::Approx(mean_omega).epsilon(1e-3));
    CHECK(mean_omega == doctest::Approx(omega0).epsilon(1e-3));  // symmetric quantiles
    // The locked cluster rotates at omega0: psi advances omega0 per unit time. psi itself
    // jitters by O(1/sqrt N) ~ 1e-2 rad (drifting oscillators), so measure the rate over
    // T = 20, unwrapping step by step: the jitter contributes ~1e-2 / 20 = 5e-4 rad/s.
    double psi_prev = k->mean_phase(), advance = 0;
    for (int i = 0; i < 400; ++i) {
      k->step();
      advance += std::remainder(k->mean_phase() - psi_prev, 2 * pi);
      psi_prev = k->mean_phase();
    }
    CHECK(advance / (400 * dt) == doctest::Approx(omega0).epsilon(2e-3));
    CHECK(metrics_of(*k)[3] == 10000);
    CHECK(metrics_of(*k)[4] == 0);
  }
}

TEST_CASE("kuramoto: snapshot and dump describe the current state") {
  auto k = make({{"N", 500}, {"distribution", "gaussian"}, {"sigma", 0.4}, {"omega0", 0.25}, {"K", 1.7}}, 3);
  for (int i = 0; i < 7; ++i) k->step();
  k->perturb(perturbation(obs::PerturbKind::Ablate, 0.1, obs::AblateMode::Freeze));
  k->perturb(perturbation(obs::PerturbKind::Ablate, 0.1, obs::AblateMode::Remove));
  const auto base = k->snapshot();
  const auto* snap = dynamic_cast<const obs::KuramotoSnapshot*>(base.get());
  REQUIRE(snap);
  const State s = state_of(*k);
  CHECK(snap->step == 7);
  CHECK(snap->phase.size() == s.phase.size());
  for (std::size_t i = 0; i < s.phase.size(); ++i) {
    CHECK(snap->phase[i] == static_cast<float>(s.phase[i]));
    CHECK(snap->omega[i] == static_cast<float>(s.omega[i]));
  }
  CHECK(snap->moving == s.moving);
  CHECK(snap->moving == 405);  // 500 - 50 frozen - 45 removed
  CHECK(snap->removed == 45);
  CHECK(snap->r == k->order_parameter());
  CHECK(snap->psi == k->mean_phase());
  CHECK(snap->K == 1.7);
  CHECK(snap->Kc == doctest::Approx(std::sqrt(8 / pi) * 0.4));
  CHECK(snap->omega_lo < 0.25);
  CHECK(snap->omega_hi > 0.25);
  // A snapshot is a copy: stepping on does not change it.
  const std::vector<float> copy = snap->phase;
  k->step();
  CHECK(snap->phase == copy);

  nlohmann::json j;
  k->dump(j);
  CHECK(j["system"] == "kuramoto");
  CHECK(j["step"] == 8);
  CHECK(j["seed"] == 3);
  CHECK(j["params"] == k->params().to_json());
  CHECK(j["moving"] == 405);
  CHECK(j["frozen"] == 50);
  CHECK(j["removed"] == 45);
}

TEST_CASE("kuramoto: parameter edits take effect between steps without a reset") {
  auto k = make({{"N", 5000}, {"K", 2}, {"dt", 0.05}, {"integrator", "euler"}}, 2);
  for (int i = 0; i < 100; ++i) k->step();
  // K = 0: every oscillator then turns by exactly omega_i dt.
  k->params().set_json("K", 0, "/params/K");
  k->params().set_json("dt", 0.02, "/params/dt");
  k->apply_params();
  const State a = state_of(*k);
  k->step();
  const State b = state_of(*k);
  CHECK(b.step == 101);
  double worst = 0;
  for (std::size_t i = 0; i < a.phase.size(); ++i) {
    const double expected = a.phase[i] + a.omega[i] * 0.02;
    worst = std::max(worst, std::abs(std::remainder(b.phase[i] - expected, 2 * pi)) / (1 + std::abs(a.omega[i] * 0.02)));
  }
  CHECK(worst < 2e-6);
}

TEST_CASE("kuramoto: switching integrator, then changing N, then ablating is safe and equals a fresh run") {
  // RK4 scratch arrays sized for the old N must not outlive a reset to a larger N.
  auto a = make({{"N", 1000}, {"integrator", "rk4"}}, 1);
  a->step();
  a->params().set_json("integrator", "euler", "/params/integrator");
  a->apply_params();
  a->params().set_json("N", 4000, "/params/N");  // a restart parameter
  a->reset(1);
  a->perturb(perturbation(obs::PerturbKind::Ablate, 0.5, obs::AblateMode::Remove));
  a->perturb(perturbation(obs::PerturbKind::Ablate, 0.5, obs::AblateMode::Freeze));
  auto b = make({{"N", 4000}, {"integrator", "euler"}}, 1);
  b->perturb(perturbation(obs::PerturbKind::Ablate, 0.5, obs::AblateMode::Remove));
  b->perturb(perturbation(obs::PerturbKind::Ablate, 0.5, obs::AblateMode::Freeze));
  CHECK(a->state_hash() == b->state_hash());
  for (auto* k : {a.get(), b.get()}) {
    k->params().set_json("integrator", "rk4", "/params/integrator");
    k->apply_params();
    k->perturb(perturbation(obs::PerturbKind::InjectNaN, 0.01));
    for (int i = 0; i < 10; ++i) k->step();
  }
  CHECK(a->state_hash() == b->state_hash());
  CHECK(a->active() == 2000 - 10);
  CHECK(count_non_finite(state_of(*a)) == 0);
}
