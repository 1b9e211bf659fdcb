#include "views/cube_lines.hpp"

#include <glm/gtc/type_ptr.hpp>

#include <cstddef>

namespace obs {

CubeLines::CubeLines()
    : program_("cube_lines.vert", "cube_lines.frag"),
      buffer_(sizeof(Vertex),
              {{0, 3, GL_FLOAT, GL_FALSE, offsetof(Vertex, pos)}, {1, 4, GL_FLOAT, GL_FALSE, offsetof(Vertex, color)}}) {}

void CubeLines::line(glm::vec3 a, glm::vec3 b, glm::vec4 color) {
  vertices_.push_back({a, color});
  vertices_.push_back({b, color});
}

void CubeLines::box(glm::vec3 lo, glm::vec3 hi, glm::vec4 c) {
  for (int axis = 0; axis < 3; ++axis) {
    const int u = (axis + 1) % 3, w = (axis + 2) % 3;
    for (int corner = 0; corner < 4; ++corner) {
      glm::vec3 a = lo;
      a[u] = corner & 1 ? hi[u] : lo[u];
      a[w] = corner & 2 ? hi[w] : lo[w];
      glm::vec3 b = a;
      b[axis] = hi[axis];
      line(a, b, c);
    }
  }
}

void CubeLines::draw(const glm::mat4& vp) {
  if (vertices_.empty()) return;
  program_.use();
  glUniformMatrix4fv(program_.uniform("u_view_projection"), 1, GL_FALSE, glm::value_ptr(vp));
  buffer_.upload(vertices_.data(), vertices_.size() * sizeof(Vertex));
  buffer_.bind();
  glDrawArrays(GL_LINES, 0, static_cast<GLsizei>(vertices_.size()));
  glBindVertexArray(0);
}

}  // namespace obs
