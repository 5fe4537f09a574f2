// Label overlay: premultiplied sRGB texels from the atlas (text, backgrounds, the white texel for
// leader lines), tinted. Written without sRGB conversion: like every text renderer, the glyph
// coverage Pillow produced was meant to blend in display (sRGB) space.
layout(binding = UNIT_ATLAS) uniform sampler2D u_atlas;

in vec2 v_texel;
in vec4 v_tint;
layout(location = 0) out vec4 out_color;

void main() {
    out_color = texelFetch(u_atlas, ivec2(v_texel), 0) * v_tint;
}
