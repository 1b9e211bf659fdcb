#include "gfx/line_batch.hpp"

#include <cmath>
#include <cstddef>
#include <numbers>

namespace obs::gfx {

LineBatch::LineBatch() : program_("flat.vert", "flat.frag"), tris_buffer_(vertex_buffer()), lines_buffer_(vertex_buffer()) {}

StreamBuffer LineBatch::vertex_buffer() {
  return StreamBuffer(sizeof(Vertex),
                      {{0, 2, GL_FLOAT, GL_FALSE, offsetof(Vertex, x)}, {1, 4, GL_FLOAT, GL_FALSE, offsetof(Vertex, r)}});
}

void LineBatch::line(float x0, float y0, float x1, float y1, Rgba c) {
  lines_.push_back({x0, y0, c.r, c.g, c.b, c.a});
  lines_.push_back({x1, y1, c.r, c.g, c.b, c.a});
}

void LineBatch::circle(float cx, float cy, float radius, Rgba c, int segments) {
  for (int i = 0; i < segments; ++i) {
    const float a0 = 2 * std::numbers::pi_v<float> * static_cast<float>(i) / static_cast<float>(segments);
    const float a1 = 2 * std::numbers::pi_v<float> * static_cast<float>(i + 1) / static_cast<float>(segments);
    line(cx + radius * std::cos(a0), cy + radius * std::sin(a0), cx + radius * std::cos(a1), cy + radius * std::sin(a1), c);
  }
}

void LineBatch::triangle(float x0, float y0, float x1, float y1, float x2, float y2, Rgba c) {
  tris_.push_back({x0, y0, c.r, c.g, c.b, c.a});
  tris_.push_back({x1, y1, c.r, c.g, c.b, c.a});
  tris_.push_back({x2, y2, c.r, c.g, c.b, c.a});
}

void LineBatch::thick_line(float x0, float y0, float x1, float y1, float w, Rgba c) {
  const float len = std::hypot(x1 - x0, y1 - y0);
  if (len < 1e-9f) return;
  const float nx = -(y1 - y0) / len * w, ny = (x1 - x0) / len * w;
  triangle(x0 + nx, y0 + ny, x0 - nx, y0 - ny, x1 - nx, y1 - ny, c);
  triangle(x0 + nx, y0 + ny, x1 - nx, y1 - ny, x1 + nx, y1 + ny, c);
}

void LineBatch::arrow(float x0, float y0, float x1, float y1, float shaft, float head_len, float head_half_width, Rgba c) {
  const float dx = x1 - x0, dy = y1 - y0;
  const float len = std::hypot(dx, dy);
  if (len < 1e-6f) return;
  const float ux = dx / len, uy = dy / len;
  const float h = std::min(head_len, 0.5f * len);
  const float bx = x1 - ux * h, by = y1 - uy * h;
  thick_line(x0, y0, bx, by, shaft, c);
  triangle(x1, y1, bx - uy * head_half_width, by + ux * head_half_width, bx + uy * head_half_width,
           by - ux * head_half_width, c);
}

void LineBatch::upload_and_draw(StreamBuffer& buffer, const std::vector<Vertex>& v, GLenum mode) {
  if (v.empty()) return;
  buffer.upload(v.data(), v.size() * sizeof(Vertex));
  buffer.bind();
  glDrawArrays(mode, 0, static_cast<GLsizei>(v.size()));
}

void LineBatch::draw(float scale_x, float scale_y, float offset_x, float offset_y) {
  program_.use();
  glUniform4f(program_.uniform("u_transform"), scale_x, scale_y, offset_x, offset_y);
  upload_and_draw(tris_buffer_, tris_, GL_TRIANGLES);
  upload_and_draw(lines_buffer_, lines_, GL_LINES);
  glBindVertexArray(0);
}

}  // namespace obs::gfx
