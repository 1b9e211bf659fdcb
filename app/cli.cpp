#include "cli.hpp"

#include <charconv>
#include <cstdio>
#include <filesystem>

#include "core/input_error.hpp"
#include "headless_record.hpp"

namespace obs {
std::int64_t parse_int_flag(const std::string& flag, const std::string& text, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    throw InputError(flag, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got \"" + text + "\"");
  return v;
}

std::string flag_value(int argc, char** argv, int& i, const std::string& flag) {
  if (i + 1 >= argc) throw InputError(flag, "expects a value");
  return argv[++i];
}

const char* usage_text() {
  return R"(usage: observatory [SCENE.json] [options]

Watch, steer and record learning systems live. Without --headless a window opens.

  SCENE.json              scene to open (default: scenes/default.json)
  --headless              run without a window
  --steps N               headless: simulation steps to run (default 0)
  --set NAME=VALUE        override a parameter (repeatable); validated like the scene
  --twin NAME=VALUE       also run a twin B with this override (repeatable), in lockstep:
                          --metrics writes a_ and b_ columns, --dump-state both, and the
                          window and --screenshot show A and B side by side
  --seed S                override the scene's seed
  --metrics OUT.csv       write every metric at every step (header: step,<metrics>);
                          - writes to standard output
  --dump-state OUT.json   write the full final state as JSON (- for standard output)
  --load-state IN.state   start from a saved state (a trained network) instead of afresh;
                          without a scene, its system and parameters come from the file
  --save-state OUT.state  headless: save the final state (binary) to reopen later
  --screenshot OUT.png    headless: render the main view offscreen after the run;
                          GUI: capture the window when it quits (see --frames)
  --record OUT.mp4        headless: record N frames (--frames) of the main view as the run
                          goes, --steps spread over them (default one step a frame); .mp4
                          (H.264) or .gif by the ffmpeg binary, else PNG frames in OUT_frames/
  --record-fps F          frames per second of the video (default 30, at most 120)
  --size WxH              window / screenshot / video size in pixels (default 1280x800)
  --frames N              GUI: quit after N frames; --record: frames to record (<= 100000)
  --no-ui                 screenshots without the side panels
  --list-systems          list the system ids and exit
  --help                  this text
  --version               print the version

  observatory sweep SCENE.json --grid NAME=V1,V2 --seeds 1,2,3 --steps N --out DIR
                          every combination, headless, in parallel (sweep --help)

exit status: 0 success, 1 runtime failure, 2 bad input (flag, scene, --set value)
)";
}

namespace {

// A recording's own refusals; `steps_given`: without --steps it takes one step a frame.
void check_record_options(Options& o, bool steps_given) {
  if (o.record == "-") throw InputError("--record", "a video is binary; give it a file, not standard output");
  if (!record_format_of(o.record))
    throw InputError("--record", "expected a name ending in .mp4 (H.264) or .gif, got \"" + o.record + "\"");
  if (o.frames < 0) throw InputError("--record", "needs --frames N, the number of frames to record");
  if (o.frames > kMaxRecordFrames)
    throw InputError("--frames", "a recording has at most " + std::to_string(kMaxRecordFrames) + " frames, got " + std::to_string(o.frames));
  if (!steps_given) o.steps = o.frames;
}

}  // namespace

Options parse_command_line(int argc, char** argv) {
  Options o;
  bool steps_given = false, fps_given = false;
  auto value = [&](int& i, const std::string& flag) { return flag_value(argc, argv, i, flag); };
  // An empty path (an unset shell variable: --metrics "$OUT") would otherwise mean "no output"
  // and the run would end with nothing written and exit 0.
  auto path = [&](int& i, const std::string& flag, bool dash_is_stdout = false) -> std::string {
    std::string p = value(i, flag);
    if (p.empty())
      throw InputError(flag, std::string("expects a file path") + (dash_is_stdout ? " (or - for standard output)" : "") + ", got an empty string");
    return p;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--headless") o.headless = true;
    else if (a == "--steps") {
      o.steps = parse_int_flag(a, value(i, a), 0, 1'000'000'000'000);
      steps_given = true;
    }
    else if (a == "--seed") o.seed = static_cast<std::uint64_t>(parse_int_flag(a, value(i, a), 0, INT64_MAX));
    else if (a == "--metrics") o.metrics_csv = path(i, a, true);
    else if (a == "--dump-state") o.dump_state = path(i, a, true);
    else if (a == "--load-state") o.load_state = path(i, a);
    else if (a == "--save-state") o.save_state = path(i, a);
    else if (a == "--screenshot") o.screenshot = path(i, a);
    else if (a == "--record") o.record = path(i, a);
    else if (a == "--record-fps") {
      o.record_fps = static_cast<int>(parse_int_flag(a, value(i, a), 1, 120));
      fps_given = true;
    }
    else if (a == "--frames") o.frames = static_cast<int>(parse_int_flag(a, value(i, a), 1, 100'000'000));
    else if (a == "--no-ui") o.screenshot_ui = false;
    else if (a == "--list-systems") o.list_systems = true;
    else if (a == "--help" || a == "-h") o.help = true;
    else if (a == "--version") o.version = true;
    else if (a == "--set" || a == "--twin") {
      const std::string kv = value(i, a);
      const auto set = parse_override(kv);
      if (!set) throw InputError(a, "expected NAME=VALUE, got \"" + kv + "\"");
      (a == "--set" ? o.sets : o.twin_sets).push_back(*set);
    } else if (a == "--size") {
      const std::string s = value(i, a);
      const auto x = s.find('x');
      if (x == std::string::npos) throw InputError("--size", "expected WIDTHxHEIGHT, got \"" + s + "\"");
      o.width = static_cast<int>(parse_int_flag("--size", s.substr(0, x), 64, 8192));
      o.height = static_cast<int>(parse_int_flag("--size", s.substr(x + 1), 64, 8192));
    } else if (a.empty()) {
      throw InputError("SCENE.json", "expects a file path, got an empty string");
    } else if (a[0] == '-') {
      throw InputError(a, "unknown option (see --help)");
    } else if (o.scene.empty()) {
      o.scene = a;
    } else {
      throw InputError(a, "only one scene file may be given (already have " + o.scene + ")");
    }
  }
  if (!o.headless) {
    // These describe a scripted run; silently ignoring them in a window would lose output.
    if (!o.metrics_csv.empty()) throw InputError("--metrics", "needs --headless (the window exports CSV from its Metrics panel)");
    if (!o.dump_state.empty()) throw InputError("--dump-state", "needs --headless");
    if (!o.save_state.empty()) throw InputError("--save-state", "needs --headless (the window saves state from Save scene)");
    if (o.steps != 0) throw InputError("--steps", "needs --headless (use --frames to end a windowed run)");
    if (!o.record.empty()) throw InputError("--record", "needs --headless (the window records from its Record section)");
  }
  if (fps_given && o.record.empty()) throw InputError("--record-fps", "needs --record");
  if (o.headless && o.frames >= 0 && o.record.empty())
    throw InputError("--frames", "in a headless run counts recorded frames: it needs --record (--steps sets the run's length)");
  if (!o.record.empty()) check_record_options(o, steps_given);
  if (!o.twin_sets.empty() && !o.save_state.empty())
    throw InputError("--save-state", "a state file holds one system; drop --twin to save it");
  if (o.save_state == "-") throw InputError("--save-state", "a state is binary; give it a file, not standard output");
  if (o.seed && !o.load_state.empty())
    throw InputError("--seed", "a saved state carries its seed and random stream; drop --seed or --load-state");
  if (o.metrics_csv == "-" && o.dump_state == "-")
    throw InputError("--dump-state", "standard output already carries --metrics; give one of them a file");
  return o;
}

int exit_code_of(const std::function<int()>& body) {
  try {
    return body();
  } catch (const InputError& e) {
    std::fprintf(stderr, "observatory: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // Runtime errors name paths, which may hold any byte; keep the message on one line.
    std::fprintf(stderr, "observatory: %s\n", escape_control(e.what()).c_str());
    return 1;
  }
}

std::string default_scene_path() {
  namespace fs = std::filesystem;
  for (const fs::path& p : {fs::path("scenes/default.json"), fs::path(OBS_SOURCE_DIR) / "scenes/default.json"})
    if (fs::exists(p)) return p.string();
  return {};
}

}  // namespace obs
