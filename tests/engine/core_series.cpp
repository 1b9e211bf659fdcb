// SeriesStore: a bounded ring of (step, metrics...) rows, exported as CSV `step,<names>`, with
// the resolution each metric declared.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/metric_table.hpp"
#include "core/series.hpp"

TEST_CASE("core: SeriesStore keeps the newest rows in age order once it wraps") {
  obs::SeriesStore s({"a", "b"}, 4);
  CHECK(s.names() == std::vector<std::string>{"a", "b"});
  CHECK(s.capacity() == 4);
  CHECK(s.size() == 0);
  // Row k holds (k, 10k) at step 100 + k.
  for (int k = 0; k < 3; ++k) {
    const double row[2] = {double(k), 10.0 * k};
    s.append(100 + k, row);
  }
  REQUIRE(s.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(s.step_at(i) == 100 + i);
    CHECK(s.value_at(i, 0) == double(i));
    CHECK(s.value_at(i, 1) == 10.0 * double(i));
  }
  // Wrap several times: always the last 4 rows, oldest first.
  for (int k = 3; k < 11; ++k) {
    const double row[2] = {double(k), 10.0 * k};
    s.append(100 + k, row);
    const std::size_t kept = std::min<std::size_t>(k + 1, 4);
    REQUIRE(s.size() == kept);
    for (std::size_t i = 0; i < kept; ++i) {
      const int expect = k + 1 - int(kept) + int(i);
      CHECK(s.step_at(i) == std::uint64_t(100 + expect));
      CHECK(s.value_at(i, 0) == double(expect));
      CHECK(s.value_at(i, 1) == 10.0 * expect);
    }
  }
  s.clear();
  CHECK(s.size() == 0);
  const double row[2] = {7, 8};
  s.append(5, row);
  CHECK(s.size() == 1);
  CHECK(s.step_at(0) == 5);
  CHECK(s.value_at(0, 1) == 8);
}

TEST_CASE("core: SeriesStore CSV has the header step,<names> and one row per retained step") {
  obs::SeriesStore s({"r", "psi", "mean_freq"}, 2);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double rows[3][3] = {{0.1, 0.2, 0.3}, {0.5, -1.25, 1e-12}, {1.0 / 3.0, nan, 123456789.0}};
  for (int k = 0; k < 3; ++k) s.append(k, rows[k]);
  std::ostringstream out;
  s.write_csv(out);
  // The first row was pushed out; numbers print with 9 significant digits, NaN as "nan".
  CHECK(out.str() ==
        "step,r,psi,mean_freq\n"
        "1,0.5,-1.25,1e-12\n"
        "2,0.333333333,nan,123456789\n");

  std::ostringstream header;
  obs::write_csv_header(header, {});
  CHECK(header.str() == "step\n");
  std::ostringstream row;
  const double v[2] = {2.5, -0.0};
  obs::write_csv_row(row, 18446744073709551615ULL, v, 2);
  CHECK(row.str() == "18446744073709551615,2.5,-0\n");
}

TEST_CASE("core: a SeriesStore of capacity zero ignores appends") {
  obs::SeriesStore s({"x"}, 0);
  const double v = 1;
  s.append(1, &v);
  CHECK(s.size() == 0);
  std::ostringstream out;
  s.write_csv(out);
  CHECK(out.str() == "step,x\n");
  obs::SeriesStore empty;
  CHECK(empty.size() == 0);
}

TEST_CASE("core: a metric's declared resolution travels from its MetricTable to the series store the plots read") {
  obs::MetricTable table;
  table.add("r", "", [] { return 0.5; }, obs::MetricTable::Unmeasured::Never, 1e-6);
  table.add("count", "", [] { return 3.0; });
  table.add("bad", "", [] { return 1.0; }, obs::MetricTable::Unmeasured::Never, -1);  // not a resolution: none
  CHECK(table.resolutions() == std::vector<double>{1e-6, 0, 0});
  obs::SeriesStore store(table.names(), 10, table.resolutions());
  CHECK(store.resolution(0) == 1e-6);
  CHECK(store.resolution(1) == 0);
  CHECK(store.resolution(7) == 0);  // out of range: none declared
  CHECK(obs::SeriesStore({"a"}, 4).resolution(0) == 0);  // a store built without any
  table.truncate(1);
  CHECK(table.resolutions().size() == 1);
}

TEST_CASE("core: SeriesStore split_after hands the rows after a step over, append_rows puts them back by column name") {
  obs::SeriesStore s({"a", "b"}, 8, {0.5, 0});
  for (int k = 0; k < 6; ++k) {
    const double row[2] = {double(k), 10.0 * k};
    s.append(k, row);
  }
  obs::SeriesStore tail = s.split_after(3);
  REQUIRE(s.size() == 4);
  CHECK(s.step_at(3) == 3);
  REQUIRE(tail.size() == 2);
  CHECK(tail.names() == s.names());
  CHECK(tail.resolution(0) == 0.5);
  CHECK(tail.step_at(0) == 4);
  CHECK(tail.value_at(1, 1) == 50);
  // Nothing after the newest: an empty part.
  CHECK(s.split_after(3).size() == 0);

  s.append_rows(tail);
  REQUIRE(s.size() == 6);
  CHECK(s.step_at(5) == 5);
  CHECK(s.value_at(4, 0) == 4);

  // Rows of other columns go in by name; a column they lack is NaN.
  obs::SeriesStore other({"b", "c"}, 2);
  const double row[2] = {77, 88};
  other.append(6, row);
  s.append_rows(other);
  REQUIRE(s.size() == 7);
  CHECK(s.step_at(6) == 6);
  CHECK(std::isnan(s.value_at(6, 0)));
  CHECK(s.value_at(6, 1) == 77);
}
