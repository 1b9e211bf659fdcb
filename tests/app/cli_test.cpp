// The command line, driven through the real binary: exit codes (0 ok, 1 runtime, 2 bad
// input), one-line messages that name the problem, and the files it writes.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "app_test_support.hpp"

using obs::test::quoted;
using obs::test::read_text;
using obs::test::run_observatory;
using obs::test::temp_dir;
using obs::test::write_text;

namespace {

const std::string kScenes = std::string(OBS_SOURCE_DIR) + "/scenes/";

// Exit 2 and a message that contains every fragment.
void expect_bad_input(const std::string& args, std::initializer_list<const char*> fragments) {
  const auto r = run_observatory(args);
  INFO("args: " << args << "\noutput: " << r.output);
  CHECK(r.exit_code == 2);
  for (const char* f : fragments) CHECK(r.output.find(f) != std::string::npos);
  CHECK(r.output.find("observatory: ") != std::string::npos);
}

std::string scene_with(const std::string& params_json) {
  return R"({"format": "observatory-scene", "version": "1.0", "system": "kuramoto", "seed": 3,
  "params": )" + params_json + "}\n";
}

}  // namespace

TEST_CASE("cli: help, version and the system list exit 0") {
  auto r = run_observatory("--help");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("usage: observatory") != std::string::npos);
  CHECK(r.output.find("--dump-state") != std::string::npos);
  r = run_observatory("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("observatory 0.") == 0);
  r = run_observatory("--list-systems");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("kuramoto") != std::string::npos);
}

TEST_CASE("cli: bad flags and --set values exit 2 naming the problem") {
  expect_bad_input("--frobnicate", {"--frobnicate", "unknown option"});
  expect_bad_input("--steps", {"--steps", "expects a value"});
  expect_bad_input("--steps -4 --headless", {"--steps", "integer"});
  expect_bad_input("--headless --set K", {"--set", "NAME=VALUE"});
  expect_bad_input("--headless --set K=abc", {"/params/K", "expected a number"});
  expect_bad_input("--headless --set K=nan", {"/params/K"});
  expect_bad_input("--headless --set K=-1", {"/params/K", "[0, 50]"});
  expect_bad_input("--headless --set N=1e12", {"/params/N", "integer in"});
  expect_bad_input("--headless --set N=2.5", {"/params/N", "integer"});
  expect_bad_input("--headless --set integrator=leapfrog", {"/params/integrator", "\"rk4\""});
  expect_bad_input("--headless --set nope=1", {"nope", "no parameter"});
  expect_bad_input("a.json b.json", {"only one scene"});
  // Scripted-run outputs without --headless would be silently lost in a window.
  expect_bad_input("--metrics m.csv", {"--metrics", "needs --headless"});
  expect_bad_input("--dump-state s.json", {"--dump-state", "needs --headless"});
  expect_bad_input("--steps 10", {"--steps", "needs --headless"});
}

TEST_CASE("cli: bad scenes exit 2 with pointer and line:column, never a crash") {
  const auto dir = temp_dir("cli_scenes");
  auto bad = [&](const std::string& name, const std::string& text, std::initializer_list<const char*> fragments) {
    const auto path = dir / name;
    write_text(path, text);
    expect_bad_input("--headless '" + path.string() + "'", fragments);
  };
  bad("empty.json", "", {"empty.json:1:1", "empty"});
  bad("truncated.json", "{\n  \"system\": \"kuramoto\",\n  \"params\": {\"K\": 1", {"truncated.json:3:", "unexpected end of input"});
  bad("nan.json", scene_with("{\"K\": NaN}"), {"nan.json:2:", "syntax error"});
  bad("wrong_type.json", scene_with("{\n  \"K\": \"strong\"}"), {"wrong_type.json:3:8", "/params/K", "expected a number"});
  bad("negative.json", scene_with("{\"N\": -10}"), {"/params/N", "[2, "});
  bad("huge.json", scene_with("{\"N\": 1000000000000}"), {"huge.json:2:", "/params/N", "integer in"});
  bad("seed.json", R"({"system": "kuramoto", "seed": -1})", {"seed.json:1:32", "/seed"});
  bad("system.json", "{\n \"system\": \"warp-drive\"\n}", {"system.json:2:12", "/system", "unknown system", "kuramoto"});
  bad("future.json", R"({"format": "observatory-scene", "version": "9.0", "minVersion": "9.0", "system": "kuramoto"})",
      {"/minVersion", "9.0", "reads 1.1"});
  bad("format.json", R"({"format": "something-else"})", {"/format", "observatory-scene"});
  bad("array.json", "[1, 2]", {"expected a JSON object"});
  bad("fraction_zero.json", R"({"system": "pump", "params": {"spread": "1/0"}})", {"/params/spread", "denominator is zero"});
  bad("fraction_text.json", R"({"system": "pump", "params": {"lambda": "abc"}})", {"/params/lambda", "exact fraction"});
  bad("fraction_float.json", R"({"system": "pump", "params": {"lambda": 0.5}})", {"/params/lambda", "\"3/4\""});
  bad("deep.json", "{\"system\": \"kuramoto\", \"x\": " + std::string(200000, '[') + std::string(200000, ']') + "}",
      {"deep.json:1:", "nested deeper than 64"});
  bad("bom_type.json", "\xEF\xBB\xBF{\n  \"system\": \"kuramoto\",\n  \"params\": {\"K\": \"strong\"}\n}\n",
      {"bom_type.json:3:19", "/params/K"});
  bad("selected.json", R"({"system": "pump", "view": {"selected": 4294967301}})", {"/view/selected"});
  bad("pan.json", R"({"system": "kuramoto", "view": {"pan": [1e300, 0]}})", {"/view/pan"});
  bad("view.json", R"({"system": "kuramoto", "view": {"zoom": "near"}})", {"/view"});
  expect_bad_input("--headless '" + (dir / "missing.json").string() + "'", {"missing.json", "cannot open"});
}

TEST_CASE("cli: headless run writes metrics CSV and a full state dump") {
  const auto dir = temp_dir("cli_run");
  const auto csv = dir / "m.csv", state = dir / "s.json";
  const auto r = run_observatory("'" + kScenes + "default.json' --headless --steps 50 --set N=500 --metrics '" + csv.string() +
                                 "' --dump-state '" + state.string() + "'");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(read_text(csv));
  std::string line;
  std::getline(lines, line);
  CHECK(line == "step,r,psi,mean_freq,active,quarantined");
  int rows = 0;
  std::string last;
  while (std::getline(lines, line)) {
    ++rows;
    last = line;
  }
  CHECK(rows == 51);  // the initial state and every step
  CHECK(last.rfind("50,", 0) == 0);
  const auto j = nlohmann::json::parse(read_text(state));
  CHECK(j.at("system") == "kuramoto");
  CHECK(j.at("step") == 50);
  CHECK(j.at("params").at("N") == 500);
  CHECK(j.at("params").at("K") == doctest::Approx(1.4));
  CHECK(j.at("phase").size() == 500);
}

TEST_CASE("cli: --twin runs a twin with an override in lockstep; its a_ columns are the solo run's") {
  const auto dir = temp_dir("cli_twin");
  const auto solo = dir / "solo.csv", pair = dir / "pair.csv", state = dir / "pair.json";
  const std::string scene = "'" + kScenes + "default.json' --headless --steps 40 --set N=300 ";
  REQUIRE(run_observatory(scene + "--metrics '" + solo.string() + "'").exit_code == 0);
  const auto r = run_observatory(scene + "--twin K=3 --metrics '" + pair.string() + "' --dump-state '" + state.string() + "'");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);

  // Columns by name: each pair row's a_ values are the solo row's, text for text.
  auto table = [](const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      rows.emplace_back();
      std::istringstream cells(line);
      std::string cell;
      while (std::getline(cells, cell, ',')) rows.back().push_back(cell);
    }
    return rows;
  };
  const auto a = table(read_text(solo)), ab = table(read_text(pair));
  REQUIRE(a.size() == 42);  // the header, the initial state and 40 steps
  REQUIRE(ab.size() == 42);
  const std::vector<std::string> header{"step", "a_r", "a_psi", "a_mean_freq", "a_active", "a_quarantined",
                                        "b_r", "b_psi", "b_mean_freq", "b_active", "b_quarantined"};
  CHECK(ab[0] == header);
  bool b_differs = false;
  for (std::size_t i = 1; i < a.size(); ++i) {
    REQUIRE(ab[i].size() == 11);
    CHECK(std::vector<std::string>(ab[i].begin(), ab[i].begin() + 6) == a[i]);
    b_differs |= ab[i][6] != ab[i][1];
  }
  CHECK(b_differs);  // K = 3 synchronises faster than the scene's 1.4
  const auto j = nlohmann::json::parse(read_text(state));
  CHECK(j.at("a").at("params").at("K") == doctest::Approx(1.4));
  CHECK(j.at("b").at("params").at("K") == doctest::Approx(3));
  CHECK(j.at("b").at("step") == 40);

  // Bad twins are bad input, named as --twin.
  const auto unknown = run_observatory(scene + "--twin nope=1");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("--twin") != std::string::npos);
  CHECK(unknown.output.find("nope") != std::string::npos);
  const auto out_of_range = run_observatory(scene + "--twin K=-5");
  CHECK(out_of_range.exit_code == 2);
  CHECK(out_of_range.output.find("--twin K=-5") != std::string::npos);
  CHECK(run_observatory(scene + "--twin K").exit_code == 2);
  // A twin's screenshot shows A and B side by side (what it looks like: gui_twin_test).
  const auto shot = dir / "twins.png";
  const auto pictured = run_observatory(scene + "--twin K=3 --screenshot '" + shot.string() + "'");
  INFO(pictured.output);
  CHECK(pictured.exit_code == 0);
  CHECK(std::filesystem::file_size(shot) > 1000);
}

TEST_CASE("cli: --save-state then --load-state continues the run exactly; bad states and mismatches exit 2") {
  const auto dir = temp_dir("cli_state");
  const std::string scene = "'" + kScenes + "eqprop_moons.json' --headless ";
  const std::string state = (dir / "m.state").string(), whole = (dir / "whole.csv").string(), tail = (dir / "tail.csv").string();
  REQUIRE(run_observatory(scene + "--steps 60 --save-state '" + state + "'").exit_code == 0);
  REQUIRE(run_observatory(scene + "--steps 100 --metrics '" + whole + "'").exit_code == 0);
  // Without a scene the file says what it is; it goes on from step 60.
  const auto resumed = run_observatory("--headless --load-state '" + state + "' --steps 40 --metrics '" + tail + "'");
  REQUIRE(resumed.exit_code == 0);
  // The last rows agree but for epoch_seconds (a wall-clock time): compare the step and loss columns.
  auto last_row = [](const std::string& csv) {
    const std::string text = read_text(csv);
    const auto end = text.find_last_not_of('\n');
    const auto start = text.rfind('\n', end);
    const std::string row = text.substr(start + 1, end - start);
    return row.substr(0, row.find(',', row.find(',', row.find(',') + 1) + 1));  // step,loss,train_accuracy
  };
  CHECK(last_row(tail) == last_row(whole));
  CHECK(read_text(tail).find("\n60,") != std::string::npos);  // the first row is the loaded step

  // Mismatches and damage are bad input naming what differs.
  const auto other_kind = run_observatory("'" + kScenes + "default.json' --headless --load-state '" + state + "'");
  CHECK(other_kind.exit_code == 2);
  CHECK(other_kind.output.find("is of system eqprop, not kuramoto") != std::string::npos);
  const auto reshaped = run_observatory(scene + "--load-state '" + state + "' --set hidden_units=20");
  CHECK(reshaped.exit_code == 2);
  CHECK(reshaped.output.find("/params/hidden_units") != std::string::npos);
  CHECK(run_observatory(scene + "--load-state '" + state + "' --set beta=0.3 --steps 2").exit_code == 0);  // a live edit is fine
  CHECK(run_observatory("--headless --load-state '" + state + "' --seed 4").exit_code == 2);
  std::string cut = read_text(state);
  cut.resize(cut.size() / 2);
  write_text(dir / "cut.state", cut);
  const auto truncated = run_observatory("--headless --load-state '" + (dir / "cut.state").string() + "'");
  CHECK(truncated.exit_code == 2);
  CHECK(truncated.output.find("checksum") != std::string::npos);
  CHECK(run_observatory("--load-state '" + state + "' --save-state x.state").exit_code == 2);  // a window saves from Save
  const auto device = run_observatory("--headless --load-state /dev/zero");
  CHECK(device.exit_code == 2);
  CHECK(device.output.find("not a regular file") != std::string::npos);
}

TEST_CASE("cli: same seed gives the same state; another seed does not") {
  const auto dir = temp_dir("cli_seed");
  auto dump = [&](const std::string& extra, const std::string& name) {
    const auto path = dir / name;
    const auto r = run_observatory("--headless --steps 200 --set N=300 " + extra + " --dump-state '" + path.string() + "'");
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(read_text(path)).at("phase");
  };
  CHECK(dump("--seed 5", "a.json") == dump("--seed 5", "b.json"));
  CHECK(dump("--seed 5", "c.json") != dump("--seed 6", "d.json"));
}

TEST_CASE("cli: an unwritable output is a runtime failure (exit 1), not bad input") {
  const auto r = run_observatory("--headless --steps 1 --set N=10 --metrics /proc/no/such/dir/m.csv");
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("m.csv") != std::string::npos);
}

TEST_CASE("cli: a headless training run prints the engine's progress line per epoch") {
  const auto dir = temp_dir("cli_epoch");
  const auto state = dir / "s.json";
  const auto r = run_observatory("'" + kScenes + "eqprop_moons.json' --headless --steps 60 --dump-state '" + state.string() + "'");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("epoch 1: test accuracy") != std::string::npos);
  // --dump-state carries the learned weights and the relaxed states, not just the parameters.
  const auto dump = nlohmann::json::parse(read_text(state));
  CHECK(dump.at("system") == "eqprop");
  CHECK(dump.dump().find("weights") != std::string::npos);
}

namespace {

namespace fs = std::filesystem;

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("cli: control characters in a scene are echoed as escapes; the error stays one line") {
  const auto dir = temp_dir("cli_ctl");
  const auto path = dir / "ctl.json";
  write_text(path, "{\"system\": \"kura\\nmoto\\u001b[2J\"}");
  const auto r = run_observatory("--headless " + quoted(path.string()));
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.output) == 1);
  CHECK(r.output.find("unknown system \"kura\\nmoto\\x1b[2J\"") != std::string::npos);
  CHECK(r.output.find('\x1b') == std::string::npos);
}

TEST_CASE("cli: a minVersion past 2^32 is refused, not wrapped around and run") {
  const auto dir = temp_dir("cli_version");
  const auto path = dir / "future.json";
  write_text(path, R"({"format": "observatory-scene", "version": "1.0", "minVersion": "4294967296.1", "system": "kuramoto"})");
  const auto r = run_observatory("--headless --steps 1 " + quoted(path.string()));
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("/minVersion: this scene needs a reader of version 4294967296.1") != std::string::npos);
}

TEST_CASE("cli: a scene that is a directory or a FIFO is refused for what it is") {
  const auto dir = temp_dir("cli_kinds");
  expect_bad_input("--headless " + quoted(dir.string()), {"is a directory"});
  const auto fifo = dir / "scene.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  expect_bad_input("--headless " + quoted(fifo.string()), {"scene.json", "is a FIFO, not a regular file"});
  expect_bad_input("--headless /dev/zero", {"/dev/zero", "64 MiB"});
  expect_bad_input("''", {"empty string"});
}

TEST_CASE("cli: empty output paths are bad input, and only one output may take standard output") {
  expect_bad_input("--headless --metrics ''", {"--metrics", "empty string"});
  expect_bad_input("--headless --dump-state ''", {"--dump-state", "empty string"});
  expect_bad_input("--headless --screenshot ''", {"--screenshot", "empty string"});
  expect_bad_input("--headless --metrics - --dump-state -", {"standard output"});
}

TEST_CASE("cli: - writes metrics or the state dump to standard output") {
  auto r = run_observatory("--headless --steps 3 --set N=20 --metrics - 2>/dev/null");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.rfind("step,r,psi,mean_freq,active,quarantined\n0,", 0) == 0);
  CHECK(count_lines(r.output) == 5);  // header, the initial row and three steps; no "metrics: -"
  r = run_observatory("--headless --steps 2 --set N=20 --dump-state - 2>/dev/null");
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.output).at("step") == 2);
}

TEST_CASE("cli: outputs through a symlink keep the link; a FIFO is written, not replaced") {
  const auto dir = temp_dir("cli_special");
  const auto real = dir / "real.csv", link = dir / "link.csv";
  write_text(real, "old");
  fs::create_symlink(real, link);
  auto r = run_observatory("--headless --steps 2 --set N=20 --metrics " + quoted(link.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::is_symlink(fs::symlink_status(link)));
  CHECK(read_text(real).rfind("step,", 0) == 0);
  CHECK(names_in(dir) == std::vector<std::string>{"link.csv", "real.csv"});

  const auto fifo = dir / "state.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string received;
  std::thread reader([&] { received = read_text(fifo); });
  r = run_observatory("--headless --steps 2 --set N=20 --dump-state " + quoted(fifo.string()));
  reader.join();
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(received).at("step") == 2);
  struct stat st {};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
}

TEST_CASE("cli: a full disk is a runtime failure that says so (exit 1), and the device stays a device") {
  struct stat before {};
  if (::stat("/dev/full", &before) != 0 || !S_ISCHR(before.st_mode)) return;
  for (const char* flag : {"--dump-state", "--metrics"}) {
    const auto r = run_observatory(std::string("--headless --steps 2 --set N=20 ") + flag + " /dev/full");
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("cannot write /dev/full: no space left on device") != std::string::npos);
    struct stat after {};
    REQUIRE(::stat("/dev/full", &after) == 0);
    CHECK(S_ISCHR(after.st_mode));
  }
}

TEST_CASE("cli: output paths are checked before the first step") {
  const auto dir = temp_dir("cli_precheck");
  const auto csv = dir / "m.csv";
  fs::create_directories(dir / "adir");
  // Were the check left to the end, the metrics file would be written and every step run first.
  auto r = run_observatory("--headless --steps 20000000 --set N=2 --metrics " + quoted(csv.string()) + " --dump-state " +
                           quoted((dir / "adir").string()));
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("adir: is a directory") != std::string::npos);
  CHECK_FALSE(fs::exists(csv));
  CHECK(r.output.find("step ") == std::string::npos);  // no progress line: no step was run
  // A missing folder is made before the run; a folder that cannot be made fails at once.
  r = run_observatory("--headless --steps 1 --set N=2 --metrics " + quoted((dir / "new" / "m.csv").string()));
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(dir / "new" / "m.csv"));
  r = run_observatory("--headless --steps 20000000 --set N=2 --dump-state /proc/no/such/dir/s.json");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("s.json") != std::string::npos);
}

TEST_CASE("cli: stale temporary files in an output folder are mentioned and left alone") {
  const auto dir = temp_dir("cli_stale");
  const auto stale = dir / "m.csv.tmp.999999999";  // above any pid: its process is gone
  write_text(stale, "half a csv");
  const auto r = run_observatory("--headless --steps 1 --set N=2 --metrics " + quoted((dir / "m.csv").string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("warning: ") != std::string::npos);
  CHECK(r.output.find("m.csv.tmp.999999999") != std::string::npos);
  CHECK(read_text(stale) == "half a csv");
}

TEST_CASE("cli: SIGINT or SIGTERM during a headless run removes the temporary output file") {
  for (const int sig : {SIGTERM, SIGINT}) {
    CAPTURE(sig);
    const auto dir = temp_dir("cli_signal");
    const std::string csv = (dir / "m.csv").string();
    std::vector<std::string> args = {OBS_BINARY, "--headless", "--steps", "1000000000", "--set", "N=2", "--metrics", csv};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // A fresh signal disposition: the test runner may ignore SIGINT, and an ignored signal
    // is inherited across exec.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, OBS_BINARY, nullptr, &attr, argv.data(), environ) == 0);
    posix_spawnattr_destroy(&attr);
    const std::string tmp = "m.csv.tmp." + std::to_string(pid);
    bool seen = false;
    for (int i = 0; i < 400 && !seen; ++i) {
      seen = fs::exists(dir / tmp);
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(seen);
    ::kill(pid, sig);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == sig);
    CHECK(names_in(dir).empty());
  }
}
