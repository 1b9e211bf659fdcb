#pragma once
// Perceptual colormaps, sampled on the CPU (colorbars) and handed to shaders as stops.
#include <array>
#include <cstdint>
#include <string_view>

namespace obs::gfx {

struct Rgb {
  float r, g, b;
};

enum class Colormap { Viridis, Grey };  // more maps join here as views need them

Rgb sample(Colormap map, float t);  // t clamped to [0, 1]
// Ten evenly spaced stops (t = 0, 1/9, ..., 1), for shaders that interpolate themselves.
std::array<Rgb, 10> stops(Colormap map);
std::string_view colormap_name(Colormap map);

// The one colour of a NaN/Inf value in every view: a loud magenta no colormap reaches, so a
// quarantined unit is never mistaken for data (nor hidden).
inline constexpr std::uint8_t kNonFiniteRgba[4] = {255, 40, 200, 255};

}  // namespace obs::gfx
