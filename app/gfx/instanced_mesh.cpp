#include "gfx/instanced_mesh.hpp"

#include <glm/gtc/type_ptr.hpp>

#include <cmath>
#include <numbers>

namespace obs::gfx {
namespace {

struct Vertex {
  glm::vec3 pos, normal;
};

void add_triangle(std::vector<Vertex>& v, glm::vec3 a, glm::vec3 b, glm::vec3 c) {
  const glm::vec3 n = glm::normalize(glm::cross(b - a, c - a));
  v.push_back({a, n});
  v.push_back({b, n});
  v.push_back({c, n});
}

std::vector<Vertex> make_mesh(MeshShape shape) {
  std::vector<Vertex> v;
  if (shape == MeshShape::Box) {
    for (int axis = 0; axis < 3; ++axis)
      for (float side : {-0.5f, 0.5f}) {
        // The face perpendicular to `axis` at `side`, wound outward.
        glm::vec3 c(0), u(0), w(0);
        c[axis] = side;
        u[(axis + 1) % 3] = 0.5f;
        w[(axis + 2) % 3] = 0.5f;
        if (side < 0) std::swap(u, w);
        add_triangle(v, c - u - w, c + u - w, c + u + w);
        add_triangle(v, c - u - w, c + u + w, c - u + w);
      }
  } else if (shape == MeshShape::Pyramid) {
    const glm::vec3 apex{0.5f, 0, 0};
    const glm::vec3 base[4] = {{-0.5f, -0.5f, -0.5f}, {-0.5f, 0.5f, -0.5f}, {-0.5f, 0.5f, 0.5f}, {-0.5f, -0.5f, 0.5f}};
    for (int i = 0; i < 4; ++i) add_triangle(v, base[i], base[(i + 1) % 4], apex);
    add_triangle(v, base[0], base[3], base[2]);
    add_triangle(v, base[0], base[2], base[1]);
  } else {
    const int rings = 8, segments = 12;
    auto point = [&](int r, int s) {
      const float theta = std::numbers::pi_v<float> * static_cast<float>(r) / rings;
      const float phi = 2 * std::numbers::pi_v<float> * static_cast<float>(s) / segments;
      return 0.5f * glm::vec3(std::sin(theta) * std::cos(phi), std::cos(theta), std::sin(theta) * std::sin(phi));
    };
    for (int r = 0; r < rings; ++r)
      for (int s = 0; s < segments; ++s) {
        const glm::vec3 a = point(r, s), b = point(r + 1, s), c = point(r + 1, s + 1), d = point(r, s + 1);
        // Smooth normals: on a sphere the normal is the position.
        v.push_back({a, glm::normalize(a)});
        v.push_back({c, glm::normalize(c)});
        v.push_back({b, glm::normalize(b)});
        v.push_back({a, glm::normalize(a)});
        v.push_back({d, glm::normalize(d)});
        v.push_back({c, glm::normalize(c)});
      }
  }
  return v;
}

}  // namespace

InstancedMesh::InstancedMesh(MeshShape shape) : program_("mesh.vert", "mesh.frag") {
  const auto mesh = make_mesh(shape);
  vertex_count_ = static_cast<GLsizei>(mesh.size());
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_mesh_);
  glGenBuffers(1, &vbo_instances_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_mesh_);
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(mesh.size() * sizeof(Vertex)), mesh.data(), GL_STATIC_DRAW);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, sizeof(Vertex), nullptr);
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, sizeof(Vertex), reinterpret_cast<void*>(sizeof(glm::vec3)));
  glBindBuffer(GL_ARRAY_BUFFER, vbo_instances_);
  for (int col = 0; col < 4; ++col) {  // mat4 model in locations 2..5
    glEnableVertexAttribArray(2 + col);
    glVertexAttribPointer(2 + col, 4, GL_FLOAT, GL_FALSE, sizeof(Instance), reinterpret_cast<void*>(sizeof(glm::vec4) * col));
    glVertexAttribDivisor(2 + col, 1);
  }
  glEnableVertexAttribArray(6);
  glVertexAttribPointer(6, 4, GL_FLOAT, GL_FALSE, sizeof(Instance), reinterpret_cast<void*>(offsetof(Instance, color)));
  glVertexAttribDivisor(6, 1);
  glBindVertexArray(0);
}

InstancedMesh::~InstancedMesh() {
  glDeleteBuffers(1, &vbo_mesh_);
  glDeleteBuffers(1, &vbo_instances_);
  glDeleteVertexArrays(1, &vao_);
}

void InstancedMesh::draw(const std::vector<Instance>& instances, const glm::mat4& vp, glm::vec3 eye) {
  if (instances.empty()) return;
  program_.use();
  glUniformMatrix4fv(program_.uniform("u_view_projection"), 1, GL_FALSE, glm::value_ptr(vp));
  glUniform3f(program_.uniform("u_eye"), eye.x, eye.y, eye.z);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_instances_);
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(instances.size() * sizeof(Instance)), instances.data(), GL_STREAM_DRAW);
  glDrawArraysInstanced(GL_TRIANGLES, 0, vertex_count_, static_cast<GLsizei>(instances.size()));
  glBindVertexArray(0);
}

}  // namespace obs::gfx
