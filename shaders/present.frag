// Final step of a view: exposure, tone mapping and output to an sRGB target (the hardware encodes).
// Data views (normal, depth, ao) must reach the file unchanged, so they are pre-decoded here and
// the sRGB encoding of the target restores the raw value.
#include "lib/color.glsl"

#ifndef VIEW_MODE
#define VIEW_MODE 0
#endif
#ifndef ENCODE_SRGB
#define ENCODE_SRGB 0  // 1 when the target is not an sRGB framebuffer: encode here instead
#endif

layout(binding = UNIT_HDR) uniform sampler2D u_hdr;    // linear, resolved
uniform float u_exposure;
uniform vec2 u_origin;      // pixels: where this view starts in the target
uniform vec3 u_background;  // linear RGB, shown exactly where nothing was drawn

in vec2 v_uv;
layout(location = 0) out vec4 out_color;

void main() {
    vec4 c = texelFetch(u_hdr, ivec2(gl_FragCoord.xy) - ivec2(u_origin), 0);
#if VIEW_MODE == 0
    // c is premultiplied with alpha = coverage (MSAA edges, translucent parts over background).
    vec3 shaded = c.a > 0.0 ? tonemap_pbr_neutral(c.rgb / c.a * u_exposure) : vec3(0.0);
    out_color = vec4(mix(u_background, shaded, clamp(c.a, 0.0, 1.0)), 1.0);
#elif VIEW_MODE == 3
    out_color = vec4(c.rgb, 1.0);
#else
    out_color = vec4(srgb_to_linear(clamp(c.rgb, 0.0, 1.0)), 1.0);
#endif
#if ENCODE_SRGB
    out_color.rgb = linear_to_srgb(out_color.rgb);
#endif
}
