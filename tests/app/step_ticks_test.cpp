// The step ticks under the metric plots: nice numbers, labels that never overlap and never run
// past either end, at most five, across widths and ranges a panel meets.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "views/step_ticks.hpp"

using namespace obs;

namespace {

bool nice(std::uint64_t every) {
  while (every >= 10 && every % 10 == 0) every /= 10;
  return every == 1 || every == 2 || every == 5;
}

}  // namespace

TEST_CASE("step_ticks: nice steps, no overlap, nothing clipped") {
  const float digit = 7;
  for (const float width : {60.0f, 140.0f, 230.0f, 400.0f, 900.0f})
    for (const auto& [lo, hi] : {std::pair<std::uint64_t, std::uint64_t>{0, 3}, {0, 200}, {1801, 3800}, {123456, 125455}, {0, 9999999}, {17, 18}}) {
      CAPTURE(width);
      CAPTURE(lo);
      CAPTURE(hi);
      const auto ticks = step_ticks(lo, hi, width, digit);
      CHECK(ticks.size() <= 5);
      for (std::size_t i = 0; i < ticks.size(); ++i) {
        const float w = static_cast<float>(ticks[i].text.size()) * digit;
        CHECK(ticks[i].text == std::to_string(ticks[i].step));
        CHECK(ticks[i].step >= lo);
        CHECK(ticks[i].step <= hi);
        CHECK(ticks[i].label_x >= 0);          // never clipped at either end
        CHECK(ticks[i].label_x + w <= width);
        CHECK(ticks[i].label_x <= ticks[i].x);  // the label covers its tick
        CHECK(ticks[i].label_x + w >= ticks[i].x);
        CHECK(ticks[i].x == doctest::Approx(static_cast<double>(ticks[i].step - lo) / static_cast<double>(hi - lo) * width));
        if (i > 0) {
          const float prev_w = static_cast<float>(ticks[i - 1].text.size()) * digit;
          CHECK(ticks[i - 1].label_x + prev_w + digit <= ticks[i].label_x);  // a gap between labels
          CHECK(nice(ticks[i].step - ticks[i - 1].step));
          CHECK(ticks[i].step % (ticks[i].step - ticks[i - 1].step) == 0);  // multiples of the spacing
        }
      }
      if (width >= 230) CHECK(ticks.size() >= 2);  // room for labels is used
    }
}

TEST_CASE("step_ticks: a window of 2000 steps across a 230 px trace reads 3 to 5 round numbers") {
  const auto ticks = step_ticks(1000, 3000, 230, 7);
  REQUIRE(ticks.size() >= 3);
  CHECK(ticks.size() <= 5);
  CHECK(ticks.front().step % 500 == 0);
  // One step (a fresh run): a single tick in the middle; no width: none.
  CHECK(step_ticks(0, 0, 100, 7).size() == 1);
  CHECK(step_ticks(0, 100, 0, 7).empty());
}
