#include "lab/dashboard_command.hpp"

#include <cstdio>
#include <filesystem>
#include <string>

#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "lab/dashboard_data.hpp"
#include "lab/dashboard_svg.hpp"

namespace obs::lab {

const char* dashboard_usage_text() {
  return R"(usage: observatory dashboard DIR [--out FILE.svg]

Draws the TorEqProp lab's four charts from the sweep in DIR (DIR/summary.csv, written by
`observatory sweep`): accuracy vs depth and memory (state_bytes) vs depth against a
hidden_layers axis, robustness vs noise (runs with robustness on), and energy (train_macs) vs
accuracy; one line per combination of the other axes, the mean over the seeds with their min and
max. Writes FILE (default DIR/dashboard.svg). A chart the sweep cannot fill says what it lacks.

exit status: 0 written, 2 bad input
)";
}

int run_dashboard_command(int argc, char** argv) {
  std::string dir, out;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out") {
      if (i + 1 >= argc) throw InputError("--out", "expected a file name after --out");
      out = argv[++i];
    } else if (dir.empty() && !a.empty() && a[0] != '-') {
      dir = a;
    } else {
      throw InputError(a, "unexpected argument (usage: observatory dashboard DIR [--out FILE.svg])");
    }
  }
  if (dir.empty()) throw InputError("DIR", "expected the sweep's output folder (usage: observatory dashboard DIR [--out FILE.svg])");
  const Dashboard d = load_dashboard(dir);
  if (out.empty()) {
    std::error_code ec;
    out = (std::filesystem::is_directory(dir, ec) ? std::filesystem::path(dir) : std::filesystem::path(dir).parent_path()) /
          "dashboard.svg";
  }
  const std::string svg = dashboard_svg(d);
  write_file_atomically(out, [&](std::ostream& o) { o << svg; });
  for (const Chart& c : d.charts) {
    std::size_t points = 0;
    for (const auto& s : c.series) points += s.points.size();
    if (c.empty()) std::fprintf(stderr, "dashboard: %s: empty, %s\n", c.title.c_str(), c.note.c_str());
    else std::fprintf(stderr, "dashboard: %s: %zu series, %zu points\n", c.title.c_str(), c.series.size(), points);
  }
  std::fprintf(stderr, "dashboard: %d runs from %s -> %s\n", d.runs, d.source.c_str(), out.c_str());
  return 0;
}

}  // namespace obs::lab
