#pragma once
// Recorded frames piped to Debian's ffmpeg binary, which encodes them as an H.264 MP4 or an
// animated GIF. ffmpeg writes NAME.part, renamed to NAME when it exits cleanly, so a failed or
// interrupted encoding never leaves a file that looks finished.
#include <cstdio>
#include <string>

#include "core/atomic_file.hpp"
#include "gfx/framebuffer.hpp"

namespace obs::gfx {

enum class VideoFormat { Mp4, Gif };

// The ffmpeg on PATH (its full path), or empty when there is none.
std::string find_ffmpeg();
const char* video_extension(VideoFormat f);  // "mp4", "gif"

class VideoPipe {
 public:
  // Starts `ffmpeg` encoding `width` x `height` RGBA frames at `fps` into `path` (by way of
  // path.part). Throws std::runtime_error when ffmpeg cannot be started.
  VideoPipe(const std::string& ffmpeg, const std::string& path, VideoFormat format, int width, int height, int fps);
  ~VideoPipe();  // an unfinished pipe is closed and its partial file removed
  VideoPipe(const VideoPipe&) = delete;
  VideoPipe& operator=(const VideoPipe&) = delete;

  // One frame, top row first. Throws std::runtime_error on another size or a closed pipe
  // (ffmpeg stopped: its own message is on stderr).
  void write(const Image& frame);
  // Ends the stream and waits for ffmpeg. True: the file is at path(). False: ffmpeg failed
  // (`error` says how) and nothing was left behind.
  bool finish(std::string& error);

  const std::string& path() const { return path_; }
  int frames() const { return frames_; }

 private:
  std::FILE* pipe_ = nullptr;
  std::string path_, part_;
  RemoveOnSignal part_on_signal_;  // Ctrl+C during a recording leaves no NAME.part behind
  int width_, height_, frames_ = 0;
};

}  // namespace obs::gfx
