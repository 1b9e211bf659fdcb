#pragma once
// Streaming inference on a cube: a sequence of input images that change locally from frame to
// frame, each relaxed warm-started from the previous frame's fixed point. Where the roadmap's
// "only update unsettled regions" can pay: a frame moves only the neurons downstream of the
// pixels that changed, while a free phase started from rest moves everything.
//
// Two chains run the same stream side by side: dense (every block, every sweep, until no
// neuron moves by more than tol) and lazy (the block engine of cube_relax.hpp, woken by the
// slab neurons whose clamped value changed), each from its own previous fixed point, so any
// drift the lazy chain accumulates shows in the per-frame difference. The ideal neuron-level
// scheduler (cube_lazy_oracle.hpp) prices the dense chain's steps as the judge.
#include <cstdint>
#include <vector>

#include "cube/cube_lattice.hpp"

namespace obs::cube {

// Built-in streams over rows x cols images with values in [0, 1].
enum class StreamKind : std::uint8_t {
  Occluder,  // image a with a black square (side `occluder`) sliding one pixel per frame
             // along the middle row, left to right and back
  Morph,     // image a blending linearly into image b over the frames
};

// Frame f of a stream `frames` long (the morph's length; the occluder's period is its own), into
// out (rows * cols).
void stream_frame(StreamKind kind, const float* a, const float* b, int rows, int cols, std::int64_t f, int frames, int occluder,
                  float* out);
std::vector<std::vector<float>> make_stream(StreamKind kind, const float* a, const float* b, int rows, int cols, int frames,
                                            int occluder);

// Clamps an image onto the input slab, centred on the face and repeated on every slab plane
// (the cube's direct-image encoding, cube_input.cpp), on every example. Each slab neuron whose
// value changed is marked as moved for the lazy step t (mark_neuron; a dense step ignores the
// marks); returns how many changed. Allocates nothing.
std::size_t clamp_image(Cube& c, const float* image, int rows, int cols, std::int64_t t);

struct FrameCost {
  std::uint64_t dense_macs = 0, lazy_macs = 0, oracle_macs = 0;
  double dense_seconds = 0, lazy_seconds = 0;
  int dense_steps = 0, lazy_steps = 0;
  float max_diff = 0;          // max |s_lazy - s_dense| over the relaxing neurons at the frame's end
  double updated_share = 0;    // relaxing neurons the lazy chain updated at least once / all of them
  bool settled = true;         // both chains got below tol within max_steps
};

// Runs the stream on copies of `start` (its weights, its free state; beta is set to 0). Frame 0
// is relaxed densely from rest in both chains and not reported; every later frame gives one
// FrameCost. Throws std::invalid_argument if the image does not fit the face.
std::vector<FrameCost> run_stream(const Cube& start, const std::vector<std::vector<float>>& frames, int rows, int cols,
                                  float tol, int max_steps);

}  // namespace obs::cube
