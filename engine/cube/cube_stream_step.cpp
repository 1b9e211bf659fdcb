// The cube's stream steps (step_mode = stream): one frame of a locally changing stream of test
// images per step, relaxed by the cube's own engine from the previous frame's fixed point until
// no neuron moves by more than tol, with no learning. The streams are cube_stream.hpp's, the
// ones tools/cube_stream measures dense against lazy; here a user watches the lazy front follow
// the occluder (the view's work channel) and its share of the cube (frame_work_share).
#include "cube/cube_system.hpp"

namespace obs {
namespace {

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace

void CubeSystem::stream_image(std::int64_t f, std::vector<float>& out) const {
  const data::Dataset& d = data().test;
  const std::size_t a = uz(stream_image_) % d.size(), b = (a + 1) % d.size();
  out.resize(uz(d.dim));
  cube::stream_frame(stream_kind_, d.example(a), d.example(b), d.rows, d.cols, f, stream_frames_, occluder_, out.data());
}

void CubeSystem::stream_step() {
  if (!streaming_) {
    // From a batch (maybe mid-nudge): free relaxation from here on, every block due once, since
    // the states are no fixed point of the first frame.
    streaming_ = true;
    c_.beta = 0;
    if (stage_ != Stage::Eval) stage_ = Stage::Free;
    cube::mark_all(c_, relax_t_);
  }
  stream_image(frames_, frame_pixels_);
  const data::Dataset& d = data().test;
  frame_t0_ = relax_t_;
  // Only the slab neurons whose pixel changed wake the lazy engine.
  cube::clamp_image(c_, frame_pixels_.data(), d.rows, d.cols, relax_t_);
  phase_step_ = 0;
  frame_macs_ = frame_dense_macs_ = 0;
  for (int k = 0; k < free_steps_; ++k) {
    const bool settled = relax_sweep();
    frame_macs_ += static_cast<double>(last_.macs);
    frame_dense_macs_ += static_cast<double>(last_.dense_macs);
    if (settled) break;
  }
  frame_steps_ = phase_step_;
  settle_steps_ = phase_step_;
  std::uint64_t touched = 0;
  for (std::size_t b = 0; b < c_.blocks(); ++b)
    if (c_.updated_at[b] >= frame_t0_) touched += c_.block_free[b];
  frame_share_ = c_.free_neurons ? static_cast<double>(touched) / static_cast<double>(c_.free_neurons) : 0.0;
  ++frames_;
}

void CubeSystem::leave_stream() {
  streaming_ = false;
  load_batch(stage_ == Stage::Eval);  // the batch the stream interrupted, from rest
}

}  // namespace obs
