#pragma once
// The R/G/B channels of an eqprop relaxation, computed once per snapshot from the recorded
// trajectory (engine/eqprop/eqprop_snapshot.hpp) and normalised for display:
//   Red   = |s_t|                       activation magnitude
//   Green = |s_t - s_{t-1}|             velocity of the last sweep (frame 0: from rest, s = 0)
//   Blue  = s_t - s_free_final          the nudge; zero in the free phase
// Normalisation (what the colours mean): each channel is divided by a robust scale, the 99th
// percentile of its magnitude over the whole trajectory (blue: over the nudged frames), so one
// saturated unit or the first sweep from rest does not wash out the rest. Red and blue are then
// linear (blue signed, in [-1, 1]); green is logarithmic over `green_decades` decades below its
// scale, because a contracting map shrinks the velocity geometrically and on a linear scale the
// whole settling would be dark after a handful of sweeps. Scales are per layer by default (the
// nudge reaching a hidden layer is orders of magnitude below the output's and would vanish on
// a shared scale), or shared by all layers to compare magnitudes across layers.
#include <cstdint>
#include <vector>

#include "eqprop/eqprop_snapshot.hpp"

namespace obs {

struct ChannelScale {
  float red = 1, green = 1, blue = 1;  // the value each channel saturates at
};

class ChannelFrames {
 public:
  // Rebuilds everything from the snapshot's trajectory; allocation only when shapes grow.
  void compute(const eqprop::EqPropSnapshot& s, bool shared_scale, float green_decades);

  int frames() const { return frames_; }
  int layers() const { return static_cast<int>(sizes_.size()); }
  int units(int layer) const { return sizes_[layer]; }
  int free_frames() const { return free_frames_; }
  bool nudged(int frame) const { return frame >= free_frames_; }

  // Raw values of one unit at one frame.
  float s(int f, int l, int i) const { return s_[at(f, l, i)]; }
  float red(int f, int l, int i) const { return red_[at(f, l, i)]; }
  float green(int f, int l, int i) const { return green_[at(f, l, i)]; }
  float blue(int f, int l, int i) const { return blue_[at(f, l, i)]; }

  // Display values: red and green in [0, 1], blue in [-1, 1]; NaN stays NaN (drawn as such).
  float red01(int f, int l, int i) const;
  float green01(int f, int l, int i) const;
  float blue11(int f, int l, int i) const;

  const ChannelScale& scale(int layer) const { return scales_[layer]; }
  float green_decades() const { return decades_; }

  // Mean display value over all units, per frame: the timeline's three curves.
  const std::vector<float>& mean_red() const { return mean_r_; }
  const std::vector<float>& mean_green() const { return mean_g_; }
  const std::vector<float>& mean_blue() const { return mean_b_; }
  std::size_t non_finite() const { return non_finite_; }

 private:
  std::size_t at(int f, int l, int i) const {
    return static_cast<std::size_t>(f) * total_ + offset_[l] + static_cast<std::size_t>(i);
  }

  int frames_ = 0, free_frames_ = 0;
  float decades_ = 3;
  std::vector<int> sizes_;
  std::vector<std::size_t> offset_;
  std::size_t total_ = 0, non_finite_ = 0;
  std::vector<float> s_, red_, green_, blue_;
  std::vector<ChannelScale> scales_;
  std::vector<float> mean_r_, mean_g_, mean_b_;
  std::vector<float> scratch_;
};

}  // namespace obs
