#pragma once
#include <memory>

#include "cli.hpp"
#include "core/scene.hpp"
#include "core/system.hpp"

namespace obs {

// `observatory --headless ...`: runs the scene for --steps, streaming metrics (and recording a
// video of it with --record: headless_record.hpp), then writes the state dump and an offscreen
// screenshot as asked. Returns the exit code.
int run_headless(const Options& options);
// The twin of a run (--twin): the scene with the --set overrides, then the --twin ones. A bad
// value is bad input named as the --twin flag that gave it.
std::unique_ptr<System> instantiate_twin(const Scene& scene, const Options& options);
// Loads the scene named on the command line (or the default) with --seed applied.
Scene scene_from_options(const Options& options);

}  // namespace obs
