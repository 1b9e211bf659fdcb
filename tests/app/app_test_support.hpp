#pragma once
// Helpers for tests that drive the real binary: run a command, read a PNG, make temp dirs.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace obs::test {

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs OBS_BINARY with the given arguments (shell-quoted by the caller) from `cwd`.
RunResult run_observatory(const std::string& args, const std::string& cwd = "");

struct Png {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // top row first
  std::uint8_t at(int x, int y, int channel) const { return rgb[(static_cast<std::size_t>(y) * width + x) * 3 + channel]; }
};
Png read_png(const std::string& path);  // throws when unreadable

// A fresh, empty directory under the system temp dir.
std::filesystem::path temp_dir(const std::string& tag);
void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);
bool have_display();
// 'text' for the shell (the tests' paths have no quotes in them).
std::string quoted(const std::string& text);

// A PATH whose ffmpeg is `dir`/ffmpeg running `script` (/bin/sh), ahead of /usr/bin:/bin, for
// this process and the binaries it starts; the old PATH comes back when it goes out of scope.
class FakeFfmpeg {
 public:
  FakeFfmpeg(const std::filesystem::path& dir, const std::string& script);
  ~FakeFfmpeg();
  FakeFfmpeg(const FakeFfmpeg&) = delete;
  FakeFfmpeg& operator=(const FakeFfmpeg&) = delete;

 private:
  std::string old_;
};
// A fake ffmpeg script that keeps its arguments in args.txt beside its output (the last
// argument) and writes what it reads, the raw frames, there.
extern const char* const kFfmpegRecorder;

}  // namespace obs::test
