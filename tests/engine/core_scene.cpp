// Scene files: the envelope, defaults, unknown keys, the version gate, round trips, and
// above all that every error says where it is (JSON pointer and line:column).
// Positions below were counted by hand from the literal texts (columns are 1-based).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "core/input_error.hpp"
#include "core/json_locator.hpp"
#include "core/scene.hpp"
#include "core/system.hpp"

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

struct Expected {
  std::string pointer;
  int line;
  int col_lo, col_hi;  // a syntax error may point anywhere inside the offending token
  std::string message_part;
};

// Loads `text` as the app does (parse, then instantiate) and checks the InputError.
void expect_error(const std::string& text, const Expected& x) {
  CAPTURE(text);
  try {
    obs::Scene scene = obs::parse_scene(text, "bad.json");
    auto system = obs::instantiate(scene);
    FAIL("no error for a bad scene");
  } catch (const obs::InputError& e) {
    const std::string what = e.what();
    CAPTURE(what);
    CHECK(e.pointer() == x.pointer);
    CHECK(e.source() == "bad.json");
    CHECK(e.pos().line == x.line);
    CHECK(e.pos().column >= x.col_lo);
    CHECK(e.pos().column <= x.col_hi);
    // what() is "bad.json:LINE:COL: POINTER: message" (no pointer part for an error at the root).
    const std::string where = "bad.json:" + std::to_string(e.pos().line) + ":" + std::to_string(e.pos().column) + ": ";
    CHECK(what.rfind(where, 0) == 0);
    if (!x.pointer.empty()) CHECK(what.rfind(where + x.pointer + ": ", 0) == 0);
    CHECK(contains(what, x.message_part));
  } catch (const std::exception& e) {
    FAIL("wrong exception type: " << e.what());
  }
}

}  // namespace

TEST_CASE("core: scene syntax errors give line:column and what was expected") {
  // Missing ':' — the unexpected token "kuramoto" occupies line 3, columns 12..21.
  expect_error("{\n  \"format\": \"observatory-scene\",\n  \"system\" \"kuramoto\"\n}\n",
               {"/system", 3, 12, 21, "expected ':'"});
  // Missing ',' — the unexpected key "system" occupies line 3, columns 3..10.
  expect_error("{\n  \"seed\": 1\n  \"system\": \"kuramoto\"\n}\n", {"/seed", 3, 3, 10, "expected '}'"});
  // Trailing comma: the '}' at column 20 is where a key was expected.
  expect_error("{\"params\": {\"K\": 1,}}", {"/params", 1, 20, 20, "expected string literal"});
  // A misspelt literal.
  expect_error("{\"seed\": tru}", {"/seed", 1, 10, 13, "invalid literal"});
  // Inside arrays and nested objects: the pointer reaches the element being read.
  expect_error("{\"view\": {\"points\": [1, 2, ]}}", {"/view/points/2", 1, 28, 28, "unexpected ']'"});
  expect_error("{\"params\": {\"K\": [\"a\", {\"b\": x}]}}", {"/params/K/1/b", 1, 30, 31, "invalid literal"});
  // A key spelt with an escape is decoded as the parser decodes it: "caf" + u00e9 is "café".
  expect_error("{\"params\": {\"caf\\u00e9\": 1 2}}", {"/params/caf\xC3\xA9", 1, 28, 28, "expected '}'"});
}

TEST_CASE("core: truncated and empty scene files are located errors, not crashes") {
  // Cut off after `  "seed": ` (10 characters): the end of input is line 3, column 11.
  expect_error("{\n  \"format\": \"observatory-scene\",\n  \"seed\": ", {"/seed", 3, 11, 11, "unexpected end of input"});
  // Cut off at the start of line 4, where a key was due.
  expect_error("{\n  \"format\": \"observatory-scene\",\n  \"seed\": 1,\n", {"", 4, 1, 1, "unexpected end of input"});
  expect_error("{", {"", 1, 1, 2, "unexpected end of input"});
  expect_error("", {"", 1, 1, 1, "empty"});
  expect_error("  \n  ", {"", 2, 1, 3, "unexpected end of input"});
  // Valid JSON that is not an object.
  expect_error("[1, 2]", {"", 1, 1, 1, "expected a JSON object"});
  expect_error("\n  42", {"", 2, 3, 3, "expected a JSON object"});
}

TEST_CASE("core: scene envelope type errors name the pointer and the value's line:column") {
  // `  "seed": "one"`: the value starts at column 11 of line 2.
  expect_error("{\n  \"seed\": \"one\"\n}", {"/seed", 2, 11, 11, "non-negative integer"});
  expect_error("{\n  \"seed\": -1\n}", {"/seed", 2, 11, 11, "got -1"});
  expect_error("{\n  \"seed\": 1.5\n}", {"/seed", 2, 11, 11, "got 1.5"});
  expect_error("{\n  \"params\": [1, 2]\n}", {"/params", 2, 13, 13, "expected an object of parameters"});
  expect_error("{\"params\": \"K=1\"}", {"/params", 1, 12, 12, "expected an object"});
  expect_error("{\"view\": 3}", {"/view", 1, 10, 10, "expected an object of view settings"});
  expect_error("{\"system\": 7}", {"/system", 1, 12, 12, "expected a system id string"});
  // Columns count code points: "é" is two bytes but one column. `{"note": "é", "seed": "x"}`.
  expect_error("{\"note\": \"\xC3\xA9\", \"seed\": \"x\"}", {"/seed", 1, 23, 23, "non-negative integer"});
}

TEST_CASE("core: a wrong parameter value is located at its own line:column") {
  const std::string text =
      "{\n"
      "  \"format\": \"observatory-scene\",\n"
      "  \"system\": \"kuramoto\",\n"
      "  \"params\": {\n"
      "    \"N\": 100,\n"
      "    \"K\": \"strong\"\n"  // value at line 6, column 10
      "  }\n"
      "}\n";
  expect_error(text, {"/params/K", 6, 10, 10, "expected a number in [0, 50], got \"strong\""});

  // Same shape, other types and values.
  expect_error("{\"params\": {\"K\": -2}}", {"/params/K", 1, 18, 18, "got -2"});
  // A key written with a \\u escape (u004b is "K") is found at its own value, not its parent.
  expect_error("{\"params\": {\"\\u004b\": -2}}", {"/params/K", 1, 23, 23, "got -2"});
  // A surrogate pair (U+1F600) decodes to the same 4-byte UTF-8 key the parser builds.
  expect_error("{\"params\": {\"K\": -2, \"\\ud83d\\ude00\": 1}}", {"/params/K", 1, 18, 18, "got -2"});
  expect_error("{\"params\": {\"K\": null}}", {"/params/K", 1, 18, 18, "expected a number"});
  expect_error("{\"params\": {\"N\": 100.5}}", {"/params/N", 1, 18, 18, "integer"});
  expect_error("{\"params\": {\"integrator\": \"leapfrog\"}}", {"/params/integrator", 1, 27, 27, "\"euler\" \"rk4\""});
  // A number too large for a double is refused by the JSON reader itself; still located.
  expect_error("{\n  \"params\": {\n    \"K\": 1e400\n  }\n}", {"/params/K", 3, 10, 10, "out of range"});
  expect_error("{\"seed\": -1e400}", {"/seed", 1, 10, 10, "out of range"});
}

TEST_CASE("core: unknown system id, future minVersion and wrong format are refused with pointers") {
  expect_error("{\n  \"system\": \"kuramotto\"\n}", {"/system", 2, 13, 13, "unknown system \"kuramotto\""});
  expect_error("{\"system\": \"\"}", {"/system", 1, 12, 12, "kuramoto"});  // lists what is known

  expect_error("{\"minVersion\": \"1.2\"}", {"/minVersion", 1, 16, 16, "needs a reader of version 1.2"});
  expect_error("{\"minVersion\": \"2.0\", \"version\": \"2.0\"}", {"/minVersion", 1, 16, 16, "this build reads 1.1"});
  expect_error("{\"minVersion\": \"1\"}", {"/minVersion", 1, 16, 16, "MAJOR.MINOR"});
  expect_error("{\"minVersion\": 1.1}", {"/minVersion", 1, 16, 16, "MAJOR.MINOR"});
  expect_error("{\"version\": \"1.0beta\"}", {"/version", 1, 13, 13, "MAJOR.MINOR"});
  expect_error("{\"format\": \"gltf\"}", {"/format", 1, 12, 12, "expected \"observatory-scene\", got \"gltf\""});
  expect_error("{\"format\": 1}", {"/format", 1, 12, 12, "observatory-scene"});

  // An older or equal minVersion is fine; a newer version alone is only a warning.
  for (const char* ok : {"{\"minVersion\": \"1.0\"}", "{\"minVersion\": \"0.9\"}", "{\"version\": \"1.0\"}"}) {
    CAPTURE(ok);
    const obs::Scene s = obs::parse_scene(ok);
    CHECK(s.warnings.empty());
  }
  const obs::Scene newer = obs::parse_scene("{\"version\": \"1.7\", \"minVersion\": \"1.0\"}", "n.json");
  REQUIRE(newer.warnings.size() == 1);
  CHECK(contains(newer.warnings[0], "1.7"));
}

TEST_CASE("core: N = 1e12 in a scene is refused as /params/N before the system allocates") {
  const std::string text = "{\n  \"system\": \"kuramoto\",\n  \"params\": {\"N\": 1e12}\n}";
  // `  "params": {"N": 1e12}`: the value 1e12 starts at column 19 of line 3.
  expect_error(text, {"/params/N", 3, 19, 19, "[2, 50000000]"});
  expect_error("{\"params\": {\"N\": 1000000000000}}", {"/params/N", 1, 18, 18, "integer in [2, 50000000]"});
  expect_error("{\"params\": {\"N\": -5}}", {"/params/N", 1, 18, 18, "got -5"});
  // (kuramoto_system.cpp also proves, with an allocation probe, that nothing large was allocated.)
}

TEST_CASE("core: missing keys take their defaults") {
  obs::Scene scene = obs::parse_scene("{}");
  CHECK(scene.system == "kuramoto");
  CHECK(scene.seed == 1);
  CHECK(scene.params.empty());
  CHECK(scene.view.empty());
  CHECK(scene.extra.empty());
  CHECK(scene.warnings.empty());
  scene.params = {{"N", 16}};  // keep it small; every other parameter stays at its default
  auto system = obs::instantiate(scene);
  REQUIRE(system);
  CHECK(system->kind() == "kuramoto");
  CHECK(system->seed() == 1);
  CHECK(system->steps() == 0);
  for (const auto& p : system->params().all()) {
    CAPTURE(p.name);
    if (p.name != "N") CHECK(p.is_default());
  }
}

TEST_CASE("core: unknown keys are kept, warned about with their position, and written back") {
  const std::string text =
      "{\n"
      "  \"format\": \"observatory-scene\",\n"
      "  \"author\": {\"name\": \"Ada\", \"tags\": [1, 2]},\n"  // /author at 3:13
      "  \"a/b~c\": true,\n"                                    // /a~1b~0c at 4:12
      "  \"params\": {\"N\": 32, \"Kay\": 3}\n"                // /params/Kay at 5:30
      "}\n";
  obs::Scene scene = obs::parse_scene(text, "u.json");
  REQUIRE(scene.warnings.size() == 2);
  CHECK(contains(scene.warnings[0] + scene.warnings[1], "u.json:3:13: /author: unknown key"));
  CHECK(contains(scene.warnings[0] + scene.warnings[1], "u.json:4:12: /a~1b~0c: unknown key"));
  CHECK(scene.extra["author"] == nlohmann::json({{"name", "Ada"}, {"tags", {1, 2}}}));
  CHECK(scene.extra["a/b~c"] == true);

  auto system = obs::instantiate(scene);
  REQUIRE(scene.warnings.size() == 3);
  CHECK(contains(scene.warnings[2], "u.json:5:30: /params/Kay"));
  CHECK(contains(scene.warnings[2], "no parameter \"Kay\""));
  CHECK(system->params().integer("N") == 32);

  // Written back verbatim, after the envelope, and read back the same.
  const std::string out = obs::scene_to_text(obs::capture_scene(*system, scene.view, scene.extra));
  const nlohmann::json j = nlohmann::json::parse(out);
  CHECK(j["author"] == scene.extra["author"]);
  CHECK(j["a/b~c"] == true);
  CHECK_FALSE(j["params"].contains("Kay"));  // an unknown parameter is not invented
  const obs::Scene again = obs::parse_scene(out);
  CHECK(again.extra == scene.extra);
}

TEST_CASE("core: scene round trip parse -> instantiate -> capture -> text -> parse is identical") {
  const std::string text = R"({
  "format": "observatory-scene",
  "version": "1.0",
  "system": "kuramoto",
  "seed": 18446744073709551615,
  "params": {"N": 300, "K": 2.5, "integrator": "euler", "dt": 0.0125, "distribution": "gaussian",
             "sigma": 0.3, "sampling": "random", "init_spread": 3.14159, "omega0": -0.1},
  "view": {"zoom": 2.5, "colormap": "viridis"},
  "notes": ["kept", {"x": null}]
})";
  obs::Scene first = obs::parse_scene(text, "rt.json");
  CHECK(first.seed == 18446744073709551615ULL);  // the full uint64 range survives
  auto a = obs::instantiate(first);
  const obs::Scene captured = obs::capture_scene(*a, first.view, first.extra);
  const std::string saved = obs::scene_to_text(captured);

  // The envelope comes first, in a fixed order.
  CHECK(saved.find("\"format\"") < saved.find("\"version\""));
  CHECK(saved.find("\"version\"") < saved.find("\"system\""));
  CHECK(saved.find("\"system\"") < saved.find("\"seed\""));
  CHECK(saved.find("\"seed\"") < saved.find("\"params\""));

  obs::Scene second = obs::parse_scene(saved, "rt2.json");
  CHECK(second.warnings.size() == 1);  // "notes" is still unknown, and still kept
  CHECK(second.system == first.system);
  CHECK(second.seed == first.seed);
  CHECK(second.view == first.view);
  CHECK(second.extra == first.extra);
  CHECK(second.params == a->params().to_json());
  // Every value the file gave survives exactly (doubles print shortest-round-trip).
  for (auto& [name, value] : first.params.items()) {
    CAPTURE(name);
    CHECK(second.params[name] == value);
  }

  auto b = obs::instantiate(second);
  CHECK(b->params().to_json() == a->params().to_json());
  CHECK(b->state_hash() == a->state_hash());
  for (int i = 0; i < 25; ++i) {
    a->step();
    b->step();
  }
  CHECK(b->state_hash() == a->state_hash());
  // Saving the reloaded scene gives the same bytes: the text is a fixed point.
  CHECK(obs::scene_to_text(obs::capture_scene(*b, second.view, second.extra)) == saved);
}

TEST_CASE("core: a version 1.0 scene's renamed keys and values load under their new spelling, each with a warning") {
  const std::string text =
      "{\"format\": \"observatory-scene\", \"version\": \"1.0\", \"system\": \"eqprop\",\n"
      "  \"params\": {\"n_train\": 120, \"n_test\": 30, \"beta_mode\": \"fixed\"}}\n";
  obs::Scene scene = obs::parse_scene(text, "old.json");
  auto system = obs::instantiate(scene);
  CHECK(system->params().integer("train_size") == 120);
  CHECK(system->params().integer("test_size") == 30);
  CHECK(system->params().choice("beta_mode") == "positive");
  REQUIRE(scene.warnings.size() == 3);  // in key order
  CHECK(contains(scene.warnings[0], "old.json:2:57: /params/beta_mode: \"fixed\" is spelled \"positive\""));
  CHECK(contains(scene.warnings[1], "old.json:2:40: /params/n_test: renamed to \"test_size\""));
  CHECK(contains(scene.warnings[2], "old.json:2:25: /params/n_train: renamed to \"train_size\""));
  // Saved again, it is a 1.1 scene with the new spellings only.
  const nlohmann::json j = nlohmann::json::parse(obs::scene_to_text(obs::capture_scene(*system)));
  CHECK(j["version"] == "1.1");
  CHECK(j["params"]["train_size"] == 120);
  CHECK_FALSE(j["params"].contains("n_train"));

  // Both spellings: the current one wins, and the old one is reported as ignored.
  obs::Scene both = obs::parse_scene(R"({"system": "cube", "params": {"nudge_steps": 7, "nudged_steps": 9, "n": 6, "batch": 4}})");
  auto cube = obs::instantiate(both);
  CHECK(cube->params().integer("nudged_steps") == 9);
  REQUIRE(both.warnings.size() == 1);
  CHECK(contains(both.warnings[0], "ignored, the file also gives nudged_steps"));

  // --set with a former name is read as the new one and said so.
  obs::Scene plain = obs::parse_scene(R"({"system": "cube", "params": {"n": 6, "batch": 4}})");
  auto set = obs::instantiate(plain, {{"nudge_steps", "11"}});
  CHECK(set->params().integer("nudged_steps") == 11);
  REQUIRE(plain.warnings.size() == 1);
  CHECK(contains(plain.warnings[0], "--set nudge_steps: renamed to nudged_steps"));
}

TEST_CASE("core: save_scene and load_scene round trip through a file; a missing file is an InputError") {
  const auto dir = std::filesystem::temp_directory_path() / ("obs_scene_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "s.json").string();

  obs::Scene scene;
  scene.seed = 99;
  scene.params = {{"N", 12}, {"K", 0.75}};
  auto system = obs::instantiate(scene);
  obs::save_scene(path, obs::capture_scene(*system));
  const obs::Scene loaded = obs::load_scene(path);
  CHECK(loaded.source == path);
  CHECK(loaded.seed == 99);
  CHECK(loaded.params == system->params().to_json());

  const std::string missing = (dir / "nope.json").string();
  try {
    obs::load_scene(missing);
    FAIL("no error for a missing file");
  } catch (const obs::InputError& e) {
    CHECK(contains(e.what(), missing));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("core: JsonLocator maps pointers to positions, including arrays and escaped keys") {
  const std::string text = "{\n  \"a\": [10, {\"b\": \"x\\\"y\"}],\n  \"c/d\": 2\n}";
  const obs::JsonLocator loc(text);
  CHECK(loc.find("").line == 1);
  CHECK(loc.find("").column == 1);
  const auto a = loc.find("/a");
  CHECK((a.line == 2 && a.column == 8));
  const auto a0 = loc.find("/a/0");
  CHECK((a0.line == 2 && a0.column == 9));
  const auto b = loc.find("/a/1/b");
  CHECK((b.line == 2 && b.column == 19));
  const auto cd = loc.find("/c~1d");
  CHECK((cd.line == 3 && cd.column == 10));
  // A missing leaf falls back to its nearest existing ancestor.
  const auto fallback = loc.find("/a/1/zzz");
  CHECK((fallback.line == 2 && fallback.column == 13));
  CHECK(loc.first_literal("2") == "/c~1d");
  CHECK(loc.first_literal("10") == "/a/0");
  CHECK(loc.first_literal("11").empty());
  CHECK(obs::pointer_token("a/b~c") == "a~1b~0c");
  const auto p = obs::position_of_offset("ab\ncd", 4);
  CHECK((p.line == 2 && p.column == 2));
}

namespace {

bool has_raw_control(const std::string& s) {
  for (const unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::string error_of(const std::string& text) {
  try {
    obs::Scene scene = obs::parse_scene(text, "ctl.json");
    auto system = obs::instantiate(scene);
  } catch (const obs::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("core: control characters from the file are echoed as visible escapes, on one line") {
  // A newline in the system name, a tab and an ESC in a parameter's key: each would split the
  // one-line message or drive the terminal if echoed raw.
  const std::string sys = error_of("{\"system\": \"kura\\nmoto\"}");
  CAPTURE(sys);
  CHECK_FALSE(has_raw_control(sys));
  CHECK(contains(sys, "unknown system \"kura\\nmoto\""));

  const std::string key = error_of("{\"params\": {\"N\\t\\u001b[2J\": \"x\", \"K\": \"strong\"}}");
  CAPTURE(key);
  CHECK_FALSE(has_raw_control(key));
  CHECK(contains(key, "/params/K"));

  // Warnings carry keys too: an unknown key and an unknown parameter with control characters.
  obs::Scene scene = obs::parse_scene("{\"odd\\nkey\": 1, \"params\": {\"bad\\u001bname\": 1}}", "w\tarn.json");
  auto system = obs::instantiate(scene);
  REQUIRE(scene.warnings.size() == 2);
  for (const auto& w : scene.warnings) {
    CAPTURE(w);
    CHECK_FALSE(has_raw_control(w));
  }
  CHECK(contains(scene.warnings[0], "w\\tarn.json:1:"));
  CHECK(contains(scene.warnings[0], "/odd\\nkey"));
  CHECK(contains(scene.warnings[1], "bad\\x1bname"));

  // The error keeps the raw pointer for code that compares it; only what() is escaped.
  try {
    obs::parse_scene("{\"view\": {\"a\\nb\": [1, ]}}", "v.json");
    FAIL("no error");
  } catch (const obs::InputError& e) {
    CHECK(e.pointer() == "/view/a\nb/1");
    CHECK(contains(e.what(), "/view/a\\nb/1"));
  }
  CHECK(obs::escape_control("caf\xC3\xA9 \x7f\r") == "caf\xC3\xA9 \\x7f\\r");  // UTF-8 passes
}

TEST_CASE("core: a minVersion component past 32 bits is newer, not wrapped around") {
  // 4294967296 = 2^32 once wrapped to 0 through an int, and the scene was accepted.
  expect_error("{\"minVersion\": \"4294967296.1\"}", {"/minVersion", 1, 16, 16, "needs a reader of version 4294967296.1"});
  expect_error("{\"minVersion\": \"1.18446744073709551617\"}", {"/minVersion", 1, 16, 16, "this build reads 1.1"});
  expect_error("{\"minVersion\": \"99999999999999999999999999.0\"}", {"/minVersion", 1, 16, 16, "needs a reader"});
  expect_error("{\"minVersion\": \"-1.0\"}", {"/minVersion", 1, 16, 16, "MAJOR.MINOR"});
  expect_error("{\"minVersion\": \" 1.0\"}", {"/minVersion", 1, 16, 16, "MAJOR.MINOR"});
  // Leading zeros compare by value; a huge version alone is a warning.
  CHECK(obs::parse_scene("{\"minVersion\": \"0001.0000\"}").warnings.empty());
  CHECK(obs::parse_scene("{\"minVersion\": \"00000000000000000000000.9\"}").warnings.empty());
  CHECK(obs::parse_scene("{\"version\": \"4294967296.0\"}").warnings.size() == 1);
}

TEST_CASE("core: scene files that are directories, FIFOs or oversized are refused for what they are") {
  const auto dir = std::filesystem::temp_directory_path() / ("obs_scene_kinds_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto load_error = [](const std::string& path) -> std::string {
    try {
      obs::load_scene(path);
    } catch (const obs::InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  CHECK(contains(load_error(dir.string()), "is a directory"));
  const std::string fifo = (dir / "scene.fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(contains(load_error(fifo), "is a FIFO, not a regular file"));  // and it did not block
  CHECK(contains(load_error("/dev/zero"), "64 MiB"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("core: saved numbers are the shortest decimals, as typed, for resonance and kuramoto scenes") {
  // The views keep their settings in floats (ring_spread 0.35f); widened to double they were
  // saved as 0.3499999940395355. Parameters are doubles (engines may cast them to float
  // internally) and must come back exactly as typed.
  const std::string dir = std::string(OBS_SOURCE_DIR) + "/scenes/";
  for (const char* name : {"default.json", "resonance_stream.json"}) {
    CAPTURE(name);
    obs::Scene scene = obs::load_scene(dir + name);
    auto system = obs::instantiate(scene);
    // What a view's save() hands over: float settings put into JSON.
    nlohmann::json view = {{"ring_spread", 0.35f}, {"zoom", 1.1f}, {"pan", {0.1f, -0.3f}}, {"max_points", 100000}};
    const std::string text = obs::scene_to_text(obs::capture_scene(*system, view, scene.extra));
    CAPTURE(text);
    CHECK(contains(text, "\"ring_spread\": 0.35,"));
    CHECK(contains(text, "\"zoom\": 1.1\n"));
    CHECK(contains(text, "0.1,"));
    CHECK(contains(text, "-0.3\n"));
    CHECK(contains(text, "\"max_points\": 100000,"));
    // Every parameter the file wrote is saved as the same number, spelt shortest (a Real the
    // file wrote as 15 is saved as 15.0).
    const auto saved = nlohmann::json::parse(text);
    for (auto& [key, value] : scene.params.items()) {
      CAPTURE(key);
      if (!value.is_number()) continue;
      CHECK(saved["params"][key].get<double>() == value.get<double>());
      const std::string spelt = saved["params"][key].dump();
      CHECK(spelt.size() <= nlohmann::json(value.get<double>()).dump().size());
    }
    // And the view loads back to the very floats the view held.
    CHECK(saved["view"]["ring_spread"].get<float>() == 0.35f);
    CHECK(saved["view"]["pan"][1].get<float>() == -0.3f);
    obs::Scene again = obs::parse_scene(text, "again.json");
    auto twin = obs::instantiate(again);
    CHECK(twin->params().to_json() == system->params().to_json());
    CHECK(twin->state_hash() == system->state_hash());
  }
}

TEST_CASE("core: a command-line override splits at its first '=' and needs a name") {
  const auto a = obs::parse_override("lr=0.5");
  REQUIRE(a);
  CHECK(a->name == "lr");
  CHECK(a->value == "0.5");
  const auto b = obs::parse_override("note=a=b");
  REQUIRE(b);
  CHECK(b->name == "note");
  CHECK(b->value == "a=b");
  const auto empty_value = obs::parse_override("dataset=");
  REQUIRE(empty_value);
  CHECK(empty_value->value.empty());
  CHECK_FALSE(obs::parse_override("lr"));
  CHECK_FALSE(obs::parse_override("=0.5"));
  CHECK_FALSE(obs::parse_override(""));
}
