// The golden-hash table (Box2D's test_determinism is the model): every shipped scene gives the
// same state hash after its steps on one thread, on two threads (plain OpenMP), and with every
// parallel region flipping between one and two threads from run to run (what the adaptive team
// may do mid-run). The app's GUI and a headless run of the same scene and seed therefore agree
// whatever the machine's load. Scenes whose sizes would not reach a parallel region are
// enlarged where noted.
//
// The hash itself is also pinned, so a change that moves any engine's numbers is seen. The
// kernels' `omp simd` reductions and FMA contraction make the bits depend on the instruction set
// and the CPU that -march=native tunes for, and on the optimisation level, so the expected values
// are recorded per build fingerprint; a build with another fingerprint still checks thread
// agreement and prints its own hashes, ready to be added as a column.
#include <doctest/doctest.h>
#include <omp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/adaptive_team.hpp"
#include "core/input_error.hpp"
#include "core/scene.hpp"

namespace {

struct Row {
  const char* scene;
  int steps;
  std::vector<obs::ParamOverride> overrides;
  std::uint64_t expected;  // for kReferenceBuild; 0 = none recorded
};

// What the instruction set and build type make of the numbers.
std::string build_fingerprint() {
  std::string isa =
#if defined(__AVX512F__)
      "avx512f";
#elif defined(__AVX2__)
      "avx2";
#elif defined(__AVX__)
      "avx";
#else
      "generic";
#endif
#if defined(__FMA__)
  isa += "+fma";
#endif
  return std::string(OBS_BUILD_TYPE) + "/" + isa + "/" + OBS_TARGET_CPU;
}
// The build the expected hashes were recorded on (Debian 12, GCC 12, a Xeon that GCC calls
// rocketlake). The earlier column, from another AVX-512 Xeon, was recorded before the CPU was part
// of the fingerprint and could not be named, so it was replaced.
constexpr const char* kReferenceBuild = "Release/avx512f+fma/rocketlake";

// Step counts keep the whole table to a few seconds per mode.
const std::vector<Row>& table() {
  static const std::vector<Row> rows = {
      {"default.json", 200, {{"N", "100000"}}, 334652540724263996ull},  // 25 blocks of 4096: parallel from 16
      {"kuramoto_gaussian.json", 100, {{"N", "100000"}, {"integrator", "rk4"}}, 17233383245300629643ull},
      {"kuramoto_lorentzian.json", 200, {}, 1649902273840619350ull},
      {"cube_demo.json", 150, {}, 5515883030864917169ull},
      {"cube_lazy.json", 60, {}, 10891426185021561478ull},
      {"cube_fashion.json", 2, {{"train_size", "256"}, {"test_size", "128"}}, 9955071308616807823ull},
      {"eqprop_fashion.json", 200, {{"train_size", "4000"}, {"test_size", "200"}}, 18422602876617929090ull},
      {"eqprop_moons.json", 300, {}, 13874864823005727786ull},
      {"eqprop_gradcheck.json", 50, {}, 8005365001449043498ull},
      {"resonance_large.json", 40, {}, 5044405155536161670ull},
      {"resonance_stream.json", 600, {}, 5259272220559397873ull},
      {"resonance_two_groups.json", 400, {}, 8226149721904491996ull},
      {"pump_default.json", 50, {}, 9079009998326289562ull},
      {"pump_single_arm.json", 50, {}, 10183680223092832148ull},
      {"pump_strong_valve.json", 50, {}, 3989874338138993410ull},
      {"sparse_demo.json", 320, {}, 3008604269261992404ull},  // six SET rewirings and an epoch's test pass
      {"sparse_fashion.json", 220, {{"train_size", "2000"}, {"test_size", "200"}}, 18255784548255487230ull},  // three epochs, two RigL rewirings
      {"sparse_grow.json", 320, {}, 10897839027144609700ull},  // sixteen planner cycles, a split at the tenth, and an epoch's test pass
  };
  return rows;
}

enum class Mode { OneThread, TwoThreads, Alternating };

// The hash after the row's steps, or 0 when the scene cannot run here (its data set is missing).
std::uint64_t hash_after(const Row& row, Mode mode) {
  omp_set_num_threads(mode == Mode::OneThread ? 1 : 2);
  obs::AdaptiveTeam::set_policy(mode == Mode::Alternating ? obs::AdaptiveTeam::Policy::Alternate : obs::AdaptiveTeam::Policy::Fixed);
  obs::Scene scene = obs::load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/" + row.scene);
  std::unique_ptr<obs::System> system;
  try {
    system = obs::instantiate(scene, row.overrides);
  } catch (const obs::InputError& e) {
    MESSAGE("skipped " << row.scene << ": " << e.what());
    return 0;
  }
  for (int i = 0; i < row.steps; ++i) system->step();
  return system->state_hash();
}

}  // namespace

TEST_CASE("golden-hash table: every scene's state is bit-identical on one thread, two, and a changing team") {
  const int saved = omp_get_max_threads();
  const bool reference = build_fingerprint() == kReferenceBuild;
  if (!reference) MESSAGE("build " << build_fingerprint() << ": no golden hashes recorded (they are for " << kReferenceBuild << "); thread agreement only");
  std::string hashes;
  for (const Row& row : table()) {
    const std::string scene_name = row.scene;
    CAPTURE(scene_name);
    const std::uint64_t one = hash_after(row, Mode::OneThread);
    if (one == 0) continue;
    hashes += std::string(row.scene) + " " + std::to_string(one) + "\n";
    if (reference) CHECK(one == row.expected);
    CHECK(hash_after(row, Mode::TwoThreads) == one);
    CHECK(hash_after(row, Mode::Alternating) == one);
  }
  MESSAGE("state hashes on " << build_fingerprint() << ":\n" << hashes);
  obs::AdaptiveTeam::set_policy(obs::AdaptiveTeam::Policy::Adaptive);
  omp_set_num_threads(saved);
}
