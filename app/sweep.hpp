#pragma once
// `observatory sweep`: every combination of a few parameter values and seeds, run headless in
// parallel processes, one metrics CSV per run and a summary of their final rows (issue 16's
// sweep, which any system can use). A run's CSV appears whole or not at all (the headless run
// writes it atomically), so a sweep started again skips what is done: it resumes after a crash
// or a Ctrl+C, and `--shard i/n` runs one slice of the grid so that n machines (a cluster's job
// array) share one sweep; the union of the shards' runs is the whole sweep.
//
//   observatory sweep SCENE --grid NAME=V1,V2,... [--grid ...] --seeds 1,2,3 --steps N
//                     --out DIR [--jobs J] [--shard I/N] [--set NAME=VALUE ...]
//
// DIR/runs/<label>.csv holds each run's metrics (label: NAME=V_..._seed=S), DIR/logs/<label>.log
// what it printed, DIR/summary.csv one row per finished run of the whole grid (its parameters,
// seed, and the last row of its metrics), rewritten at the end of every invocation.
#include <cstdint>
#include <string>
#include <vector>

namespace obs {

struct SweepOptions {
  std::string scene, out;
  struct Axis {
    std::string name;
    std::vector<std::string> values;
  };
  std::vector<Axis> grid;
  std::vector<std::uint64_t> seeds;
  std::int64_t steps = 0;
  int jobs = 0;  // 0: one per core
  int shard = 1, shards = 1;
  std::vector<std::string> sets;  // NAME=VALUE, passed to every run
};

// One run of the sweep: its place in the grid (values aligned with the axes) and seed.
struct SweepRun {
  std::size_t index = 0;
  std::vector<std::string> values;
  std::uint64_t seed = 0;
  std::string label;  // also its file name, without extension
};

// Parses the arguments after `sweep`. Throws InputError (exit 2) naming the bad flag.
SweepOptions parse_sweep_command_line(int argc, char** argv);

// Every run of the grid in a fixed order (the axes' values in the order given, the last axis
// fastest, then the seeds), and the ones shard i of n runs (index % n == i - 1).
std::vector<SweepRun> sweep_runs(const SweepOptions& o);
std::vector<SweepRun> shard_runs(const SweepOptions& o);

// Runs the sweep; `self` is this binary's path (the runs are its headless mode). Returns the
// exit code: 0 when every run of the shard succeeded, 1 when one failed (listed on stderr, with
// its log), 2 for bad input (found before any run starts).
int run_sweep(const SweepOptions& o, const std::string& self);

const char* sweep_usage_text();

}  // namespace obs
