#pragma once
// The step numbers under the metric plots: "nice" steps (1, 2 or 5 times a power of ten) spaced
// so their labels never overlap and never run past either end of the axis, at most a handful. A
// label at an end is slid inward to stay whole (step 0 at the left edge starts there).
#include <cstdint>
#include <string>
#include <vector>

namespace obs {

struct StepTick {
  std::uint64_t step = 0;
  float x = 0;       // px from the axis' left end
  float label_x = 0; // where its label starts, px from the left end: centred on x unless at an end
  std::string text;  // the step, digits only
};

// Ticks for steps lo..hi drawn across `width` px, labels `digit_w` px per digit with at least
// two digits of gap between neighbours. hi <= lo gives one tick at lo, centred.
std::vector<StepTick> step_ticks(std::uint64_t lo, std::uint64_t hi, float width, float digit_w, int max_ticks = 5);

}  // namespace obs
