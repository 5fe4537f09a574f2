// Subsurface scattering: the diffuse light of scattering materials spread along one screen axis
// (run for x, then for y) by a Gaussian per colour channel whose standard deviation is the
// material's scatter distance in metres. Taps are weighted by their world-space distance from the
// centre pixel's surface point -- screen space standing in for a convolution over the surface, as a
// cross bilateral filter -- so the width follows depth, field of view and resolution, narrows on
// surfaces seen obliquely, and a point on another surface far behind weighs nothing. The walk
// outward stops at the first tap of another profile (another material, or nothing) and across depth
// discontinuities, so light never jumps over a gap or onto another object.
#include "lib/subsurface_common.glsl"

layout(binding = UNIT_SCATTERED) uniform sampler2D u_scattered;     // rgb: diffuse radiance (linear), a: profile key (0: does not scatter)
layout(binding = UNIT_WORLD_POSITION) uniform sampler2D u_world_position;         // prepass: xyz world position (metres)
layout(binding = UNIT_NORMAL_DEPTH) uniform sampler2D u_normal_depth;  // prepass: w view depth (metres; 0 where nothing was drawn)
uniform ivec2 u_direction;         // (1, 0) or (0, 1)
uniform float u_focal_px;          // pixels per metre at 1 m view depth along u_direction (P[i][i] * size / 2)
uniform int u_taps_per_side;
// Per tap k = 1..n on one side, in standard deviations: the median of the k-th of 2n + 1 intervals of
// equal probability under a Gaussian, and the width that gives its tap that interval's probability.
uniform float u_unit_offsets[MAX_TAPS_PER_SIDE + 1];
uniform float u_unit_widths[MAX_TAPS_PER_SIDE + 1];

layout(location = 0) out vec4 out_scattered;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec4 centre = texelFetch(u_scattered, pixel, 0);
    out_scattered = centre;
    int key = int(centre.a + 0.5);
    float depth = texelFetch(u_normal_depth, pixel, 0).w;
    if (key < 1 || key >= MAX_SCATTER_PROFILES || depth <= 0.0) return;
    vec3 sigma = max(u_sigma_m[key], vec3(1e-7));
    float sigma_max = max(sigma.r, max(sigma.g, sigma.b));
    float sigma_px = sigma_max * u_focal_px / depth;  // of the widest channel, on a surface facing the eye
    if (sigma_px < 0.2) return;  // spreads less than a pixel

    // Whole-pixel offsets at the equal-probability medians of the widest channel's Gaussian (so each
    // tap carries about the same weight and a sharp edge turns into even steps), at least one pixel
    // apart: every pixel is a tap while the spread is narrow. Each tap stands for the stretch of line
    // halfway to its neighbours (the outermost, for the tail beyond it).
    int n = clamp(u_taps_per_side, 1, MAX_TAPS_PER_SIDE);
    float offsets[MAX_TAPS_PER_SIDE + 2];
    offsets[0] = 0.0;
    for (int k = 1; k <= n; ++k) offsets[k] = max(offsets[k - 1] + 1.0, round(sigma_px * u_unit_offsets[k]));
    offsets[n + 1] = offsets[n] + max(1.0, 2.0 * sigma_px * u_unit_widths[n] - (offsets[n] - offsets[n - 1]));
    float reach = 3.0 * sigma_px + 1.0;  // farther taps weigh nothing

    vec3 origin = texelFetch(u_world_position, pixel, 0).xyz;
    vec3 falloff = 0.5 / (sigma * sigma);
    vec3 weights = vec3(offsets[1]);
    vec3 sum = centre.rgb * offsets[1];
    ivec2 size = textureSize(u_scattered, 0);
    for (int side = -1; side <= 1; side += 2) {
        for (int k = 1; k <= n && offsets[k] <= reach; ++k) {
            ivec2 q = pixel + u_direction * (side * int(offsets[k]));
            if (any(lessThan(q, ivec2(0))) || any(greaterThanEqual(q, size))) break;
            vec4 tap = texelFetch(u_scattered, q, 0);
            if (int(tap.a + 0.5) != key) break;  // another material, or none: the light stops here
            vec3 d = texelFetch(u_world_position, q, 0).xyz - origin;
            float r2 = dot(d, d);
            if (r2 > 16.0 * sigma_max * sigma_max) break;  // a step in depth: another surface
            vec3 w = exp(-r2 * falloff) * (0.5 * (offsets[k + 1] - offsets[k - 1]));
            sum += tap.rgb * w;
            weights += w;
        }
    }
    out_scattered = vec4(sum / weights, centre.a);
}
