#pragma once
// A vertex buffer that the CPU refills every frame, with the vertex array that reads it: the
// shared plumbing of LineBatch, CubeLines and CubePointCloud, which differ only in what their
// vertices hold and how they are drawn.
#include <cstddef>
#include <initializer_list>

#include "gfx/gl.hpp"

namespace obs::gfx {

// One attribute of the vertex layout, in glVertexAttribPointer's argument order: shader
// location, component count, component type, whether integers arrive scaled to [0, 1], and
// the byte offset inside a vertex.
struct VertexAttribute {
  GLuint index;
  GLint components;
  GLenum type;
  GLboolean normalized;
  std::size_t offset;
};

class StreamBuffer {
 public:
  // The layout is recorded in the vertex array once, so a draw binds one object instead of
  // re-describing its vertices. Needs a current GL context.
  StreamBuffer(std::size_t stride, std::initializer_list<VertexAttribute> layout);
  ~StreamBuffer();
  StreamBuffer(const StreamBuffer&) = delete;
  StreamBuffer& operator=(const StreamBuffer&) = delete;

  // Replaces the contents with `bytes` bytes from `data`; leaves GL_ARRAY_BUFFER bound to it.
  void upload(const void* data, std::size_t bytes);
  // Binds the vertex array for glDraw*; the caller unbinds it when done.
  void bind() const;

 private:
  GLuint vao_ = 0, vbo_ = 0;
  std::size_t capacity_ = 0;  // bytes of storage the driver holds for vbo_
};

}  // namespace obs::gfx
