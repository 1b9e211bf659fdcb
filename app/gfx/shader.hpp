#pragma once
// A linked GLSL program built from sources embedded at build time (shaders/*.glsl).
#include <string>

#include "gfx/gl.hpp"

namespace obs::gfx {

// The source of shaders/<name>, embedded by CMake; throws std::runtime_error if unknown.
const char* embedded_shader(const std::string& name);

class Program {
 public:
  Program() = default;
  // Compiles and links; throws std::runtime_error with the driver's log on failure.
  Program(const std::string& vertex_name, const std::string& fragment_name);
  ~Program();
  Program(Program&& o) noexcept : id_(o.id_) { o.id_ = 0; }
  Program& operator=(Program&& o) noexcept;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  void use() const { glUseProgram(id_); }
  GLint uniform(const char* name) const { return glGetUniformLocation(id_, name); }
  GLuint id() const { return id_; }

 private:
  GLuint id_ = 0;
};

}  // namespace obs::gfx
