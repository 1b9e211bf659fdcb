#version 330 core
// Three looks for one sprite: a soft glow for additive blending (overlapping activity adds up
// into clouds), a shaded sphere impostor for opaque depth-tested voxels, and a ring marker.
in vec4 v_color;
uniform int u_style;  // 0 glow, 1 sphere, 2 ring
out vec4 frag_color;
void main() {
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(d, d);
  if (r2 > 1.0) discard;
  if (u_style == 0) {
    // A bright core in a soft halo, polynomial rather than exp(): llvmpipe shades every
    // fragment on the CPU. Premultiplied for glBlendFunc(GL_ONE, GL_ONE).
    float h = 1.0 - r2;
    float k = h * h * (0.55 + 0.9 * h * h * h);
    frag_color = vec4(v_color.rgb * (v_color.a * k), 1.0);
  } else if (u_style == 1) {
    float nz = sqrt(1.0 - r2);
    vec3 n = vec3(d.x, -d.y, nz);
    float diffuse = max(dot(n, normalize(vec3(-0.4, 0.5, 0.77))), 0.0);
    float rim = smoothstep(0.82, 1.0, r2);
    vec3 c = v_color.rgb * (0.30 + 0.75 * diffuse) + vec3(0.25) * pow(max(n.z * diffuse, 0.0), 24.0);
    frag_color = vec4(mix(c, c * 0.4, rim), v_color.a);
  } else {
    if (r2 < 0.55) discard;
    frag_color = vec4(v_color.rgb, v_color.a * (1.0 - smoothstep(0.85, 1.0, r2)));
  }
}
