#pragma once
// The TorEqProp lab's four charts (issue 16, the roadmap's "Final Evaluated" dashboard), built
// from a sweep's summary.csv (app/sweep.hpp): one row per finished run, the grid's axes between
// the `run` and `seed` columns, then the run's last metrics row.
//
//   1. accuracy vs depth:   test_accuracy (%) against the hidden_layers axis;
//   2. memory vs depth:     state_bytes (KB per example) against the hidden_layers axis;
//   3. robustness vs noise: acc_clean, acc_noise_01 / 03 / 10 (%) against the noise std 0, 0.1,
//                           0.3, 1 (runs with robustness on);
//   4. energy vs accuracy:  test_accuracy (%) against train_macs (log axis), one point per
//                           hidden_layers value (or per series when depth is not an axis), the
//                           line joining them from shallow to deep.
//
// A series is one combination of the other axes (for example "algorithm=eqprop"); a point is the
// mean over the seeds, with their min and max. A chart the sweep cannot fill (no hidden_layers
// axis, no robustness metrics) is kept with a note saying what it lacks, so the view and the
// export show why it is empty instead of a blank frame.
#include <string>
#include <vector>

namespace obs::lab {

struct ChartPoint {
  double x = 0, y = 0;        // y: the mean over the seeds (x too, for the energy chart)
  double y_lo = 0, y_hi = 0;  // the seeds' min and max
  int runs = 0;
};

struct ChartSeries {
  std::string name;  // "algorithm=eqprop, backprop_bound=true"; "all runs" when nothing varies
  std::vector<ChartPoint> points;  // along the line: by x, by depth on the energy chart
};

struct Chart {
  std::string title, x_label, y_label;
  bool log_x = false;
  std::vector<ChartSeries> series;
  std::string note;  // why the chart is empty; empty when it has points
  bool empty() const;
};

struct Dashboard {
  std::string source;        // the summary.csv read
  int runs = 0;              // rows in it
  std::vector<Chart> charts;  // always the four, in the order above
};

// Builds the four charts from summary.csv text. `source` names the file in errors. Throws
// InputError (pointer "/line/N" and a line:column) when the header lacks run or seed, or a row
// has another number of cells than the header.
Dashboard dashboard_from_csv(const std::string& text, const std::string& source);
// Reads DIR/summary.csv (or the file itself when `path` is one). InputError when it cannot be read.
Dashboard load_dashboard(const std::string& path);

}  // namespace obs::lab
