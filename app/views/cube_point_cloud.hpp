#pragma once
// Neurons of the cube as perspective point sprites: one vertex each (position, diameter,
// colour), uploaded into a buffer that only grows, so a relaxing cube costs one buffer
// update and one draw call per style and frame.
#include <glm/glm.hpp>

#include <cstdint>
#include <vector>

#include "gfx/gl.hpp"
#include "gfx/shader.hpp"
#include "gfx/stream_buffer.hpp"

namespace obs {

struct CubePoint {
  glm::vec4 pos_size;         // world position, diameter in world units
  std::uint8_t rgba[4];       // colour; in the glow style, alpha scales the light it adds
};

enum class CubePointStyle { Glow = 0, Sphere = 1, Ring = 2 };

// Light falls by `fade` (0: none) from eye distance `near` to `far`.
struct CubeDepthCue {
  float fade = 0, near = 0, far = 1;
};

class CubePointCloud {
 public:
  CubePointCloud();
  CubePointCloud(const CubePointCloud&) = delete;
  CubePointCloud& operator=(const CubePointCloud&) = delete;

  // Replaces the buffer's contents (no reallocation unless it grows).
  void upload(const std::vector<CubePoint>& points);
  // Draws points [first, first + count) of the last upload. Blending and depth state are the
  // caller's; pixels_per_unit = viewport height * projection[1][1] / 2.
  void draw(std::size_t first, std::size_t count, CubePointStyle style, const glm::mat4& view_projection,
            float pixels_per_unit, float max_pixels, CubeDepthCue cue = {});

 private:
  gfx::Program program_;
  gfx::StreamBuffer buffer_;
};

}  // namespace obs
