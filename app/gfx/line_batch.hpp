#pragma once
// Coloured 2-D lines and triangles in view coordinates: circles, arrows, axes. Geometry is
// rebuilt on the CPU each frame (a few hundred vertices) and drawn in one call per primitive.
#include <vector>

#include "gfx/gl.hpp"
#include "gfx/shader.hpp"
#include "gfx/stream_buffer.hpp"

namespace obs::gfx {

struct Rgba {
  float r, g, b, a;
};

class LineBatch {
 public:
  LineBatch();
  LineBatch(const LineBatch&) = delete;
  LineBatch& operator=(const LineBatch&) = delete;

  void clear() { lines_.clear(); tris_.clear(); }
  void line(float x0, float y0, float x1, float y1, Rgba c);
  void circle(float cx, float cy, float radius, Rgba c, int segments = 128);
  void triangle(float x0, float y0, float x1, float y1, float x2, float y2, Rgba c);
  // A filled quad of the given half-width along the segment (GL core lines are 1 px).
  void thick_line(float x0, float y0, float x1, float y1, float half_width, Rgba c);
  // A shaft of half-width `shaft` from (x0,y0) to (x1,y1) with a filled head.
  void arrow(float x0, float y0, float x1, float y1, float shaft, float head_len, float head_half_width, Rgba c);

  // Draws with view -> clip transform clip = view * scale + offset.
  void draw(float scale_x, float scale_y, float offset_x, float offset_y);

 private:
  struct Vertex {
    float x, y, r, g, b, a;
  };
  static StreamBuffer vertex_buffer();
  static void upload_and_draw(StreamBuffer& buffer, const std::vector<Vertex>& v, GLenum mode);
  std::vector<Vertex> lines_, tris_;
  Program program_;
  // One buffer per primitive, so the lines' upload never overwrites vertices the triangles'
  // draw of the same frame may still be reading.
  StreamBuffer tris_buffer_, lines_buffer_;
};

}  // namespace obs::gfx
