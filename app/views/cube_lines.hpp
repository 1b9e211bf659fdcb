#pragma once
// Coloured 3-D segments (the cube's frame, slab outlines, synapses), rebuilt by the caller each
// frame into a vector that keeps its capacity, and drawn in one call.
#include <glm/glm.hpp>

#include <vector>

#include "gfx/gl.hpp"
#include "gfx/shader.hpp"
#include "gfx/stream_buffer.hpp"

namespace obs {

class CubeLines {
 public:
  CubeLines();
  CubeLines(const CubeLines&) = delete;
  CubeLines& operator=(const CubeLines&) = delete;

  void clear() { vertices_.clear(); }
  void line(glm::vec3 a, glm::vec3 b, glm::vec4 color);
  // The twelve edges of the axis-aligned box [lo, hi].
  void box(glm::vec3 lo, glm::vec3 hi, glm::vec4 color);
  void draw(const glm::mat4& view_projection);

 private:
  struct Vertex {
    glm::vec3 pos;
    glm::vec4 color;
  };
  std::vector<Vertex> vertices_;
  gfx::Program program_;
  gfx::StreamBuffer buffer_;
};

}  // namespace obs
