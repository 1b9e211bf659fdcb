#version 330 core
// One vertex per drawn oscillator: placed on the unit circle at its phase (optionally on a
// ring whose radius encodes natural frequency) and coloured by natural frequency. The
// colormap arrives as uniform stops rather than a texture: a vertex-shader texture fetch is
// the slowest part of this shader on Mesa's llvmpipe. Oscillators at or past u_moving are
// frozen and drawn grey.
layout(location = 0) in float a_phase;
layout(location = 1) in float a_omega;
uniform vec4 u_transform;      // view -> clip: scale.xy, offset.xy
uniform vec2 u_omega_range;    // colour range (lo, hi)
uniform float u_ring_spread;   // 0: all on the unit circle; >0: radius 1 +- spread by frequency
uniform float u_point_size;
uniform int u_moving;          // first frozen oscillator, in drawn-vertex units
uniform vec3 u_stops[10];      // colormap, evenly spaced
out vec4 v_color;
void main() {
  float t = clamp((a_omega - u_omega_range.x) / (u_omega_range.y - u_omega_range.x), 0.0, 1.0);
  float radius = 1.0 + u_ring_spread * (t - 0.5);
  vec2 p = radius * vec2(cos(a_phase), sin(a_phase));
  gl_Position = vec4(p * u_transform.xy + u_transform.zw, 0.0, 1.0);
  gl_PointSize = u_point_size;
  float s = t * 9.0;
  int i = min(int(s), 8);
  vec3 c = mix(u_stops[i], u_stops[i + 1], s - float(i));
  v_color = gl_VertexID >= u_moving ? vec4(0.55, 0.55, 0.55, 0.9) : vec4(c, 0.85);
}
