// `observatory sweep` through the real binary: every combination runs and its summary row is
// the final row of the same run made alone; a sweep started again resumes (only what is missing
// runs); shards split the grid and their union is the whole sweep; bad input is refused before
// anything runs.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "app_test_support.hpp"

using obs::test::quoted;
using obs::test::read_text;
using obs::test::run_observatory;
using obs::test::temp_dir;

namespace {

namespace fs = std::filesystem;
const std::string kScene = quoted(std::string(OBS_SOURCE_DIR) + "/scenes/default.json");
const std::string kGrid = " --grid K=1,2.5 --grid N=40,64 --seeds 1,2 --steps 30 --jobs 2";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("sweep: every combination runs, and a summary row is the last row of the same run made alone") {
  const auto dir = temp_dir("sweep_all");
  const auto r = run_observatory("sweep " + kScene + kGrid + " --out " + quoted((dir / "out").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(files_in(dir / "out" / "runs") == 8);
  CHECK(files_in(dir / "out" / "logs") == 8);
  const auto summary = lines(read_text(dir / "out" / "summary.csv"));
  REQUIRE(summary.size() == 9);
  CHECK(summary[0].rfind("run,K,N,seed,step,", 0) == 0);
  // The grid's order: K slowest, then N, then the seed.
  CHECK(summary[1].rfind("K=1_N=40_seed=1,1,40,1,30,", 0) == 0);
  CHECK(summary[8].rfind("K=2.5_N=64_seed=2,2.5,64,2,30,", 0) == 0);
  // The same run alone: its last metrics row is the summary's, after the run's label and grid.
  const auto alone = run_observatory(kScene + " --headless --steps 30 --seed 2 --set K=2.5 --set N=64 --metrics -");
  REQUIRE(alone.exit_code == 0);
  const std::string prefix = "K=2.5_N=64_seed=2,2.5,64,2,";
  std::string last;
  for (const auto& l : lines(alone.output))
    if (l.rfind("30,", 0) == 0) last = l;
  CHECK(summary[8] == prefix + last);
  CHECK(r.output.find("8/8 done") != std::string::npos);
}

TEST_CASE("sweep: started again it runs only what is missing, and shards make up the whole sweep") {
  const auto dir = temp_dir("sweep_resume");
  const std::string whole = (dir / "whole").string(), sharded = (dir / "sharded").string();
  REQUIRE(run_observatory("sweep " + kScene + kGrid + " --out " + quoted(whole)).exit_code == 0);
  const std::string before = read_text(fs::path(whole) / "summary.csv");
  fs::remove(fs::path(whole) / "runs" / "K=1_N=64_seed=2.csv");  // as if that run had been killed
  const auto again = run_observatory("sweep " + kScene + kGrid + " --out " + quoted(whole));
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("8 runs in this sweep, 7 already done") != std::string::npos);
  CHECK(read_text(fs::path(whole) / "summary.csv") == before);

  // Three shards share the grid (3, 3 and 2 runs), none runs another's.
  for (int i = 1; i <= 3; ++i) {
    const auto shard = run_observatory("sweep " + kScene + kGrid + " --shard " + std::to_string(i) + "/3 --out " + quoted(sharded));
    INFO(shard.output);
    REQUIRE(shard.exit_code == 0);
    CHECK(shard.output.find(std::to_string(i < 3 ? 3 : 2) + " runs in this shard (" + std::to_string(i) + "/3), 0 already done") !=
          std::string::npos);
  }
  CHECK(read_text(fs::path(sharded) / "summary.csv") == before);  // the last shard's summary sees them all
  const auto finish = run_observatory("sweep " + kScene + kGrid + " --out " + quoted(sharded));
  CHECK(finish.output.find("8 already done") != std::string::npos);
}

TEST_CASE("sweep: bad input is refused naming what is wrong, before anything runs") {
  const auto dir = temp_dir("sweep_bad");
  const std::string out = " --out " + quoted((dir / "out").string());
  struct Case {
    std::string args, says;
  };
  for (const Case& c : {Case{" --grid Kx=1,2 --steps 5", "--grid Kx: kuramoto has no parameter \"Kx\""},
                        Case{" --grid K=1,lots --steps 5", "--grid K"}, Case{" --grid K=1,2", "--steps"},
                        Case{" --grid K=1,,2 --steps 5", "empty value"}, Case{" --grid seed=1,2 --steps 5", "--seeds"},
                        Case{" --grid K=1 --set K=2 --steps 5", "--set K"}, Case{" --grid K=1 --steps 5 --shard 4/3", "--shard"}}) {
    CAPTURE(c.args);
    const auto r = run_observatory("sweep " + kScene + c.args + out);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(c.says) != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "out" / "runs"));
  }
  const auto help = run_observatory("sweep --help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("--shard I/N") != std::string::npos);
}
