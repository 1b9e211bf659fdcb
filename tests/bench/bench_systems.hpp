#pragma once
// The systems the benchmarks step, built the way the app builds them: a Scene through
// obs::instantiate. Shared by the per-engine benchmarks and the thread-count table.
#include <cstdint>
#include <memory>
#include <string>

#include "core/system.hpp"
#include "cube/cube_system.hpp"

namespace obs::bench {

// Kuramoto just above K_c = 2 gamma = 1: a partially locked state, the regime people watch.
std::unique_ptr<System> kuramoto(std::int64_t n, const std::string& integrator);

// A cube whose free phase never ends inside a measurement: the states keep relaxing from a
// fresh batch, which is what the lazy engine has to cope with.
std::unique_ptr<CubeSystem> cube(std::int64_t n, std::int64_t batch, const std::string& engine);

// Resonance with exactly 4 bonds per oscillator for the whole run (lambda_P = 0: bonds are still
// updated every step by Eq. 13, but none decays away) and no architecture changes.
// kernel: the resonance sweep kernel, "vector" (the default) or "scalar".
std::unique_ptr<System> resonance(std::int64_t n, const char* kernel = "vector");

}  // namespace obs::bench
