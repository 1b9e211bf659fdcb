#version 330 core
// The reduced layer, upscaled bilinearly (the texture's filter) onto the viewport.
in vec2 v_uv;
uniform sampler2D u_layer;
out vec4 frag_color;
void main() { frag_color = vec4(texture(u_layer, v_uv).rgb, 1.0); }
