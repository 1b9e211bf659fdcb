// What a view copies out of the runner's series store: the most recent rows, or rows spread over
// the whole run (the sparse view's curves against the baselines).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "views/metric_history.hpp"

using namespace obs;

TEST_CASE("metric_history: Recent copies the last rows; WholeRun spreads its rows over everything retained, ends included") {
  SeriesStore store({"a", "b"}, 1000);
  for (std::uint64_t step = 0; step < 101; ++step) {
    const double values[2] = {static_cast<double>(step) * 2, -static_cast<double>(step)};
    store.append(step, values);
  }
  MetricHistory recent({"b", "missing"}, 5);
  recent.copy_from(store);
  CHECK(recent.steps == std::vector<double>{96, 97, 98, 99, 100});
  CHECK(recent.columns[0] == std::vector<double>{-96, -97, -98, -99, -100});
  CHECK(std::isnan(recent.columns[1][0]));  // a metric the system lacks reads as NaN

  MetricHistory whole({"a"}, 5, MetricHistory::Span::WholeRun);
  whole.copy_from(store);
  CHECK(whole.steps == std::vector<double>{0, 25, 50, 75, 100});  // rows i * 100 / 4
  CHECK(whole.columns[0] == std::vector<double>{0, 50, 100, 150, 200});

  // Fewer rows retained than wanted: every row, once.
  SeriesStore small({"a"}, 10);
  for (std::uint64_t step = 0; step < 3; ++step) {
    const double v = static_cast<double>(step);
    small.append(step, &v);
  }
  whole.copy_from(small);
  CHECK(whole.steps == std::vector<double>{0, 1, 2});
}
