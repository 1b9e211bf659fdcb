#include "bench_systems.hpp"

#include <algorithm>

#include "core/scene.hpp"

namespace obs::bench {

std::unique_ptr<System> kuramoto(std::int64_t n, const std::string& integrator) {
  Scene scene;
  scene.system = "kuramoto";
  scene.seed = 7;
  scene.params = {{"N", n}, {"integrator", integrator}, {"K", 1.5}, {"gamma", 0.5}, {"dt", 0.01}};
  return instantiate(scene);
}

std::unique_ptr<CubeSystem> cube(std::int64_t n, std::int64_t batch, const std::string& engine) {
  Scene scene;
  scene.system = "cube";
  scene.seed = 7;
  scene.params = {{"n", n},         {"batch", batch},      {"engine", engine}, {"train_size", std::max<std::int64_t>(batch, 64)},
                  {"test_size", 0}, {"free_steps", 100000}, {"tol", 1e-4}};
  auto sys = instantiate(scene);
  return std::unique_ptr<CubeSystem>(static_cast<CubeSystem*>(sys.release()));
}

std::unique_ptr<System> resonance(std::int64_t n, const char* kernel) {
  Scene scene;
  scene.system = "resonance";
  scene.seed = 7;
  scene.params = {{"init", "random"}, {"N", n},           {"M0", 16},          {"M_max", 32},
                  {"d_max", 4},       {"bonds_init", 4},  {"lambda_P", 0.0},   {"measure_every", 0},
                  {"genesis", false}, {"mitosis", false}, {"dissolution", false}, {"kernel", kernel}};
  return instantiate(scene);
}

}  // namespace obs::bench
