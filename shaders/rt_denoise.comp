// One a-trous step of an edge-aware wavelet filter over the accumulated ray-traced terms.
// Weights stop at geometric edges (distance from the centre's tangent plane, normal agreement) and
// at value differences larger than the Monte Carlo noise expected after the accumulated samples,
// so converged pixels are left alone. FINAL writes the two results into the AO and shadow images.
layout(local_size_x = 8, local_size_y = 8) in;

#ifndef FINAL
#define FINAL 0
#endif

layout(binding = UNIT_INPUT) uniform sampler2D u_input;           // r ao, g shadow, b frames
layout(binding = UNIT_NORMAL_DEPTH) uniform sampler2D u_normal_depth;    // xyz view normal, w view depth
layout(binding = UNIT_WORLD_POSITION) uniform sampler2D u_world_position;  // xyz world
#if FINAL
layout(r16f, binding = IMAGE_AO_OUT) writeonly uniform image2D u_ao_out;
layout(r16f, binding = IMAGE_SHADOW_OUT) writeonly uniform image2D u_shadow_out;
#else
layout(rgba16f, binding = IMAGE_OUTPUT) writeonly uniform image2D u_output;
#endif

// u_view: world -> view (rigid)

#include "lib/view_block.glsl"
uniform int u_step;            // 1, 2, 4, ...
uniform vec2 u_rays;           // rays per frame for (ao, shadow)
uniform float u_pixel_angle;   // metres of footprint per metre of depth per pixel
uniform float u_value_sigmas;  // how many noise sigmas a neighbour may differ by

const float KERNEL[3] = float[3](3.0 / 8.0, 1.0 / 4.0, 1.0 / 16.0);

void main() {
    ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
    ivec2 size = textureSize(u_input, 0);
    if (any(greaterThanEqual(pixel, size))) return;
    vec4 centre = texelFetch(u_input, pixel, 0);
    vec4 nd = texelFetch(u_normal_depth, pixel, 0);
    vec4 result = centre;
    if (nd.w > 0.0) {
        vec3 p = texelFetch(u_world_position, pixel, 0).xyz;
        vec3 n = nd.xyz;
        vec3 n_world = normalize(transpose(mat3(u_view)) * n);
        float footprint = nd.w * u_pixel_angle * float(u_step);
        vec2 samples = max(vec2(centre.b) * u_rays, vec2(1.0));
        vec2 variance = max(centre.rg * (1.0 - centre.rg), vec2(0.02)) / samples;
        vec2 tolerance = u_value_sigmas * sqrt(variance) + 1e-3;
        vec2 sum = vec2(0.0), weights = vec2(0.0);
        for (int y = -2; y <= 2; ++y) {
            for (int x = -2; x <= 2; ++x) {
                ivec2 q = pixel + ivec2(x, y) * u_step;
                if (any(lessThan(q, ivec2(0))) || any(greaterThanEqual(q, size))) continue;
                vec4 other_nd = texelFetch(u_normal_depth, q, 0);
                if (other_nd.w <= 0.0) continue;
                vec3 other_p = texelFetch(u_world_position, q, 0).xyz;
                vec4 other = texelFetch(u_input, q, 0);
                float w = KERNEL[abs(x)] * KERNEL[abs(y)];
                float plane = abs(dot(other_p - p, n_world)) / max(footprint, 1e-9);
                w *= exp(-plane) * pow(max(0.0, dot(other_nd.xyz, n)), 32.0);
                w *= exp(-0.5 * length(other_p - p) / max(footprint * 6.0, 1e-6));
                vec2 wv = w * exp(-abs(other.rg - centre.rg) / tolerance);
                sum += wv * other.rg;
                weights += wv;
            }
        }
        result.rg = sum / max(weights, vec2(1e-8));
    }
#if FINAL
    imageStore(u_ao_out, pixel, vec4(result.r));
    imageStore(u_shadow_out, pixel, vec4(result.g));
#else
    imageStore(u_output, pixel, result);
#endif
}
