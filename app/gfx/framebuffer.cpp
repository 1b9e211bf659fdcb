#include "gfx/framebuffer.hpp"

#include <cstring>

namespace obs::gfx {

Framebuffer::~Framebuffer() { release(); }

void Framebuffer::release() {
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  if (color_) glDeleteTextures(1, &color_);
  if (depth_) glDeleteRenderbuffers(1, &depth_);
  fbo_ = color_ = depth_ = 0;
  w_ = h_ = 0;
}

bool Framebuffer::ensure(int width, int height) {
  if (width <= 0 || height <= 0) return false;
  if (fbo_ && width == w_ && height == h_) return true;
  release();
  glGenTextures(1, &color_);
  glBindTexture(GL_TEXTURE_2D, color_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glGenRenderbuffers(1, &depth_);
  glBindRenderbuffer(GL_RENDERBUFFER, depth_);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH24_STENCIL8, width, height);
  glGenFramebuffers(1, &fbo_);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, color_, 0);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_STENCIL_ATTACHMENT, GL_RENDERBUFFER, depth_);
  const bool ok = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  if (!ok) {
    release();
    return false;
  }
  w_ = width;
  h_ = height;
  return true;
}

void Framebuffer::bind() const {
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, w_, h_);
}

void Framebuffer::blit_to(GLuint dst, int x, int y, int w, int h) const {
  glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, dst);
  glBlitFramebuffer(0, 0, w_, h_, x, y, x + w, y + h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

Image Framebuffer::read(int x, int y, int w, int h) const {
  if (w < 0) w = w_;
  if (h < 0) h = h_;
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(x, y, w, h, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  // GL's rows run bottom-up; images are stored top row first.
  const std::size_t row = static_cast<std::size_t>(w) * 4;
  std::vector<std::uint8_t> tmp(row);
  for (int r = 0; r < h / 2; ++r) {
    std::uint8_t* a = img.rgba.data() + static_cast<std::size_t>(r) * row;
    std::uint8_t* b = img.rgba.data() + static_cast<std::size_t>(h - 1 - r) * row;
    std::memcpy(tmp.data(), a, row);
    std::memcpy(a, b, row);
    std::memcpy(b, tmp.data(), row);
  }
  for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;  // screenshots are opaque
  return img;
}

}  // namespace obs::gfx
