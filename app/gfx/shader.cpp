#include "gfx/shader.hpp"

#include <stdexcept>
#include <utility>

namespace obs::gfx {
namespace {

GLuint compile(GLenum type, const std::string& name) {
  const char* src = embedded_shader(name);
  const GLuint s = glCreateShader(type);
  glShaderSource(s, 1, &src, nullptr);
  glCompileShader(s);
  GLint ok = 0;
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048];
    glGetShaderInfoLog(s, sizeof log, nullptr, log);
    glDeleteShader(s);
    throw std::runtime_error("shader " + name + " failed to compile: " + log);
  }
  return s;
}

}  // namespace

Program::Program(const std::string& vertex_name, const std::string& fragment_name) {
  const GLuint vs = compile(GL_VERTEX_SHADER, vertex_name);
  const GLuint fs = compile(GL_FRAGMENT_SHADER, fragment_name);
  id_ = glCreateProgram();
  glAttachShader(id_, vs);
  glAttachShader(id_, fs);
  glLinkProgram(id_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(id_, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[2048];
    glGetProgramInfoLog(id_, sizeof log, nullptr, log);
    throw std::runtime_error("program " + vertex_name + "+" + fragment_name + " failed to link: " + log);
  }
}

Program::~Program() {
  if (!id_) return;
  // A program deleted while current stays alive until something else is bound; ImGui's
  // renderer saves the current program and restores it after drawing, by then a dead name
  // (GL_INVALID_VALUE from glUseProgram when a scene's view is replaced).
  GLint current = 0;
  glGetIntegerv(GL_CURRENT_PROGRAM, &current);
  if (static_cast<GLuint>(current) == id_) glUseProgram(0);
  glDeleteProgram(id_);
}

Program& Program::operator=(Program&& o) noexcept {
  std::swap(id_, o.id_);
  return *this;
}

}  // namespace obs::gfx
