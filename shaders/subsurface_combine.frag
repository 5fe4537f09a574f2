// Subsurface scattering, last step: per sample of the multisampled HDR image -- before its resolve
// and before translucent layers blend over it -- replace the sample's own diffuse light by its
// pixel's spread light: this adds (spread - own) with additive blending. Samples that do not scatter,
// or lie on another surface than the one the pixel's spread value describes, are discarded, so
// materials that do not scatter keep every bit.
#include "lib/subsurface_common.glsl"
#ifndef MULTISAMPLE
#define MULTISAMPLE 1
#endif

#if MULTISAMPLE
layout(binding = UNIT_SCATTERED) uniform sampler2DMS u_scattered;   // per sample: rgb diffuse radiance (linear), a key
layout(binding = UNIT_DEPTH) uniform sampler2DMS u_depth;       // the multisampled HDR depth buffer
layout(binding = UNIT_NORMAL_DEPTH) uniform sampler2D u_normal_depth;  // prepass: w view depth at the pixel centre (metres)
#else
layout(binding = UNIT_SCATTERED) uniform sampler2D u_scattered;
#endif
layout(binding = UNIT_SPREAD) uniform sampler2D u_spread;        // per pixel: rgb spread diffuse radiance, a key

layout(location = 0) out vec4 out_color;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec4 spread = texelFetch(u_spread, pixel, 0);
#if MULTISAMPLE
    vec4 own = texelFetch(u_scattered, pixel, gl_SampleID);  // gl_SampleID: run once per sample
    float depth = view_depth_of(texelFetch(u_depth, pixel, gl_SampleID).r);
    if (!same_surface(int(own.a + 0.5), depth, int(spread.a + 0.5), texelFetch(u_normal_depth, pixel, 0).w)) discard;
#else
    vec4 own = texelFetch(u_scattered, pixel, 0);
    if (own.a < 0.5 || abs(own.a - spread.a) > 0.5) discard;
#endif
    out_color = vec4(spread.rgb - own.rgb, 0.0);
}
