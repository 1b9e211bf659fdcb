#pragma once
// Colours of the eqprop view: the R/G/B composite, the signed nudge map, class colours.
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "gfx/colormap.hpp"
#include "views/heatmap.hpp"

namespace obs::eqprop_palette {

inline ImU32 rgb(float r, float g, float b, float a = 1.0f) {
  return ImGui::ColorConvertFloat4ToU32({std::clamp(r, 0.0f, 1.0f), std::clamp(g, 0.0f, 1.0f), std::clamp(b, 0.0f, 1.0f), a});
}

inline constexpr ImU32 kNonFinite = kNonFiniteColour;
inline constexpr ImU32 kText = IM_COL32(228, 231, 240, 255);
inline constexpr ImU32 kDim = IM_COL32(150, 156, 172, 255);
inline constexpr ImU32 kFaint = IM_COL32(95, 100, 116, 255);
inline constexpr ImU32 kPanel = IM_COL32(22, 24, 30, 255);
inline constexpr ImU32 kFrame = IM_COL32(60, 64, 78, 255);
inline constexpr ImU32 kFreeTint = IM_COL32(210, 215, 225, 255);
inline constexpr ImU32 kNudgeTint = IM_COL32(90, 160, 255, 255);

// The composite, channel for channel: R = |s|, G = |ds| (log), B = |nudge|. Unit-free display
// values in [0, 1] after ChannelFrames' normalisation.
inline ImU32 composite(float r, float g, float b) {
  if (!std::isfinite(r) || !std::isfinite(g) || !std::isfinite(b)) return kNonFinite;
  return rgb(r, g, std::fabs(b));
}

inline ImU32 sequential(float t) {
  if (!std::isfinite(t)) return kNonFinite;
  const gfx::Rgb c = gfx::sample(gfx::Colormap::Viridis, t);
  return rgb(c.r, c.g, c.b);
}

// Signed nudge in [-1, 1]: dark at zero so a quiet layer stays quiet on the dark background,
// blue for units pushed up (the TorEqProp blue), orange for units pushed down.
inline ImU32 diverging(float v) {
  if (!std::isfinite(v)) return kNonFinite;
  const float t = std::pow(std::min(1.0f, std::fabs(v)), 0.8f);
  const float z[3] = {0.09f, 0.10f, 0.13f};
  const float up[3] = {0.35f, 0.66f, 1.0f}, down[3] = {1.0f, 0.58f, 0.16f};
  const float* e = v >= 0 ? up : down;
  return rgb(z[0] + (e[0] - z[0]) * t, z[1] + (e[1] - z[1]) * t, z[2] + (e[2] - z[2]) * t);
}

// Tableau 10, cycled past ten classes.
inline ImU32 class_color(int c, float alpha = 1.0f) {
  static constexpr unsigned table[10] = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                         0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};
  const unsigned v = table[((c % 10) + 10) % 10];
  return IM_COL32((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff, static_cast<int>(alpha * 255.0f));
}

}  // namespace obs::eqprop_palette
