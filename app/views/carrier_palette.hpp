#pragma once
// Colours shared by the carrier wheels, the lifetime timeline and the inspector, so a carrier
// reads as the same hue everywhere and an origin or fate as the same mark.
#include <imgui.h>

#include <algorithm>
#include <cstdint>

#include "gfx/line_batch.hpp"
#include "resonance/resonance_snapshot.hpp"

namespace obs::carrier_palette {

// Hue by spectral position t in [0, 1] (blue = slow, red = fast) at a lightness that stays
// legible on the dark view background; viridis is kept for the presence values.
inline gfx::Rgba frequency(float t, float alpha = 1.0f) {
  t = std::clamp(t, 0.0f, 1.0f);
  float r, g, b;
  ImGui::ColorConvertHSVtoRGB(0.66f * (1.0f - t) - 0.02f * t, 0.62f, 0.98f, r, g, b);
  return {r, g, b, alpha};
}

inline ImU32 to_u32(gfx::Rgba c) { return ImGui::ColorConvertFloat4ToU32({c.r, c.g, c.b, c.a}); }

inline ImU32 origin(resonance::Origin o, int alpha = 255) {
  switch (o) {
    case resonance::Origin::Mitosis: return IM_COL32(110, 215, 140, alpha);
    case resonance::Origin::Genesis: return IM_COL32(250, 175, 70, alpha);
    default: return IM_COL32(130, 150, 200, alpha);
  }
}

inline ImU32 fate(resonance::Fate f) {
  switch (f) {
    case resonance::Fate::Dissolved: return IM_COL32(255, 85, 85, 255);
    default: return IM_COL32(230, 232, 240, 255);
  }
}

inline const char* origin_name(resonance::Origin o) {
  return o == resonance::Origin::Mitosis ? "mitosis" : o == resonance::Origin::Genesis ? "genesis" : "initial";
}
inline const char* fate_name(resonance::Fate f) {
  return f == resonance::Fate::Dissolved ? "dissolved" : "alive";
}

}  // namespace obs::carrier_palette
