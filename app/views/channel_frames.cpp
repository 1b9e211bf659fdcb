#include "views/channel_frames.hpp"

#include <algorithm>
#include <cmath>

namespace obs {
namespace {

// 99th percentile of the finite, non-zero magnitudes in v (reordered in place); 1 when there are
// none, so an all-zero channel draws as zero rather than dividing by zero.
float robust_scale(std::vector<float>& v) {
  auto end = std::remove_if(v.begin(), v.end(), [](float x) { return !(std::isfinite(x) && x > 0.0f); });
  const auto n = static_cast<std::size_t>(end - v.begin());
  if (n == 0) return 1.0f;
  const std::size_t k = std::min(n - 1, static_cast<std::size_t>(0.99 * static_cast<double>(n)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), end);
  const float q = v[k];
  return q > 0.0f ? q : 1.0f;
}

}  // namespace

void ChannelFrames::compute(const eqprop::EqPropSnapshot& snap, bool shared_scale, float green_decades) {
  decades_ = green_decades;
  frames_ = static_cast<int>(snap.trajectory.size());
  sizes_.clear();
  offset_.clear();
  total_ = 0;
  non_finite_ = 0;
  if (frames_ > 0)
    for (const auto& layer : snap.trajectory.front().s) {
      offset_.push_back(total_);
      sizes_.push_back(static_cast<int>(layer.size()));
      total_ += layer.size();
    }
  // The free phase is the leading run of free frames (the recorded phases are the truth; the
  // snapshot's free_steps says the same when the engine is consistent).
  free_frames_ = 0;
  while (free_frames_ < frames_ && snap.trajectory[free_frames_].phase == eqprop::RelaxPhase::Free) ++free_frames_;

  const std::size_t n = static_cast<std::size_t>(frames_) * total_;
  s_.resize(n);
  red_.resize(n);
  green_.resize(n);
  blue_.resize(n);
  const int L = layers();
  for (int f = 0; f < frames_; ++f) {
    const auto& fr = snap.trajectory[f];
    for (int l = 0; l < L; ++l) {
      const bool ok = l < static_cast<int>(fr.s.size()) && static_cast<int>(fr.s[l].size()) == sizes_[l];
      for (int i = 0; i < sizes_[l]; ++i) {
        const float v = ok ? fr.s[l][i] : std::nanf("");
        non_finite_ += !std::isfinite(v);
        s_[at(f, l, i)] = v;
        red_[at(f, l, i)] = std::fabs(v);
        // The free phase starts from rest; a nudged phase continues from the frame before it.
        const float prev = f == 0 ? 0.0f : s_[at(f - 1, l, i)];
        green_[at(f, l, i)] = std::fabs(v - prev);
      }
    }
  }
  const int ref = free_frames_ - 1;  // the free fixed point
  for (int f = 0; f < frames_; ++f)
    for (int l = 0; l < L; ++l)
      for (int i = 0; i < sizes_[l]; ++i)
        blue_[at(f, l, i)] = (f < free_frames_ || ref < 0) ? 0.0f : s_[at(f, l, i)] - s_[at(ref, l, i)];

  scales_.assign(static_cast<std::size_t>(L), {});
  auto gather = [&](const std::vector<float>& src, int l, int f0) {
    for (int f = f0; f < frames_; ++f)
      for (int i = 0; i < sizes_[l]; ++i) scratch_.push_back(std::fabs(src[at(f, l, i)]));
  };
  if (shared_scale) {
    ChannelScale c;
    scratch_.clear();
    for (int l = 0; l < L; ++l) gather(red_, l, 0);
    c.red = robust_scale(scratch_);
    scratch_.clear();
    for (int l = 0; l < L; ++l) gather(green_, l, 0);
    c.green = robust_scale(scratch_);
    scratch_.clear();
    for (int l = 0; l < L; ++l) gather(blue_, l, free_frames_);
    c.blue = robust_scale(scratch_);
    std::fill(scales_.begin(), scales_.end(), c);
  } else {
    for (int l = 0; l < L; ++l) {
      scratch_.clear();
      gather(red_, l, 0);
      scales_[l].red = robust_scale(scratch_);
      scratch_.clear();
      gather(green_, l, 0);
      scales_[l].green = robust_scale(scratch_);
      scratch_.clear();
      gather(blue_, l, free_frames_);
      scales_[l].blue = robust_scale(scratch_);
    }
  }

  mean_r_.assign(static_cast<std::size_t>(frames_), 0.0f);
  mean_g_.assign(static_cast<std::size_t>(frames_), 0.0f);
  mean_b_.assign(static_cast<std::size_t>(frames_), 0.0f);
  for (int f = 0; f < frames_; ++f) {
    double r = 0, g = 0, b = 0;
    std::size_t count = 0;
    for (int l = 0; l < L; ++l)
      for (int i = 0; i < sizes_[l]; ++i) {
        const float rv = red01(f, l, i), gv = green01(f, l, i), bv = blue11(f, l, i);
        if (!std::isfinite(rv) || !std::isfinite(gv) || !std::isfinite(bv)) continue;
        r += rv;
        g += gv;
        b += std::fabs(bv);
        ++count;
      }
    if (count) {
      mean_r_[f] = static_cast<float>(r / static_cast<double>(count));
      mean_g_[f] = static_cast<float>(g / static_cast<double>(count));
      mean_b_[f] = static_cast<float>(b / static_cast<double>(count));
    }
  }
}

float ChannelFrames::red01(int f, int l, int i) const {
  const float v = red_[at(f, l, i)];
  return std::isfinite(v) ? std::min(1.0f, v / scales_[l].red) : v;
}

float ChannelFrames::green01(int f, int l, int i) const {
  const float v = green_[at(f, l, i)];
  if (!std::isfinite(v)) return v;
  if (v <= 0.0f) return 0.0f;
  return std::clamp(1.0f + std::log10(v / scales_[l].green) / decades_, 0.0f, 1.0f);
}

float ChannelFrames::blue11(int f, int l, int i) const {
  const float v = blue_[at(f, l, i)];
  return std::isfinite(v) ? std::clamp(v / scales_[l].blue, -1.0f, 1.0f) : v;
}

}  // namespace obs
