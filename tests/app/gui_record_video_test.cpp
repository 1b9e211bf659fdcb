// Recording a video, driven as a person does it (the Record section's format combo, frames and
// fps fields, the Record button), through a fake ffmpeg on PATH that keeps its arguments and the
// bytes it is sent: the frames arrive whole and in the window's size, the file appears under its
// numbered name only when ffmpeg succeeds, and without ffmpeg Record falls back to PNG frames.
// The real ffmpeg is a manual check (docs/testing.md).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "app.hpp"
#include "app_test_support.hpp"
#include "core/scene.hpp"
#include "platform/gl_window.hpp"
#include "ui_driver.hpp"

using namespace obs;
using obs::test::UiDriver;
namespace fs = std::filesystem;

namespace {

bool log_has(const App& app, const std::string& text) {
  for (const auto& line : app.log_lines)
    if (line.text.find(text) != std::string::npos) return true;
  return false;
}

struct Recorder {
  explicit Recorder(const fs::path& dir) : window(640, 480, "video", /*visible=*/false),
                                           app(window, make_session(load_scene(std::string(OBS_SOURCE_DIR) + "/scenes/default.json")), Options{}),
                                           ui(app) {
    app.screenshot_dir = (dir / "shots").string();
    ui.click("header/Record");
  }
  GlWindow window;
  App app;
  UiDriver ui;
};

}  // namespace

TEST_CASE("gui_record_video: MP4 through ffmpeg gets every frame at the window's size, under a new numbered name") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("record_video");
  test::FakeFfmpeg fake(dir / "bin", test::kFfmpegRecorder);
  Recorder r(dir);
  r.ui.choose("record/format", "MP4 (ffmpeg)");
  REQUIRE(r.app.record_format == App::RecordFormat::Mp4);
  r.ui.type_into("record/fps", "24");
  r.ui.type_into("record/frames", "4");
  r.ui.click("record/record");
  REQUIRE(r.ui.frames_until([&] { return r.app.recording_left == 0 && !r.app.recording_video(); }, 60));
  const fs::path video = dir / "shots" / "recording_0001.mp4";
  std::string log;
  for (const auto& line : r.app.log_lines) log += line.text + "\n";
  INFO(log);
  REQUIRE(fs::exists(video));
  CHECK_FALSE(fs::exists(video.string() + ".part"));
  int w = 0, h = 0;
  r.window.framebuffer_size(w, h);
  CHECK(fs::file_size(video) == static_cast<std::uintmax_t>(4) * w * h * 4);  // 4 RGBA frames
  const std::string args = test::read_text(dir / "shots" / "args.txt");
  CHECK(args.find(std::to_string(w) + "x" + std::to_string(h)) != std::string::npos);
  CHECK(args.find("libx264") != std::string::npos);
  CHECK(args.find("\n24\n") != std::string::npos);
  CHECK(log_has(r.app, "recorded 4 frames into " + video.string()));

  // Again: a new name, the first file untouched.
  r.ui.choose("record/format", "GIF (ffmpeg)");
  r.ui.click("record/record");
  REQUIRE(r.ui.frames_until([&] { return r.app.recording_left == 0 && !r.app.recording_video(); }, 60));
  CHECK(fs::exists(dir / "shots" / "recording_0001.gif"));
  CHECK(fs::file_size(video) == static_cast<std::uintmax_t>(4) * w * h * 4);
  CHECK(test::read_text(dir / "shots" / "args.txt").find("paletteuse") != std::string::npos);
}

TEST_CASE("gui_record_video: a failing ffmpeg leaves no file and says why; no ffmpeg falls back to PNG frames") {
  if (!test::have_display()) FAIL("no DISPLAY: run the app tests under xvfb-run (scripts/test does)");
  const auto dir = test::temp_dir("record_video_fail");
  {
    test::FakeFfmpeg fake(dir / "bin", "cat > /dev/null\nexit 3\n");
    Recorder r(dir);
    r.ui.choose("record/format", "MP4 (ffmpeg)");
    r.ui.type_into("record/frames", "3");
    r.ui.click("record/record");
    REQUIRE(r.ui.frames_until([&] { return r.app.recording_left == 0 && !r.app.recording_video(); }, 60));
    CHECK(log_has(r.app, "no video written: ffmpeg exited with status 3"));
    CHECK_FALSE(fs::exists(dir / "shots" / "recording_0001.mp4"));
    CHECK_FALSE(fs::exists(dir / "shots" / "recording_0001.mp4.part"));
  }
  {
    test::FakeFfmpeg none(dir / "empty_bin", "");  // a PATH with no usable ffmpeg: remove it again
    fs::remove(dir / "empty_bin" / "ffmpeg");
    ::setenv("PATH", (dir / "empty_bin").c_str(), 1);
    Recorder r(dir);
    r.ui.choose("record/format", "MP4 (ffmpeg)");
    r.ui.type_into("record/frames", "2");
    r.ui.click("record/record");
    REQUIRE(r.ui.frames_until([&] { return r.app.recording_left == 0; }, 60));
    CHECK(log_has(r.app, "no ffmpeg on PATH"));
    CHECK(fs::exists(dir / "shots" / "sequence_0001" / "frame_00002.png"));
  }
}
