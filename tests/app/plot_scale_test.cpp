// A plot's y scale: rounding noise around a constant is drawn flat (the floor), a real change
// still fills the plot, and the log map spaces decades evenly and skips what it cannot draw.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "views/plot_scale.hpp"

using namespace obs;

namespace {

// How much of the plot's height the values span.
double filled(const SeriesRange& r, const std::vector<double>& ys) {
  double lo = 1, hi = 0;
  for (double y : ys) lo = std::min(lo, y_fraction(r, y)), hi = std::max(hi, y_fraction(r, y));
  return hi - lo;
}

}  // namespace

TEST_CASE("plot_scale: +-7e-7 noise around 0 with a resolution of 1e-6 is drawn flat; a change of 1e-3 fills the plot") {
  std::vector<double> noise;
  for (int i = 0; i < 200; ++i) noise.push_back((i % 2 ? 7e-7 : -7e-7) * std::sin(i * 0.37));
  const ScaledRange flat = scaled_range({noise}, 1e-6, false);
  REQUIRE(flat.range.drawn);
  CHECK(flat.range.floored);
  CHECK(filled(flat.range, noise) < 0.08);                                    // a few px of a 40 px plot
  CHECK(std::abs(y_fraction(flat.range, 0.0) - 0.5) < 0.01);                  // centred on the data
  CHECK(flat.range.hi - flat.range.lo == doctest::Approx(kResolutionsPerPlot * 1e-6));

  // Without the declared resolution the same noise would fill the plot (the bug this fixes).
  CHECK(filled(scaled_range({noise}, 0, false).range, noise) > 0.9);

  std::vector<double> step = noise;
  for (std::size_t i = 100; i < step.size(); ++i) step[i] += 1e-3;
  const ScaledRange real = scaled_range({step}, 1e-6, false);
  CHECK_FALSE(real.range.floored);
  CHECK(filled(real.range, step) == doctest::Approx(1.0));
}

TEST_CASE("plot_scale: metrics that declare no resolution get a relative and an absolute floor") {
  // Double rounding around a large constant: flat.
  const std::vector<double> big{1e6, 1e6 + 1e-9, 1e6 - 1e-9};
  CHECK(scaled_range({big}, 0, false).range.floored);
  // Around 0, below the absolute floor: flat; a real 1e-9 change: drawn.
  CHECK(scaled_range({std::vector<double>{0, 1e-16, -1e-16}}, 0, false).range.floored);
  CHECK_FALSE(scaled_range({std::vector<double>{0, 1e-9}}, 0, false).range.floored);
  // An exact constant sits in the middle.
  const ScaledRange c = scaled_range({std::vector<double>{3, 3, 3}}, 0, false);
  CHECK(y_fraction(c.range, 3) == doctest::Approx(0.5));
  CHECK(min_span(0, 0) == kAbsoluteFloor);
  CHECK(min_span(1e-5, 0) == doctest::Approx(2e-4));
}

TEST_CASE("plot_scale: the log map spaces decades evenly; values <= 0 are skipped and counted, never clamped") {
  const std::vector<double> ys{-1, 0, 1e-3, 1e-2, 1e-1, 1, NAN};
  const ScaledRange s = scaled_range({ys}, 0, true);
  REQUIRE(s.range.drawn);
  CHECK(s.range.log);
  CHECK(s.skipped == 2);
  CHECK(s.range.lo == 1e-3);
  CHECK(s.range.hi == 1);
  CHECK(y_fraction(s.range, 1e-3) == doctest::Approx(0));
  CHECK(y_fraction(s.range, 1e-2) == doctest::Approx(1.0 / 3));
  CHECK(y_fraction(s.range, 1e-1) == doctest::Approx(2.0 / 3));
  CHECK(y_fraction(s.range, 1) == doctest::Approx(1));
  CHECK(std::isnan(y_fraction(s.range, 0)));
  CHECK(std::isnan(y_fraction(s.range, -1)));
  // A linear range maps the same values proportionally.
  const ScaledRange lin = scaled_range({ys}, 0, false);
  CHECK(y_fraction(lin.range, 0) == doctest::Approx(0.5));
  // Only non-positive values: nothing to draw on a log scale.
  CHECK_FALSE(scaled_range({std::vector<double>{-2, 0}}, 0, true).range.drawn);
  // A positive constant on a log scale stays in the middle, within a positive range.
  const ScaledRange pc = scaled_range({std::vector<double>{1e-20, 1e-20}}, 1, true);
  CHECK(pc.range.lo > 0);
  CHECK(y_fraction(pc.range, 1e-20) == doctest::Approx(0.5));
}
