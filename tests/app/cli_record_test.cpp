// `--headless --record OUT --frames N`, driven through the real binary with a fake ffmpeg first on
// PATH (it keeps its arguments and the raw frames it is sent): every frame arrives whole at the
// --size, the run moves between frames and the last frame is the --screenshot of the same run;
// a failing ffmpeg leaves nothing; without ffmpeg the frames are PNG files and stderr says so;
// the flag's misuses exit 2. The real ffmpeg is a manual check (docs/cli.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <sys/wait.h>

#include "app_test_support.hpp"

using namespace obs::test;
namespace fs = std::filesystem;

namespace {

const std::string kScene = quoted(std::string(OBS_SOURCE_DIR) + "/scenes/default.json");
// The default scene, small enough to step quickly, drawn at 200x150.
const std::string kRun = kScene + " --headless --set N=500 --size 200x150 ";
constexpr std::size_t kFrameBytes = 200 * 150 * 4;

void require_display() {
  if (!have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
}

bool has(const RunResult& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("cli_record: an MP4 gets N whole frames of the moving run, the last one the screenshot's") {
  require_display();
  const auto dir = temp_dir("cli_record");
  FakeFfmpeg fake(dir / "bin", kFfmpegRecorder);
  const fs::path video = dir / "out" / "run.mp4";
  const auto r = run_observatory(kRun + "--steps 200 --frames 4 --record-fps 12 --record " + quoted(video.string()) +
                                 " --metrics " + quoted((dir / "m.csv").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r, "recording 4 frames at 12 fps into " + video.string()));
  CHECK(has(r, "video: " + video.string()));
  REQUIRE(fs::exists(video));
  CHECK_FALSE(fs::exists(video.string() + ".part"));
  const std::string frames = read_text(video);
  REQUIRE(frames.size() == 4 * kFrameBytes);
  const std::string args = read_text(dir / "out" / "args.txt");
  CHECK(args.find("\n200x150\n") != std::string::npos);
  CHECK(args.find("\n12\n") != std::string::npos);
  CHECK(args.find("libx264") != std::string::npos);
  // 200 steps over 4 frames: 50 a frame; the CSV still has every step, 0 to 200.
  const std::string csv = read_text(dir / "m.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 201);
  CHECK(csv.find("\n200,") != std::string::npos);
  // The oscillators move between frames.
  for (int f = 1; f < 4; ++f) CHECK(frames.compare(f * kFrameBytes, kFrameBytes, frames, (f - 1) * kFrameBytes, kFrameBytes) != 0);

  // The same run's --screenshot is the last frame, pixel for pixel: the recording draws what a
  // screenshot (and the window) draws, at the step it says.
  const fs::path png = dir / "shot.png";
  const auto s = run_observatory(kRun + "--steps 200 --screenshot " + quoted(png.string()));
  REQUIRE(s.exit_code == 0);
  const Png shot = read_png(png.string());
  REQUIRE(shot.width == 200);
  REQUIRE(shot.height == 150);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < shot.rgb.size(); ++i) {
    const std::size_t pixel = i / 3, channel = i % 3;
    differ += static_cast<unsigned char>(frames[3 * kFrameBytes + pixel * 4 + channel]) != shot.rgb[i];
  }
  CHECK(differ == 0);
}

TEST_CASE("cli_record: a GIF, one step a frame without --steps") {
  require_display();
  const auto dir = temp_dir("cli_record_gif");
  FakeFfmpeg fake(dir / "bin", kFfmpegRecorder);
  const fs::path gif = dir / "clip.GIF";  // the extension in any case
  const auto r = run_observatory(kRun + "--frames 3 --record " + quoted(gif.string()) + " --dump-state " + quoted((dir / "s.json").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::file_size(gif) == 3 * kFrameBytes);
  CHECK(read_text(dir / "args.txt").find("paletteuse") != std::string::npos);
  CHECK(read_text(dir / "s.json").find("\"step\":3") != std::string::npos);  // three frames, three steps
}

TEST_CASE("cli_record: a failing ffmpeg exits 1 and leaves no file") {
  require_display();
  const auto dir = temp_dir("cli_record_fail");
  FakeFfmpeg fake(dir / "bin", "cat > /dev/null\nexit 3\n");
  const fs::path video = dir / "run.mp4";
  const auto r = run_observatory(kRun + "--frames 3 --record " + quoted(video.string()));
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(has(r, "no video written to " + video.string() + ": ffmpeg exited with status 3"));
  CHECK_FALSE(fs::exists(video));
  CHECK_FALSE(fs::exists(video.string() + ".part"));
  CHECK_FALSE(has(r, "video: "));
}

TEST_CASE("cli_record: a recording ended by a signal (Ctrl+C, kill) leaves no NAME.part") {
  require_display();
  const auto dir = temp_dir("cli_record_signal");
  FakeFfmpeg fake(dir / "bin", kFfmpegRecorder);
  const fs::path video = dir / "run.mp4", part = video.string() + ".part";
  // A long recording in the background, killed with SIGTERM once frames reach the file (SIGINT
  // takes the same path, but a background job of a non-interactive shell ignores it).
  const std::string script = std::string("'") + OBS_BINARY + "' " + kRun + "--frames 100000 --record " + quoted(video.string()) +
                             " > /dev/null 2>&1 & pid=$!\n"
                             "for i in $(seq 200); do [ -s " + quoted(part) + " ] && break; sleep 0.05; done\n"
                             "[ -s " + quoted(part) + " ] || { kill $pid; exit 90; }\n"
                             "kill -TERM $pid; wait $pid; exit $?\n";
  write_text(dir / "record_and_kill.sh", script);
  const int status = std::system(("sh " + quoted((dir / "record_and_kill.sh").string())).c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGTERM);  // 90: no frame ever reached the file
  CHECK_FALSE(fs::exists(part));
  CHECK_FALSE(fs::exists(video));
}

TEST_CASE("cli_record: without ffmpeg the frames are PNG files beside the name, and it says so") {
  require_display();
  const auto dir = temp_dir("cli_record_png");
  FakeFfmpeg none(dir / "bin", "");
  fs::remove(dir / "bin" / "ffmpeg");
  ::setenv("PATH", (dir / "bin").c_str(), 1);  // no ffmpeg anywhere on it
  const fs::path video = dir / "run.mp4";
  const auto r = run_observatory(kRun + "--frames 3 --steps 30 --record " + quoted(video.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r, "no ffmpeg on PATH"));
  CHECK(has(r, "apt-get install ffmpeg"));
  CHECK(has(r, "frames: " + (dir / "run_frames").string()));
  CHECK_FALSE(fs::exists(video));
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "run_frames")) ++files;
  CHECK(files == 3);
  const Png last = read_png((dir / "run_frames" / "frame_00003.png").string());
  CHECK(last.width == 200);
  CHECK(last.height == 150);
  // A second run would mix its frames with these: refused before the first step.
  const auto again = run_observatory(kRun + "--frames 3 --record " + quoted(video.string()));
  CHECK(again.exit_code == 1);
  CHECK(has(again, "already exists"));
}

TEST_CASE("cli_record: a twin run is recorded side by side, with both sides' metrics in the CSV") {
  require_display();
  const auto dir = temp_dir("cli_record_twin");
  FakeFfmpeg fake(dir / "bin", kFfmpegRecorder);
  const fs::path video = dir / "out" / "twin.mp4";
  const auto r = run_observatory(kRun + "--steps 20 --frames 2 --twin K=0.1 --record " + quoted(video.string()) +
                                 " --metrics " + quoted((dir / "m.csv").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(read_text(video).size() == 2 * kFrameBytes);
  const std::string csv = read_text(dir / "m.csv");
  CHECK(csv.rfind("step,a_", 0) == 0);
  CHECK(csv.find(",b_r") != std::string::npos);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 21);
}

TEST_CASE("cli_record: misuses exit 2 naming the flag") {
  const auto expect = [](const std::string& args, const char* flag, const char* why) {
    const auto r = run_observatory(kScene + " " + args);
    INFO(args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(has(r, flag));
    CHECK(has(r, why));
  };
  expect("--record v.mp4 --frames 3", "--record", "needs --headless");
  expect("--headless --record v.avi --frames 3", "--record", ".mp4");
  expect("--headless --record - --frames 3", "--record", "standard output");
  expect("--headless --record v.mp4", "--record", "needs --frames");
  expect("--headless --record v.mp4 --frames 0", "--frames", "[1, ");
  expect("--headless --record v.mp4 --frames 100001", "--frames", "at most 100000");
  expect("--headless --record v.mp4 --frames 3 --record-fps 0", "--record-fps", "[1, 120]");
  expect("--headless --record v.mp4 --frames 3 --record-fps 121", "--record-fps", "[1, 120]");
  expect("--headless --record-fps 24", "--record-fps", "needs --record");
  expect("--headless --record '' --frames 3", "--record", "expects a file path, got an empty string");
  expect("--headless --frames 5 --steps 2", "--frames", "needs --record");
  // Only the flags that take - say so when given nothing.
  expect("--headless --metrics ''", "--metrics", "(or - for standard output), got an empty string");
}
