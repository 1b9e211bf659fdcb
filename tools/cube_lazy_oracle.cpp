// cube_lazy_oracle: runs a cube scene relaxation step by relaxation step and prices every step
// three ways: what a dense step does, what the chosen engine did, and what the ideal
// neuron-level lazy scheduler (cube/cube_lazy_oracle.hpp) would have done. It answers "how much
// could laziness save on this cube, at best?" for the README's lazy analysis.
//
//   build/cube_lazy_oracle SCENE.json --epochs E [--set NAME=VALUE]...
//
// It stops after E training epochs (each ends with the test set). step_mode is forced to relaxation. Exit status 2 for bad input, as the app's.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "core/scene.hpp"
#include "cube/cube_lazy_oracle.hpp"
#include "cube/cube_system.hpp"
#include "tool_args.hpp"

namespace {

struct Totals {
  double steps = 0, dense = 0, engine = 0, oracle = 0;
};

int usage() {
  std::fprintf(stderr, "usage: cube_lazy_oracle SCENE.json --epochs E [--set NAME=VALUE]...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  long long epochs = -1;
  std::vector<obs::ParamOverride> sets;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--epochs" && i + 1 >= argc) return usage();
    if (a == "--epochs") {
      char* end = nullptr;
      epochs = std::strtoll(argv[++i], &end, 10);
      if (*end != '\0' || epochs < 1 || epochs > 100000) return usage();
    } else if (tool_args::take_scene_or_set(argc, argv, i, path, sets) != tool_args::Took::Argument) {
      return usage();
    }
  }
  if (path.empty() || epochs < 1) return usage();
  sets.push_back({"step_mode", "relaxation"});

  std::unique_ptr<obs::System> system;
  try {
    obs::Scene scene = obs::load_scene(path);
    if (scene.system != "cube") {  // before the step_mode override, which only a cube has
      std::fprintf(stderr, "cube_lazy_oracle: %s is a %s scene, not a cube scene\n", path.c_str(), scene.system.c_str());
      return 2;
    }
    system = obs::instantiate(scene, sets);
  } catch (const obs::InputError& e) {
    std::fprintf(stderr, "cube_lazy_oracle: %s\n", e.what());
    return 2;
  }
  auto* cube = dynamic_cast<obs::CubeSystem*>(system.get());
  if (!cube) {
    std::fprintf(stderr, "cube_lazy_oracle: %s is not a cube scene\n", path.c_str());
    return 2;
  }
  const auto tol = static_cast<float>(cube->params().real("tol"));

  using Stage = obs::CubeSystem::Stage;
  Totals per[4];
  obs::cube::LazyOracle oracle;
  oracle.reset(cube->lattice());
  while (cube->epoch() < epochs) {
    const Stage stage = cube->stage();
    const double planned = static_cast<double>(oracle.plan(cube->lattice()));
    cube->step();
    oracle.observe(cube->lattice(), tol);
    const Stage next = cube->stage();
    if (next != stage && (next == Stage::NudgePlus || next == Stage::NudgeMinus)) oracle.mark_outputs(cube->lattice());
    Totals& k = per[static_cast<int>(stage)];
    k.steps += 1;
    k.dense += static_cast<double>(cube->last_relax().dense_macs);
    k.engine += static_cast<double>(cube->last_relax().macs);
    k.oracle += planned;
  }

  const char* names[] = {"free", "nudge +beta", "nudge -beta", "test"};
  std::printf("%-12s %8s %12s %12s %12s %10s %10s\n", "stage", "steps", "dense MACs", "engine MACs", "oracle MACs",
              "dense/eng", "dense/orc");
  Totals all;
  for (int s = 0; s < 4; ++s) {
    const Totals& k = per[s];
    if (k.steps == 0) continue;
    std::printf("%-12s %8.0f %12.4g %12.4g %12.4g %10.3f %10.3f\n", names[s], k.steps, k.dense, k.engine, k.oracle,
                k.dense / k.engine, k.dense / k.oracle);
    all.steps += k.steps;
    all.dense += k.dense;
    all.engine += k.engine;
    all.oracle += k.oracle;
  }
  std::printf("%-12s %8.0f %12.4g %12.4g %12.4g %10.3f %10.3f\n", "all", all.steps, all.dense, all.engine, all.oracle,
              all.dense / all.engine, all.dense / all.oracle);
  std::printf("epochs %d, test accuracy %.4f, train accuracy %.4f\n", cube->epoch(), cube->test_accuracy(),
              cube->train_accuracy());
  return 0;
}
