#version 330 core
// One vertex per drawn neuron, expanded to a point sprite whose pixel size follows the
// perspective, so voxels shrink with distance like real geometry. Four floats and four bytes
// per neuron: a 32^3 cube re-uploads 640 KB a frame, where an instanced box mesh would cost
// 36 vertices and a mat4 per neuron, too heavy for llvmpipe.
layout(location = 0) in vec4 a_pos_size;  // world position, diameter in world units
layout(location = 1) in vec4 a_color;     // normalised bytes
uniform mat4 u_view_projection;
uniform float u_pixels_per_unit;  // viewport height * P[1][1] / 2: world units to pixels at w = 1
uniform float u_max_pixels;
// Depth cue: light falls linearly by u_depth_fade from the cube's nearest point (eye distance
// u_depth_range.x) to its farthest (u_depth_range.y). Under a maximum blend it keeps the front
// lattice in front, instead of the layers behind it interfering with it in moire stripes.
uniform float u_depth_fade;
uniform vec2 u_depth_range;
out vec4 v_color;
void main() {
  vec4 clip = u_view_projection * vec4(a_pos_size.xyz, 1.0);
  gl_Position = clip;
  gl_PointSize = clamp(a_pos_size.w * u_pixels_per_unit / max(clip.w, 1e-4), 1.0, u_max_pixels);
  float depth = clamp((clip.w - u_depth_range.x) / max(u_depth_range.y - u_depth_range.x, 1e-4), 0.0, 1.0);
  v_color = vec4(a_color.rgb * (1.0 - u_depth_fade * depth), a_color.a);
}
