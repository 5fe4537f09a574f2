// Ray-traced ambient occlusion and key-light visibility, a few rays per pixel per frame, from the
// prepass G-buffer. Output (noisy, this frame only): r = cosine-weighted unoccluded fraction of the
// hemisphere within u_ao_radius_m, g = fraction of the key light's disc visible (translucent parts
// count by their transmittance, mask holes not at all; see lib/bvh.glsl; molecule atoms block, see
// lib/bvh_spheres.glsl), a = 1 traced,
// 0.5 geometry not traced this frame (INTERLEAVE 2), 0 background.
layout(local_size_x = 8, local_size_y = 8) in;
#ifndef INTERLEAVE
#define INTERLEAVE 1
#endif
#ifndef TRACE_TRIANGLES
#define TRACE_TRIANGLES 1
#endif
#ifndef TRACE_SPHERES
#define TRACE_SPHERES 0
#endif
#include "lib/bvh.glsl"
#if TRACE_SPHERES
#include "lib/bvh_spheres.glsl"
#endif
#include "lib/sampling.glsl"

layout(binding = UNIT_NORMAL_DEPTH) uniform sampler2D u_normal_depth;    // xyz view normal, w view depth (0 = empty)
layout(binding = UNIT_WORLD_POSITION) uniform sampler2D u_world_position;  // xyz world position, w packed geometric normal
layout(rgba16f, binding = IMAGE_NOISY_OUT) writeonly uniform image2D u_noisy_out;

// u_view: world -> view (rigid): its transpose turns view normals to world

#include "lib/view_block.glsl"
uniform float u_ao_radius_m;     // reach of occlusion rays (1e30: the whole scene)
uniform float u_ray_offset_m;    // lift off the surface against self-hits
uniform int u_ao_rays;
uniform int u_shadow_rays;
uniform vec3 u_key_direction;    // world, unit, toward the light
uniform float u_key_cos_half_angle;
uniform uint u_frame;            // advances every traced frame: new samples
// Fraction of light passing along the ray: through the parts' triangles (TRACE_TRIANGLES, 0 in a
// molecule-only scene), then the atoms (TRACE_SPHERES).
float occlusion_pass(vec3 origin, vec3 dir, float t_max) {
    float pass = 1.0;
#if TRACE_TRIANGLES
    pass = bvh_transmittance(origin, dir, t_max);
#endif
#if TRACE_SPHERES
    if (pass > 0.0) pass *= bvh_sphere_transmittance(origin, dir, t_max);
#endif
    return pass;
}

void main() {
    ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
    ivec2 size = imageSize(u_noisy_out);
    if (any(greaterThanEqual(pixel, size))) return;
    vec4 nd = texelFetch(u_normal_depth, pixel, 0);
    if (nd.w <= 0.0) { imageStore(u_noisy_out, pixel, vec4(1.0, 1.0, 0.0, 0.0)); return; }
#if INTERLEAVE == 2
    // Quarter rate: one pixel of each 2x2 block per frame, cycling; the others keep their history.
    const ivec2 ORDER[4] = ivec2[4](ivec2(0, 0), ivec2(1, 1), ivec2(1, 0), ivec2(0, 1));
    if ((pixel & 1) != ORDER[u_frame & 3u]) { imageStore(u_noisy_out, pixel, vec4(1.0, 1.0, 0.0, 0.5)); return; }
#endif
    vec4 wp = texelFetch(u_world_position, pixel, 0);
    vec3 p = wp.xyz;
    vec3 n = normalize(transpose(mat3(u_view)) * nd.xyz);
    vec3 ng = unpack_unit_vector(wp.w);

    float open = 1.0;
    if (u_ao_rays > 0) {
        open = 0.0;
        vec2 offset = pixel_offset(pixel, 1u);
        for (int i = 0; i < u_ao_rays; ++i) {
            vec3 d = cosine_direction(n, r2_sample(u_frame * uint(u_ao_rays) + uint(i), offset));
            vec3 origin = p + ng * (dot(d, ng) >= 0.0 ? u_ray_offset_m : -u_ray_offset_m);
            open += occlusion_pass(origin, d, u_ao_radius_m);
        }
        open /= float(u_ao_rays);
    }
    float lit = 1.0;
    if (u_shadow_rays > 0) {
        lit = 0.0;
        vec2 offset = pixel_offset(pixel, 2u);
        for (int i = 0; i < u_shadow_rays; ++i) {
            vec3 d = cone_direction(u_key_direction, u_key_cos_half_angle,
                                    r2_sample(u_frame * uint(u_shadow_rays) + uint(i), offset));
            if (dot(d, ng) <= 0.0 || dot(d, n) <= 0.0) continue;  // below the surface: self-shadowed
            lit += occlusion_pass(p + ng * u_ray_offset_m, d, 1e30);
        }
        lit /= float(u_shadow_rays);
    }
    imageStore(u_noisy_out, pixel, vec4(open, lit, 1.0, 1.0));
}
