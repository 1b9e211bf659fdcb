#include "views/step_ticks.hpp"

#include <algorithm>
#include <cmath>

namespace obs {

std::vector<StepTick> step_ticks(std::uint64_t lo, std::uint64_t hi, float width, float digit_w, int max_ticks) {
  std::vector<StepTick> ticks;
  if (width <= 0 || digit_w <= 0) return ticks;
  if (hi <= lo) {
    std::string text = std::to_string(lo);
    const float w = static_cast<float>(text.size()) * digit_w;
    if (w <= width) ticks.push_back({lo, width / 2, (width - w) / 2, std::move(text)});
    return ticks;
  }
  // Neighbours stand a widest label (hi's) plus a gap of two digits apart, or more.
  const float label_w = static_cast<float>(std::to_string(hi).size()) * digit_w, gap = 2 * digit_w;
  const double span = static_cast<double>(hi - lo);
  // The smallest nice spacing that keeps them apart and puts at most max_ticks in lo..hi.
  std::uint64_t every = 1;
  for (std::uint64_t decade = 1;; decade *= 10) {
    bool found = false;
    for (const std::uint64_t m : {1, 2, 5}) {
      every = m * decade;
      const std::uint64_t count = hi / every - (lo + every - 1) / every + 1;
      if (static_cast<double>(every) / span * width >= label_w + gap && count <= static_cast<std::uint64_t>(max_ticks)) {
        found = true;
        break;
      }
    }
    if (found || decade > hi) break;
  }
  for (std::uint64_t s = (lo + every - 1) / every * every; s <= hi; s += every) {
    StepTick t{s, static_cast<float>(static_cast<double>(s - lo) / span) * width, 0, std::to_string(s)};
    const float w = static_cast<float>(t.text.size()) * digit_w;
    t.label_x = std::clamp(t.x - w / 2, 0.0f, width - w);
    // Slid in from an end, a label may reach its neighbour's: then the slid one is left out, so
    // the ticks kept stay evenly spaced.
    auto label_w = [&](const StepTick& k) { return static_cast<float>(k.text.size()) * digit_w; };
    auto slid = [&](const StepTick& k) { return k.label_x != k.x - label_w(k) / 2; };
    bool clear = ticks.empty() || ticks.back().label_x + label_w(ticks.back()) + digit_w <= t.label_x;
    if (!clear && !slid(t) && slid(ticks.back())) {
      ticks.pop_back();
      clear = true;
    }
    if (w <= width && clear) ticks.push_back(std::move(t));
    if (s > hi - every) break;  // no wrap past the largest step
  }
  return ticks;
}

}  // namespace obs
