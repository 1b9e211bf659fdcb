#version 330 core
// Coloured 2-D geometry in view coordinates; u_transform = (scale.xy, offset.xy) to clip space.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec4 a_color;
uniform vec4 u_transform;
out vec4 v_color;
void main() {
  v_color = a_color;
  gl_Position = vec4(a_pos * u_transform.xy + u_transform.zw, 0.0, 1.0);
}
