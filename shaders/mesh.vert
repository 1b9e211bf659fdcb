#version 330 core
// Instanced mesh: per-instance model matrix and colour.
layout(location = 0) in vec3 a_pos;
layout(location = 1) in vec3 a_normal;
layout(location = 2) in mat4 a_model;  // locations 2..5
layout(location = 6) in vec4 a_color;
uniform mat4 u_view_projection;
out vec3 v_world;
out vec3 v_normal;
out vec4 v_color;
void main() {
  vec4 world = a_model * vec4(a_pos, 1.0);
  v_world = world.xyz;
  v_normal = mat3(a_model) * a_normal;  // instances are scaled and rotated, never sheared
  v_color = a_color;
  gl_Position = u_view_projection * world;
}
