#include "views/cube_point_cloud.hpp"

#include <glm/gtc/type_ptr.hpp>

#include <cstddef>

namespace obs {

CubePointCloud::CubePointCloud() : program_("cube_points.vert", "cube_points.frag") {
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 4, GL_FLOAT, GL_FALSE, sizeof(CubePoint), nullptr);
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(CubePoint), reinterpret_cast<void*>(offsetof(CubePoint, rgba)));
  glBindVertexArray(0);
}

CubePointCloud::~CubePointCloud() {
  glDeleteBuffers(1, &vbo_);
  glDeleteVertexArrays(1, &vao_);
}

void CubePointCloud::upload(const std::vector<CubePoint>& points) {
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  const auto bytes = static_cast<GLsizeiptr>(points.size() * sizeof(CubePoint));
  if (points.size() > capacity_) {
    capacity_ = points.capacity();
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(capacity_ * sizeof(CubePoint)), nullptr, GL_STREAM_DRAW);
  }
  if (bytes > 0) glBufferSubData(GL_ARRAY_BUFFER, 0, bytes, points.data());
}

void CubePointCloud::draw(std::size_t first, std::size_t count, CubePointStyle style, const glm::mat4& vp, float pixels_per_unit,
                          float max_pixels) {
  if (count == 0) return;
  glEnable(GL_PROGRAM_POINT_SIZE);
  program_.use();
  glUniformMatrix4fv(program_.uniform("u_view_projection"), 1, GL_FALSE, glm::value_ptr(vp));
  glUniform1f(program_.uniform("u_pixels_per_unit"), pixels_per_unit);
  glUniform1f(program_.uniform("u_max_pixels"), max_pixels);
  glUniform1i(program_.uniform("u_style"), static_cast<GLint>(style));
  glBindVertexArray(vao_);
  glDrawArrays(GL_POINTS, static_cast<GLint>(first), static_cast<GLsizei>(count));
  glBindVertexArray(0);
}

}  // namespace obs
