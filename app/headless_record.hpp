#pragma once
// `--headless --record OUT.mp4 --frames N`: N frames of the main view, drawn offscreen by the
// same App::render a --screenshot uses (the picture a person sees, without the panels), with
// the run advancing between them, piped to ffmpeg (gfx/video_pipe.hpp) one frame at a time so
// memory stays flat however long the clip. Without ffmpeg the frames are PNG files in
// OUT_frames/ beside OUT, and stderr says so.
//
// Stepping: --steps S are spread evenly, frame i (1..N) showing the state after S*i/N steps
// (rounded down); without --steps, one step a frame. The initial state is not a frame.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cli.hpp"
#include "gfx/video_pipe.hpp"

namespace obs {

class App;
class System;

// As many as the window's Record section allows.
constexpr int kMaxRecordFrames = 100000;

// The format --record's extension asks for (.mp4, .gif, in any case), none for another.
std::optional<gfx::VideoFormat> record_format_of(const std::string& path);
// Where the PNG frames go without ffmpeg: OUT_frames beside OUT.mp4.
std::string record_frames_folder(const std::string& path);

// Decided before the first step, as every output is checked then.
struct RecordPlan {
  std::string ffmpeg;  // empty: PNG frames
  std::string target;  // the video file (a link's target), or the frames folder
};
// Throws std::runtime_error (exit 1) when the target cannot be written: a video replaces only a
// regular file, as the other outputs do; the frames never go into a folder that holds files (a
// mix of two runs' frames would pass for one clip). Says on stderr what it will write.
RecordPlan plan_recording(const Options& o);

// Records o.frames frames into plan.target, the session's runner advancing o.steps in all and
// calling `after_step` on the simulation thread after each step (the metrics CSV). Throws
// std::runtime_error when ffmpeg fails; then no video file is left.
void record_headless(const Options& o, const RecordPlan& plan, App& app, const std::function<void(System&)>& after_step);

}  // namespace obs
