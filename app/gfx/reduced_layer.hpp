#pragma once
// Draws soft, overlapping geometry at a fraction of the viewport's resolution and adds it onto
// the viewport. The cube's glow sprites cost their area in fragments (llvmpipe shades them on
// the CPU, and a 32^3 cube covers the view many times over); at half resolution they cost a
// quarter, and soft edges lose little a person can see. The bilinear upscale is also a
// low-pass filter against the moire a regular lattice of sprites makes.
#include "gfx/framebuffer.hpp"
#include "gfx/shader.hpp"

namespace obs::gfx {

class ReducedLayer {
 public:
  ReducedLayer();
  ~ReducedLayer();
  ReducedLayer(const ReducedLayer&) = delete;
  ReducedLayer& operator=(const ReducedLayer&) = delete;

  // Binds the layer at `scale` of the current viewport's size, cleared to black; false (and
  // nothing bound) if the driver refuses the target, so the caller draws at full size instead.
  bool begin(float scale);
  int width() const { return target_.width(); }
  int height() const { return target_.height(); }
  // Back to the target, viewport and scissor begin() found, and the layer added onto it
  // (GL_ONE, GL_ONE).
  void end();

 private:
  Framebuffer target_;
  Program program_;
  GLuint empty_vao_ = 0;  // the quad's corners come from gl_VertexID, but core GL wants a VAO
  GLint saved_fbo_ = 0, saved_viewport_[4] = {0, 0, 0, 0}, saved_scissor_[4] = {0, 0, 0, 0};
  GLboolean saved_scissor_on_ = GL_FALSE;
};

}  // namespace obs::gfx
