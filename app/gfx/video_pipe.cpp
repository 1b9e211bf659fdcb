#include "gfx/video_pipe.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace obs::gfx {
namespace {

// For /bin/sh: 'it''s' -> 'it'\''s'.
std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string find_ffmpeg() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/ffmpeg";
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

const char* video_extension(VideoFormat f) { return f == VideoFormat::Mp4 ? "mp4" : "gif"; }

VideoPipe::VideoPipe(const std::string& ffmpeg, const std::string& path, VideoFormat format, int width, int height, int fps)
    : path_(path), part_(path + ".part"), part_on_signal_(part_), width_(width), height_(height) {
  // A pipe whose reader died must fail the write, not end the app (SIGPIPE's default).
  std::signal(SIGPIPE, SIG_IGN);
  std::ostringstream cmd;
  cmd << shell_quoted(ffmpeg) << " -hide_banner -loglevel error -y -f rawvideo -pix_fmt rgba -s " << width << "x" << height
      << " -r " << fps << " -i -";
  if (format == VideoFormat::Mp4)  // H.264 in yuv420p wants even sides: pad by a pixel when odd
    cmd << " -vf 'pad=ceil(iw/2)*2:ceil(ih/2)*2' -c:v libx264 -pix_fmt yuv420p -f mp4";
  else  // one palette for the whole clip, made from its own frames
    cmd << " -vf 'split[a][b];[a]palettegen[p];[b][p]paletteuse' -f gif";
  cmd << " " << shell_quoted(part_);
  pipe_ = ::popen(cmd.str().c_str(), "w");
  if (!pipe_) throw std::runtime_error("cannot start " + ffmpeg);
}

VideoPipe::~VideoPipe() {
  if (!pipe_) return;
  ::pclose(pipe_);
  std::error_code ec;
  std::filesystem::remove(part_, ec);
}

void VideoPipe::write(const Image& frame) {
  if (!pipe_) throw std::runtime_error("the video is already finished");
  if (frame.width != width_ || frame.height != height_)
    throw std::runtime_error("the window changed size while recording (" + std::to_string(width_) + "x" + std::to_string(height_) +
                             " to " + std::to_string(frame.width) + "x" + std::to_string(frame.height) + ")");
  if (std::fwrite(frame.rgba.data(), 1, frame.rgba.size(), pipe_) != frame.rgba.size())
    throw std::runtime_error("ffmpeg stopped reading frames (see its message on stderr)");
  ++frames_;
}

bool VideoPipe::finish(std::string& error) {
  if (!pipe_) {
    error = "the video is already finished";
    return false;
  }
  const int status = ::pclose(pipe_);
  pipe_ = nullptr;
  std::error_code ec;
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = status == -1 ? "could not wait for ffmpeg"
            : WIFEXITED(status) ? "ffmpeg exited with status " + std::to_string(WEXITSTATUS(status))
                                : "ffmpeg was killed by signal " + std::to_string(WTERMSIG(status));
    std::filesystem::remove(part_, ec);
    return false;
  }
  std::filesystem::rename(part_, path_, ec);
  if (ec) {
    error = "cannot rename " + part_ + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace obs::gfx
