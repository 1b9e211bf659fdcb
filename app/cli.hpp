#pragma once
// The command line of the one binary (GUI and headless).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/scene.hpp"

namespace obs {

struct Options {
  std::string scene;  // empty: the default scene
  bool headless = false;
  std::int64_t steps = 0;
  std::vector<ParamOverride> sets;
  // Headless: a twin of the run with these overrides on top, stepped in lockstep (--twin).
  std::vector<ParamOverride> twin_sets;
  std::optional<std::uint64_t> seed;
  std::string metrics_csv, dump_state, screenshot;
  // A checkpoint to start from (core/checkpoint.hpp), and one to write after a headless run.
  std::string load_state, save_state;
  int width = 1280, height = 800;
  int frames = -1;  // GUI: quit after this many frames; headless --record: frames to record; -1 = unset
  // Headless: a video of the run (.mp4 or .gif through ffmpeg, else PNG frames), `frames` long,
  // at record_fps frames per second of video; `steps` is spread over the frames
  // (headless_record.hpp).
  std::string record;
  int record_fps = 30;
  bool screenshot_ui = true;  // GUI --screenshot at exit includes the panels
  bool list_systems = false, help = false, version = false;
};

// Throws InputError (exit 2) naming the bad flag.
Options parse_command_line(int argc, char** argv);

// Reading a command line (the app's and the sweep's): the argument after flag i, advancing i
// (InputError naming the flag when there is none), and an integer in [lo, hi].
std::string flag_value(int argc, char** argv, int& i, const std::string& flag);
std::int64_t parse_int_flag(const std::string& flag, const std::string& text, std::int64_t lo, std::int64_t hi);
const char* usage_text();

// Runs `body`, turning exceptions into the documented exit codes with a one-line message on
// stderr: InputError -> 2 (bad input), any other std::exception -> 1 (runtime failure).
int exit_code_of(const std::function<int()>& body);

// The scene to open when none is named: scenes/default.json beside the working directory
// or the source tree, else an empty string (the built-in Kuramoto defaults).
std::string default_scene_path();

}  // namespace obs
