#pragma once
// Perceptual colormaps, sampled on the CPU (colorbars, per-vertex colours) and uploaded
// as a 256x1 texture for shaders.
#include <array>
#include <string_view>

#include "gfx/gl.hpp"

namespace obs::gfx {

struct Rgb {
  float r, g, b;
};

enum class Colormap { Viridis };  // more maps join here as views need them

Rgb sample(Colormap map, float t);  // t clamped to [0, 1]
std::string_view colormap_name(Colormap map);

// A 256x1 RGBA8 texture of the map, linear filtering, clamped edges.
class ColormapTexture {
 public:
  ColormapTexture() = default;
  ~ColormapTexture();
  ColormapTexture(const ColormapTexture&) = delete;
  ColormapTexture& operator=(const ColormapTexture&) = delete;
  void upload(Colormap map);
  GLuint id() const { return tex_; }

 private:
  GLuint tex_ = 0;
};

}  // namespace obs::gfx
