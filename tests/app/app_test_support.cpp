#include "app_test_support.hpp"

#include <stb_image.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace obs::test {

RunResult run_observatory(const std::string& args, const std::string& cwd) {
  std::string cmd;
  if (!cwd.empty()) cmd += "cd '" + cwd + "' && ";
  cmd += std::string("'") + OBS_BINARY + "' " + args + " 2>&1";
  RunResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), pipe)) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

Png read_png(const std::string& path) {
  Png png;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 3);
  if (!data) throw std::runtime_error("cannot read PNG " + path);
  png.rgb.assign(data, data + static_cast<std::size_t>(png.width) * png.height * 3);
  stbi_image_free(data);
  return png;
}

std::filesystem::path temp_dir(const std::string& tag) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("observatory_test_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string quoted(const std::string& text) {
  std::string out(1, '\'');
  out.append(text).push_back('\'');
  return out;
}

FakeFfmpeg::FakeFfmpeg(const std::filesystem::path& dir, const std::string& script) : old_(std::getenv("PATH") ? std::getenv("PATH") : "") {
  std::filesystem::create_directories(dir);
  write_text(dir / "ffmpeg", "#!/bin/sh\n" + script);
  ::chmod((dir / "ffmpeg").c_str(), 0755);
  ::setenv("PATH", (dir.string() + ":/usr/bin:/bin").c_str(), 1);
}

FakeFfmpeg::~FakeFfmpeg() { ::setenv("PATH", old_.c_str(), 1); }

const char* const kFfmpegRecorder =
    "for a in \"$@\"; do out=\"$a\"; done\nprintf '%s\\n' \"$@\" > \"$(dirname \"$out\")/args.txt\"\ncat > \"$out\"\n";

bool have_display() {
  const char* d = std::getenv("DISPLAY");
  return d && *d;
}

}  // namespace obs::test
