#pragma once
// An offscreen colour+depth target. Every frame is drawn into one and then blitted to
// the window, so a screenshot reads exactly what was shown, with or without a visible window.
#include <cstdint>
#include <vector>

#include "gfx/gl.hpp"

namespace obs::gfx {

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // top row first
};

class Framebuffer {
 public:
  Framebuffer() = default;
  ~Framebuffer();
  Framebuffer(const Framebuffer&) = delete;
  Framebuffer& operator=(const Framebuffer&) = delete;

  // (Re)allocates when the size changes; returns false if the driver refuses.
  bool ensure(int width, int height);
  void bind() const;
  GLuint texture() const { return color_; }
  int width() const { return w_; }
  int height() const { return h_; }
  // Copies the colour buffer to `dst` (0 = window) at the given rectangle.
  void blit_to(GLuint dst, int x, int y, int w, int h) const;
  Image read(int x = 0, int y = 0, int w = -1, int h = -1) const;

 private:
  void release();
  GLuint fbo_ = 0, color_ = 0, depth_ = 0;
  int w_ = 0, h_ = 0;
};

}  // namespace obs::gfx
