#include "gfx/colormap.hpp"

#include <algorithm>

namespace obs::gfx {
namespace {

// Viridis (van der Walt & Smith, matplotlib, CC0), ten evenly spaced stops of the published
// table; linear interpolation between them stays within a few 1/255 of the full table.
constexpr std::array<Rgb, 10> kViridis = {{
    {0x44 / 255.f, 0x01 / 255.f, 0x54 / 255.f}, {0x48 / 255.f, 0x28 / 255.f, 0x78 / 255.f},
    {0x3E / 255.f, 0x4A / 255.f, 0x89 / 255.f}, {0x31 / 255.f, 0x68 / 255.f, 0x8E / 255.f},
    {0x26 / 255.f, 0x82 / 255.f, 0x8E / 255.f}, {0x1F / 255.f, 0x9E / 255.f, 0x89 / 255.f},
    {0x35 / 255.f, 0xB7 / 255.f, 0x79 / 255.f}, {0x6D / 255.f, 0xCD / 255.f, 0x59 / 255.f},
    {0xB4 / 255.f, 0xDE / 255.f, 0x2C / 255.f}, {0xFD / 255.f, 0xE7 / 255.f, 0x25 / 255.f},
}};

template <std::size_t N>
Rgb lerp_table(const std::array<Rgb, N>& table, float t) {
  t = std::clamp(t, 0.0f, 1.0f) * static_cast<float>(N - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(t), N - 2);
  const float f = t - static_cast<float>(i);
  const Rgb& a = table[i];
  const Rgb& b = table[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

}  // namespace

Rgb sample(Colormap map, float t) {
  switch (map) {
    case Colormap::Viridis: break;
  }
  return lerp_table(kViridis, t);
}

std::array<Rgb, 10> stops(Colormap map) {
  std::array<Rgb, 10> out;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = sample(map, static_cast<float>(i) / 9.0f);
  return out;
}

std::string_view colormap_name(Colormap) { return "viridis"; }

}  // namespace obs::gfx
