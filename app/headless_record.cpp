#include "headless_record.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "app.hpp"
#include "core/atomic_file.hpp"
#include "core/input_error.hpp"
#include "gfx/png.hpp"
#include "progress_line.hpp"

namespace obs {
namespace fs = std::filesystem;

std::optional<gfx::VideoFormat> record_format_of(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".mp4") return gfx::VideoFormat::Mp4;
  if (ext == ".gif") return gfx::VideoFormat::Gif;
  return std::nullopt;
}

std::string record_frames_folder(const std::string& path) {
  const fs::path p(path);
  return (p.parent_path() / (p.stem().string() + "_frames")).string();
}

RecordPlan plan_recording(const Options& o) {
  RecordPlan plan;
  plan.ffmpeg = gfx::find_ffmpeg();
  const std::string shown = escape_control(o.record);
  if (plan.ffmpeg.empty()) {
    plan.target = record_frames_folder(o.record);
    std::error_code ec;
    if (fs::exists(plan.target, ec) && (!fs::is_directory(plan.target, ec) || !fs::is_empty(plan.target, ec)))
      throw std::runtime_error(plan.target + ": already exists; PNG frames go only into a new or empty folder (remove it, or choose another --record name)");
    std::fprintf(stderr,
                 "observatory: no ffmpeg on PATH, so no %s: writing %d PNG frames into %s instead (Debian: apt-get install ffmpeg)\n",
                 shown.c_str(), o.frames, escape_control(plan.target).c_str());
    return plan;
  }
  // ffmpeg writes NAME.part, renamed over NAME when it succeeds: a link is followed (the file it
  // points to is replaced, the link stays), and anything but a regular file is refused, since a
  // rename would replace a device node (/dev/null) with a file.
  std::error_code ec;
  plan.target = fs::is_symlink(o.record, ec) ? fs::weakly_canonical(o.record, ec).string() : o.record;
  if (fs::exists(plan.target, ec) && !fs::is_regular_file(plan.target, ec))
    throw std::runtime_error(o.record + ": not a regular file; a video is written to a file");
  check_writable(plan.target);
  std::fprintf(stderr, "observatory: recording %d frames at %d fps into %s (%s)\n", o.frames, o.record_fps, shown.c_str(),
               escape_control(plan.ffmpeg).c_str());
  return plan;
}

void record_headless(const Options& o, const RecordPlan& plan, App& app, const std::function<void(System&)>& after_step) {
  const auto format = record_format_of(o.record);
  std::unique_ptr<gfx::VideoPipe> video;  // opened at the first frame, whose size it takes
  ProgressLine progress("frame");
  std::int64_t done = 0;
  for (int f = 1; f <= o.frames; ++f) {
    const std::int64_t reach = o.steps * f / o.frames;  // <= 1e12 * 1e5: no overflow
    app.session.runner->advance(static_cast<std::uint64_t>(reach - done), after_step);
    done = reach;
    const gfx::Image frame = app.render(/*with_ui=*/false);
    if (plan.ffmpeg.empty()) {
      if (f == 1) fs::create_directories(plan.target);  // not before: a run that fails to start leaves no folder
      char name[32];
      std::snprintf(name, sizeof name, "frame_%05d.png", f);
      gfx::write_png((fs::path(plan.target) / name).string(), frame);
    } else {
      if (!video) video = std::make_unique<gfx::VideoPipe>(plan.ffmpeg, plan.target, *format, frame.width, frame.height, o.record_fps);
      video->write(frame);
    }
    progress.update(f, o.frames);
  }
  std::string error;
  if (video && !video->finish(error)) throw std::runtime_error("no video written to " + o.record + ": " + error);
}

}  // namespace obs
