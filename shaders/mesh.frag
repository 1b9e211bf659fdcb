#version 330 core
// A headlight (light at the eye) with a little ambient: shape reads from any orbit angle.
in vec3 v_world;
in vec3 v_normal;
in vec4 v_color;
uniform vec3 u_eye;
out vec4 frag_color;
void main() {
  vec3 n = normalize(v_normal);
  vec3 l = normalize(u_eye - v_world);
  float diffuse = abs(dot(n, l));  // two-sided: translucent boxes show their back faces too
  frag_color = vec4(v_color.rgb * (0.35 + 0.65 * diffuse), v_color.a);
}
