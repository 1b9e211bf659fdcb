#include "gfx/colormap.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

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

std::string_view colormap_name(Colormap) { return "viridis"; }

ColormapTexture::~ColormapTexture() {
  if (tex_) glDeleteTextures(1, &tex_);
}

void ColormapTexture::upload(Colormap map) {
  std::vector<std::uint8_t> px(256 * 4);
  for (int i = 0; i < 256; ++i) {
    const Rgb c = sample(map, static_cast<float>(i) / 255.0f);
    px[4 * i] = static_cast<std::uint8_t>(c.r * 255.0f + 0.5f);
    px[4 * i + 1] = static_cast<std::uint8_t>(c.g * 255.0f + 0.5f);
    px[4 * i + 2] = static_cast<std::uint8_t>(c.b * 255.0f + 0.5f);
    px[4 * i + 3] = 255;
  }
  if (!tex_) glGenTextures(1, &tex_);
  glBindTexture(GL_TEXTURE_2D, tex_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 256, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

}  // namespace obs::gfx
