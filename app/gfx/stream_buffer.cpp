#include "gfx/stream_buffer.hpp"

#include <algorithm>

namespace obs::gfx {

StreamBuffer::StreamBuffer(std::size_t stride, std::initializer_list<VertexAttribute> layout) {
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  for (const VertexAttribute& a : layout) {
    glEnableVertexAttribArray(a.index);
    glVertexAttribPointer(a.index, a.components, a.type, a.normalized, static_cast<GLsizei>(stride),
                          reinterpret_cast<const void*>(a.offset));
  }
  glBindVertexArray(0);
}

StreamBuffer::~StreamBuffer() {
  glDeleteBuffers(1, &vbo_);
  glDeleteVertexArrays(1, &vao_);
}

void StreamBuffer::upload(const void* data, std::size_t bytes) {
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  if (bytes == 0) return;
  // Grow-only: re-specifying the storage with glBufferData on every upload would have the driver
  // allocate (or orphan) a fresh block each frame; here storage is allocated only when the contents
  // outgrow it, at least doubling so a slowly growing scene reallocates O(log n) times, and every
  // other upload writes in place. GL_STREAM_DRAW because the contents are written once and drawn
  // a few times before they are replaced, which lets the driver keep them where the CPU writes cheaply.
  if (bytes > capacity_) {
    capacity_ = std::max(bytes, 2 * capacity_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(capacity_), nullptr, GL_STREAM_DRAW);
  }
  glBufferSubData(GL_ARRAY_BUFFER, 0, static_cast<GLsizeiptr>(bytes), data);
}

void StreamBuffer::bind() const { glBindVertexArray(vao_); }

}  // namespace obs::gfx
