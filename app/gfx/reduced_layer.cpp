#include "gfx/reduced_layer.hpp"

#include <algorithm>
#include <cmath>

namespace obs::gfx {

ReducedLayer::ReducedLayer() : program_("reduced_layer.vert", "reduced_layer.frag") { glGenVertexArrays(1, &empty_vao_); }

ReducedLayer::~ReducedLayer() {
  if (empty_vao_) glDeleteVertexArrays(1, &empty_vao_);
}

bool ReducedLayer::begin(float scale) {
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &saved_fbo_);
  glGetIntegerv(GL_VIEWPORT, saved_viewport_);
  glGetIntegerv(GL_SCISSOR_BOX, saved_scissor_);
  saved_scissor_on_ = glIsEnabled(GL_SCISSOR_TEST);
  const int w = std::max(1, static_cast<int>(std::lround(static_cast<float>(saved_viewport_[2]) * scale)));
  const int h = std::max(1, static_cast<int>(std::lround(static_cast<float>(saved_viewport_[3]) * scale)));
  if (!target_.ensure(w, h)) {
    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(saved_fbo_));  // ensure() unbinds
    return false;
  }
  target_.bind();  // and its viewport
  glDisable(GL_SCISSOR_TEST);  // the caller's box is in the other target's pixels
  glClearColor(0, 0, 0, 0);
  glClear(GL_COLOR_BUFFER_BIT);
  return true;
}

void ReducedLayer::end() {
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(saved_fbo_));
  glViewport(saved_viewport_[0], saved_viewport_[1], saved_viewport_[2], saved_viewport_[3]);
  glScissor(saved_scissor_[0], saved_scissor_[1], saved_scissor_[2], saved_scissor_[3]);
  if (saved_scissor_on_) glEnable(GL_SCISSOR_TEST);
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFunc(GL_ONE, GL_ONE);
  glDisable(GL_DEPTH_TEST);
  program_.use();
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, target_.texture());
  glUniform1i(program_.uniform("u_layer"), 0);
  glBindVertexArray(empty_vao_);
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  glBindVertexArray(0);
  glBindTexture(GL_TEXTURE_2D, 0);
}

}  // namespace obs::gfx
