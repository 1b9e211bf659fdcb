#pragma once
#include "cli.hpp"

namespace obs {

// `observatory --headless ...`: runs the scene for --steps, streaming metrics (and recording a
// video of it with --record: headless_record.hpp), then writes the state dump and an offscreen
// screenshot as asked. Returns the exit code.
int run_headless(const Options& options);
// Loads the scene named on the command line (or the default) with --seed applied.
Scene scene_from_options(const Options& options);

}  // namespace obs
