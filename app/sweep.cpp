#include "sweep.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "cli.hpp"
#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "core/registry.hpp"
#include "core/scene.hpp"
#include "text_split.hpp"

extern char** environ;

namespace obs {
namespace {

namespace fs = std::filesystem;

// A value as it may appear in a file name: other characters become '_'.
std::string file_safe(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == '=')) c = '_';
  return out;
}

std::string duration_text(double seconds) {
  char buf[48];
  if (seconds < 90) std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  else if (seconds < 5400) std::snprintf(buf, sizeof buf, "%.0f min %02.0f s", std::floor(seconds / 60), std::fmod(seconds, 60));
  else std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  return buf;
}

// Every grid value and --set is checked against the scene's system before any run starts: an
// unknown name or a value out of range is bad input, not 24 failed runs.
void check_parameters(const SweepOptions& o) {
  const Scene scene = load_scene(o.scene);
  auto system = make_system(scene.system);
  if (!system) throw InputError(o.scene, "unknown system \"" + scene.system + "\"");
  for (const auto& axis : o.grid) {
    if (!system->params().find(axis.name))
      throw InputError("--grid " + axis.name, scene.system + " has no parameter \"" + axis.name + "\"");
    for (const auto& v : axis.values) system->params().set_text(axis.name, v, "--grid " + axis.name);
  }
  for (const auto& kv : o.sets) {
    const std::string name = kv.substr(0, kv.find('='));
    if (!system->params().find(name)) throw InputError("--set " + name, scene.system + " has no parameter \"" + name + "\"");
    for (const auto& axis : o.grid)
      if (axis.name == name) throw InputError("--set " + name, "is also a --grid axis; give it one place");
    system->params().set_text(name, kv.substr(kv.find('=') + 1), "--set " + name);
  }
}

// The last line of a run's CSV, split; empty when the file cannot be read.
std::vector<std::string> last_row(const fs::path& csv, std::string* header) {
  std::ifstream in(csv);
  std::string line, last;
  if (!std::getline(in, *header)) return {};
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last.empty() ? std::vector<std::string>{} : split(last, ',');
}

void write_summary(const SweepOptions& o, const std::vector<SweepRun>& all) {
  // Runs of another shape (another hidden_layers: another set of per-layer metrics) have other
  // columns, so the header is the union of the runs' names in the order they first appear, and
  // each cell goes under its own name (empty where a run has no such column).
  std::vector<std::string> header;
  std::map<std::string, std::size_t> column;
  std::vector<std::pair<const SweepRun*, std::vector<std::string>>> rows;
  for (const SweepRun& r : all) {
    const fs::path csv = fs::path(o.out) / "runs" / (r.label + ".csv");
    if (!fs::exists(csv)) continue;
    std::string h;
    const auto cells = last_row(csv, &h);
    const auto names = split(h, ',');
    if (cells.empty() || cells.size() != names.size()) continue;
    std::vector<std::string> row(header.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto [it, added] = column.emplace(names[i], header.size());
      if (added) header.push_back(names[i]);
      if (row.size() < header.size()) row.resize(header.size());
      row[it->second] = cells[i];
    }
    rows.emplace_back(&r, std::move(row));
  }
  write_file_atomically((fs::path(o.out) / "summary.csv").string(), [&](std::ostream& out) {
    out << "run";
    for (const auto& axis : o.grid) out << ',' << axis.name;
    out << ",seed";
    for (const auto& name : header) out << ',' << name;
    out << '\n';
    for (const auto& [r, row] : rows) {
      out << r->label;
      for (const auto& v : r->values) out << ',' << v;
      out << ',' << r->seed;
      for (std::size_t i = 0; i < header.size(); ++i) out << ',' << (i < row.size() ? row[i] : "");
      out << '\n';
    }
  });
}

}  // namespace

const char* sweep_usage_text() {
  return R"(usage: observatory sweep SCENE.json --grid NAME=V1,V2,... [--grid ...] --seeds S1,S2,...
                         --steps N --out DIR [--jobs J] [--shard I/N] [--set NAME=VALUE ...]

Runs every combination of the grid's values and the seeds headless, J at a time (default: one
per core), each in its own process. DIR/runs/<label>.csv holds each run's metrics,
DIR/logs/<label>.log what it printed, DIR/summary.csv the last metrics row of every finished
run. A run whose CSV exists is skipped, so running the same command again resumes a sweep.
--shard I/N runs every N-th run starting at the I-th (1-based): N machines, one shard each,
complete the sweep together; a last run without --shard (nothing left to do) writes the summary
of all of them.

exit status: 0 every run succeeded, 1 a run failed (see its log), 2 bad input
)";
}

SweepOptions parse_sweep_command_line(int argc, char** argv) {
  SweepOptions o;
  auto value = [&](int& i, const std::string& flag) { return flag_value(argc, argv, i, flag); };
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--grid") {
      const std::string g = value(i, a);
      const auto eq = g.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == g.size()) throw InputError("--grid", "expected NAME=V1,V2,..., got \"" + g + "\"");
      SweepOptions::Axis axis{g.substr(0, eq), split(g.substr(eq + 1), ',')};
      for (const auto& v : axis.values)
        if (v.empty()) throw InputError("--grid " + axis.name, "has an empty value in \"" + g + "\"");
      if (axis.name == "seed") throw InputError("--grid seed", "give the seeds with --seeds");
      for (const auto& other : o.grid)
        if (other.name == axis.name) throw InputError("--grid " + axis.name, "is given twice");
      o.grid.push_back(std::move(axis));
    } else if (a == "--seeds") {
      for (const auto& s : split(value(i, a), ',')) o.seeds.push_back(static_cast<std::uint64_t>(parse_int_flag("--seeds", s, 0, INT64_MAX)));
    } else if (a == "--steps") {
      o.steps = parse_int_flag(a, value(i, a), 1, 1'000'000'000'000);
    } else if (a == "--out") {
      o.out = value(i, a);
      if (o.out.empty()) throw InputError("--out", "expects a folder, got an empty string");
    } else if (a == "--jobs") {
      o.jobs = static_cast<int>(parse_int_flag(a, value(i, a), 1, 1024));
    } else if (a == "--shard") {
      const std::string s = value(i, a);
      const auto slash = s.find('/');
      if (slash == std::string::npos) throw InputError("--shard", "expected I/N, got \"" + s + "\"");
      o.shards = static_cast<int>(parse_int_flag("--shard", s.substr(slash + 1), 1, 1'000'000));
      o.shard = static_cast<int>(parse_int_flag("--shard", s.substr(0, slash), 1, o.shards));
    } else if (a == "--set") {
      const std::string kv = value(i, a);
      if (kv.find('=') == std::string::npos || kv.front() == '=') throw InputError("--set", "expected NAME=VALUE, got \"" + kv + "\"");
      o.sets.push_back(kv);
    } else if (!a.empty() && a[0] == '-') {
      throw InputError(a, "unknown option (see observatory sweep --help)");
    } else if (o.scene.empty()) {
      if (a.empty()) throw InputError("SCENE.json", "expects a file path, got an empty string");
      o.scene = a;
    } else {
      throw InputError(a, "only one scene file may be given (already have " + o.scene + ")");
    }
  }
  if (o.scene.empty()) throw InputError("SCENE.json", "a sweep needs a scene");
  if (o.out.empty()) throw InputError("--out", "a sweep needs an output folder");
  if (o.steps == 0) throw InputError("--steps", "a sweep needs the steps of each run");
  if (o.seeds.empty()) o.seeds.push_back(1);
  return o;
}

std::vector<SweepRun> sweep_runs(const SweepOptions& o) {
  std::vector<SweepRun> runs;
  std::vector<std::size_t> at(o.grid.size(), 0);  // an odometer over the axes, the last fastest
  for (;;) {
    for (std::uint64_t seed : o.seeds) {
      SweepRun r;
      r.index = runs.size();
      r.seed = seed;
      for (std::size_t a = 0; a < o.grid.size(); ++a) {
        r.values.push_back(o.grid[a].values[at[a]]);
        r.label += file_safe(o.grid[a].name + "=" + r.values.back()) + "_";
      }
      r.label += "seed=" + std::to_string(seed);
      runs.push_back(std::move(r));
    }
    std::size_t a = o.grid.size();
    while (a > 0 && ++at[a - 1] == o.grid[a - 1].values.size()) at[--a] = 0;
    if (a == 0) break;
  }
  return runs;
}

std::vector<SweepRun> shard_runs(const SweepOptions& o) {
  std::vector<SweepRun> mine;
  for (SweepRun& r : sweep_runs(o))
    if (static_cast<int>(r.index % static_cast<std::size_t>(o.shards)) == o.shard - 1) mine.push_back(std::move(r));
  return mine;
}

int run_sweep(const SweepOptions& o, const std::string& self) {
  return exit_code_of([&] {
    check_parameters(o);
    const fs::path out(o.out), runs_dir = out / "runs", logs_dir = out / "logs";
    fs::create_directories(runs_dir);
    fs::create_directories(logs_dir);
    const std::vector<SweepRun> all = sweep_runs(o);
    std::vector<SweepRun> todo;
    std::size_t already = 0;
    for (const SweepRun& r : shard_runs(o)) {
      if (fs::exists(runs_dir / (r.label + ".csv"))) ++already;
      else todo.push_back(r);
    }
    const int jobs = o.jobs > 0 ? o.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    const std::size_t mine = todo.size() + already;
    std::fprintf(stderr, "sweep: %zu runs in this %s, %zu already done, %d at a time\n", mine,
                 o.shards > 1 ? ("shard (" + std::to_string(o.shard) + "/" + std::to_string(o.shards) + ")").c_str() : "sweep", already, jobs);

    using Clock = std::chrono::steady_clock;
    struct Running {
      const SweepRun* run;
      Clock::time_point start;
    };
    std::map<pid_t, Running> running;
    std::vector<std::string> failed;
    std::size_t next = 0, finished = 0;
    double busy_seconds = 0;  // summed over the runs finished here, for the ETA
    const auto start_one = [&](const SweepRun& r) {
      std::vector<std::string> args{self, o.scene, "--headless", "--steps", std::to_string(o.steps), "--seed", std::to_string(r.seed),
                                    "--metrics", (runs_dir / (r.label + ".csv")).string()};
      for (const auto& kv : o.sets) args.insert(args.end(), {"--set", kv});
      for (std::size_t a = 0; a < o.grid.size(); ++a) args.insert(args.end(), {"--set", o.grid[a].name + "=" + r.values[a]});
      std::vector<char*> argv;
      for (auto& s : args) argv.push_back(s.data());
      argv.push_back(nullptr);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      const std::string log = (logs_dir / (r.label + ".log")).string();
      posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      posix_spawn_file_actions_adddup2(&actions, 1, 2);
      pid_t pid = 0;
      const int err = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      if (err != 0) throw std::runtime_error("sweep: could not start " + self + ": " + std::strerror(err));
      running[pid] = {&r, Clock::now()};
    };
    while (next < todo.size() || !running.empty()) {
      while (next < todo.size() && static_cast<int>(running.size()) < jobs) start_one(todo[next++]);
      int status = 0;
      const pid_t pid = waitpid(-1, &status, 0);
      if (pid < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("sweep: waiting for a run failed: ") + std::strerror(errno));
      }
      const auto it = running.find(pid);
      if (it == running.end()) continue;
      const SweepRun& r = *it->second.run;
      busy_seconds += std::chrono::duration<double>(Clock::now() - it->second.start).count();
      running.erase(it);
      ++finished;
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      if (code != 0) failed.push_back(r.label + " (exit " + std::to_string(code) + ", see " + (logs_dir / (r.label + ".log")).string() + ")");
      while (next < todo.size() && static_cast<int>(running.size()) < jobs) start_one(todo[next++]);  // before saying how many run
      const std::size_t left = todo.size() - finished;
      const double eta = busy_seconds / static_cast<double>(finished) * static_cast<double>(left) / static_cast<double>(jobs);
      std::fprintf(stderr, "sweep: %zu/%zu done, %zu running%s%s\n", already + finished, mine, running.size(),
                   left ? ", about " : "", left ? (duration_text(eta) + " to go").c_str() : "");
    }
    write_summary(o, all);
    std::fprintf(stderr, "sweep: summary of the finished runs in %s\n", (out / "summary.csv").string().c_str());
    for (const auto& f : failed) std::fprintf(stderr, "sweep: failed: %s\n", f.c_str());
    return failed.empty() ? 0 : 1;
  });
}

}  // namespace obs
