// The command line, driven through the real binary: exit codes (0 ok, 1 runtime, 2 bad
// input), one-line messages that name the problem, and the files it writes.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sstream>

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
      {"/minVersion", "9.0", "1.0"});
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
