#include "lab/dashboard_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

#include "core/input_error.hpp"
#include "text_split.hpp"

namespace obs::lab {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

struct Table {
  std::vector<std::string> axes;  // the grid's axes, in the header's order
  std::vector<std::map<std::string, std::string>> rows;
};

double number(const std::map<std::string, std::string>& row, const std::string& column) {
  const auto it = row.find(column);
  if (it == row.end() || it->second.empty()) return kNan;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  return *end == '\0' ? v : kNan;
}

bool has_column(const Table& t, const std::string& column) {
  return !t.rows.empty() && t.rows.front().count(column) > 0;
}

bool is_axis(const Table& t, const std::string& name) { return std::find(t.axes.begin(), t.axes.end(), name) != t.axes.end(); }

// One value a row contributes to a chart: the point it belongs to within its series, x, y, and
// where the point goes along the series' line (x itself, or the depth on the energy chart, whose
// line then runs from shallow to deep).
struct Sample {
  std::string point;
  double x = 0, y = 0, order = 0;
};

// Series are the combinations of the axes other than the seed and `excluded`; points within a
// series are the samples' `point` keys, averaged over the seeds (x and y alike).
Chart build(const Table& t, Chart chart, const std::string& excluded,
            const std::function<std::vector<Sample>(const std::map<std::string, std::string>&)>& samples) {
  struct Acc {
    double x = 0, y = 0, lo = 0, hi = 0, order = 0;
    int n = 0;
  };
  std::map<std::string, std::map<std::string, Acc>> groups;
  std::vector<std::string> order;  // series in the order the summary first lists them
  for (const auto& row : t.rows) {
    std::string name;
    for (const auto& axis : t.axes)
      if (axis != excluded) name += (name.empty() ? "" : ", ") + axis + "=" + row.at(axis);
    if (name.empty()) name = "all runs";
    for (const Sample& s : samples(row)) {
      if (!std::isfinite(s.x) || !std::isfinite(s.y) || (chart.log_x && s.x <= 0)) continue;
      if (!groups.count(name)) order.push_back(name);
      Acc& a = groups[name][s.point];
      a.lo = a.n ? std::min(a.lo, s.y) : s.y;
      a.hi = a.n ? std::max(a.hi, s.y) : s.y;
      a.x += s.x;
      a.y += s.y;
      a.order = s.order;
      ++a.n;
    }
  }
  for (const auto& name : order) {
    std::vector<const Acc*> points;
    for (const auto& [key, a] : groups[name]) points.push_back(&a);
    std::sort(points.begin(), points.end(), [](const Acc* p, const Acc* q) { return p->order < q->order; });
    ChartSeries series{name, {}};
    for (const Acc* a : points) series.points.push_back({a->x / a->n, a->y / a->n, a->lo, a->hi, a->n});
    chart.series.push_back(std::move(series));
  }
  return chart;
}

// Against depth: the metric of each run at its hidden_layers.
Chart versus_depth(const Table& t, Chart chart, const std::string& metric, double scale) {
  if (t.rows.empty()) chart.note = "no finished runs in the summary";
  else if (!is_axis(t, "hidden_layers")) chart.note = "needs a hidden_layers axis (--grid hidden_layers=...)";
  else if (!has_column(t, metric)) chart.note = "no " + metric + " metric in these runs";
  if (!chart.note.empty()) return chart;
  return build(t, std::move(chart), "hidden_layers", [&](const auto& row) {
    const std::string& depth = row.at("hidden_layers");
    const double d = number(row, "hidden_layers");
    return std::vector<Sample>{{depth, d, number(row, metric) * scale, d}};
  });
}

Chart robustness(const Table& t) {
  Chart chart{"Robustness vs noise", "noise std in the hidden state", "test accuracy (%)", false, {}, {}};
  static const std::pair<const char*, double> kLevels[] = {
      {"acc_clean", 0.0}, {"acc_noise_01", 0.1}, {"acc_noise_03", 0.3}, {"acc_noise_10", 1.0}};
  chart = build(t, std::move(chart), "", [](const auto& row) {
    std::vector<Sample> out;
    for (const auto& [column, level] : kLevels) out.push_back({column, level, number(row, column) * 100, level});
    return out;
  });
  if (chart.series.empty()) chart.note = t.rows.empty() ? "no finished runs in the summary" : "needs robustness (--set robustness=true)";
  return chart;
}

Chart energy(const Table& t) {
  Chart chart{"Energy vs accuracy", "training multiply-adds (train_macs)", "test accuracy (%)", true, {}, {}};
  if (!has_column(t, "train_macs")) {
    chart.note = t.rows.empty() ? "no finished runs in the summary" : "no train_macs metric in these runs";
    return chart;
  }
  const bool depth = is_axis(t, "hidden_layers");
  return build(t, std::move(chart), depth ? "hidden_layers" : "", [&](const auto& row) {
    return std::vector<Sample>{{depth ? row.at("hidden_layers") : "", number(row, "train_macs"), number(row, "test_accuracy") * 100,
                                depth ? number(row, "hidden_layers") : 0.0}};
  });
}

}  // namespace

bool Chart::empty() const {
  for (const auto& s : series)
    if (!s.points.empty()) return false;
  return true;
}

Dashboard dashboard_from_csv(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  std::string line;
  const auto fail = [&](int line_no, const std::string& message) {
    return InputError("/rows/" + std::to_string(line_no - 1), message, SourcePos{line_no, 1}, source);
  };
  if (!std::getline(in, line)) throw fail(1, "expected a header line (run,<axes>,seed,<metrics>), got an empty file");
  const std::vector<std::string> header = split(line, ',');
  const auto seed = std::find(header.begin(), header.end(), "seed");
  if (header.front() != "run" || seed == header.end())
    throw fail(1, "expected a sweep summary's header: run, the grid's axes, seed, then the metrics");
  Table t;
  t.axes.assign(header.begin() + 1, seed);
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split(line, ',');
    if (cells.size() != header.size())
      throw fail(line_no, "expected " + std::to_string(header.size()) + " cells as in the header, got " + std::to_string(cells.size()));
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < cells.size(); ++i) row[header[i]] = cells[i];
    t.rows.push_back(std::move(row));
  }
  Dashboard d;
  d.source = source;
  d.runs = static_cast<int>(t.rows.size());
  d.charts.push_back(versus_depth(t, {"Accuracy vs depth", "hidden layers", "test accuracy (%)", false, {}, {}}, "test_accuracy", 100));
  d.charts.push_back(versus_depth(t, {"Memory vs depth", "hidden layers", "state per example (KB)", false, {}, {}}, "state_bytes", 1.0 / 1024));
  d.charts.push_back(robustness(t));
  d.charts.push_back(energy(t));
  for (Chart& c : d.charts)
    if (c.empty() && c.note.empty()) c.note = "no finite values to draw in these runs";
  return d;
}

Dashboard load_dashboard(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string file = fs::is_directory(path, ec) ? (fs::path(path) / "summary.csv").string() : path;
  // A regular file of a sane size only: a path typed in the window may name a device, a pipe or
  // something huge, and the whole file is read into memory.
  constexpr std::uintmax_t kMaxBytes = 256u << 20;
  if (!fs::is_regular_file(file, ec))
    throw InputError("", "cannot read " + file + " (a sweep's output folder, or its summary.csv)", {}, file);
  const auto size = fs::file_size(file, ec);
  if (!ec && size > kMaxBytes)
    throw InputError("", "expected a summary of at most 256 MB, got " + std::to_string(size >> 20) + " MB", {}, file);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError("", "cannot read " + file + " (a sweep's output folder, or its summary.csv)", {}, file);
  std::stringstream ss;
  ss << in.rdbuf();
  return dashboard_from_csv(ss.str(), file);
}

}  // namespace obs::lab
