// Screen-space quads of the label overlay: positions in pixels of the view (origin top-left, y down),
// texels of the label atlas (row 0 = first row uploaded), and a premultiplied tint.
layout(location = 0) in vec2 a_pixel;
layout(location = 1) in vec2 a_texel;
layout(location = 2) in vec4 a_tint;

uniform vec2 u_view_size;  // pixels

out vec2 v_texel;
out vec4 v_tint;

void main() {
    v_texel = a_texel;
    v_tint = a_tint;
    vec2 ndc = a_pixel / u_view_size * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, -ndc.y, 0.0, 1.0);
}
