#pragma once
// One small mesh (a box, a pyramid, a sphere) drawn many times in one call, each instance
// with its own model matrix and colour, lit by a headlight. Enough for voxels, arrows and
// walkers without a scene graph.
#include <glm/glm.hpp>

#include <vector>

#include "gfx/gl.hpp"
#include "gfx/shader.hpp"

namespace obs::gfx {

enum class MeshShape { Box, Pyramid, Sphere };  // unit box [-0.5, 0.5]^3; pyramid apex at +x

struct Instance {
  glm::mat4 model;
  glm::vec4 color;
};

class InstancedMesh {
 public:
  explicit InstancedMesh(MeshShape shape);
  ~InstancedMesh();
  InstancedMesh(const InstancedMesh&) = delete;
  InstancedMesh& operator=(const InstancedMesh&) = delete;

  // Translucent instances should come sorted back to front, drawn with depth writes off.
  void draw(const std::vector<Instance>& instances, const glm::mat4& view_projection, glm::vec3 eye);

 private:
  Program program_;
  GLuint vao_ = 0, vbo_mesh_ = 0, vbo_instances_ = 0;
  GLsizei vertex_count_ = 0;
};

}  // namespace obs::gfx
