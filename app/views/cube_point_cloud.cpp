#include "views/cube_point_cloud.hpp"

#include <glm/gtc/type_ptr.hpp>

#include <cstddef>

namespace obs {

CubePointCloud::CubePointCloud()
    : program_("cube_points.vert", "cube_points.frag"),
      buffer_(sizeof(CubePoint), {{0, 4, GL_FLOAT, GL_FALSE, offsetof(CubePoint, pos_size)},
                                  {1, 4, GL_UNSIGNED_BYTE, GL_TRUE, offsetof(CubePoint, rgba)}}) {}

void CubePointCloud::upload(const std::vector<CubePoint>& points) {
  buffer_.upload(points.data(), points.size() * sizeof(CubePoint));
}

void CubePointCloud::draw(std::size_t first, std::size_t count, CubePointStyle style, const glm::mat4& vp, float pixels_per_unit,
                          float max_pixels, CubeDepthCue cue) {
  if (count == 0) return;
  glEnable(GL_PROGRAM_POINT_SIZE);
  program_.use();
  glUniformMatrix4fv(program_.uniform("u_view_projection"), 1, GL_FALSE, glm::value_ptr(vp));
  glUniform1f(program_.uniform("u_pixels_per_unit"), pixels_per_unit);
  glUniform1f(program_.uniform("u_max_pixels"), max_pixels);
  glUniform1i(program_.uniform("u_style"), static_cast<GLint>(style));
  glUniform1f(program_.uniform("u_depth_fade"), cue.fade);
  glUniform2f(program_.uniform("u_depth_range"), cue.near, cue.far);
  buffer_.bind();
  glDrawArrays(GL_POINTS, static_cast<GLint>(first), static_cast<GLsizei>(count));
  glBindVertexArray(0);
}

}  // namespace obs
