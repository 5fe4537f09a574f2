// Shading of the cut faces found by caps_gbuffer.frag: the part's colour, lit by the environment
// (with AO) and the key light (with its traced visibility), optionally hatched.
#include "lib/transforms.glsl"
#include "lib/brdf.glsl"
#include "lib/environment.glsl"
#include "lib/sampling.glsl"

#ifndef VIEW_MODE
#define VIEW_MODE 0
#endif

layout(binding = UNIT_CAP) uniform sampler2D u_cap;             // r: part index + 1, b: window depth
layout(binding = UNIT_WORLD_POSITION) uniform sampler2D u_world_position;           // xyz world, w packed normal
layout(binding = UNIT_AO) uniform sampler2D u_ao;
layout(binding = UNIT_SHADOW) uniform sampler2D u_shadow;
uniform vec3 u_part_colors[MAX_CAP_PARTS];  // linear RGB by ray-scene part index
uniform vec3 u_key_direction;
uniform vec3 u_key_radiance;
uniform float u_hatch_spacing_m;     // 0: no hatching

layout(location = 0) out vec4 out_color;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec4 cap = texelFetch(u_cap, pixel, 0);
    if (cap.r < 0.5) discard;
    gl_FragDepth = cap.b;
    int part = int(cap.r + 0.5) - 1;
    vec4 world = texelFetch(u_world_position, pixel, 0);
    vec3 n = unpack_unit_vector(world.w);
    vec3 albedo = part < MAX_CAP_PARTS ? u_part_colors[part] : vec3(0.6);
    float ao = texelFetch(u_ao, pixel, 0).r;
    float visible = texelFetch(u_shadow, pixel, 0).r;
#if VIEW_MODE == 1
    out_color = vec4(n * 0.5 + 0.5, 1.0);
#elif VIEW_MODE == 2
    float depth = -(u_view * vec4(world.xyz, 1.0)).z;
    out_color = vec4(vec3((depth - u_near_far.x) / (u_near_far.y - u_near_far.x)), 1.0);
#elif VIEW_MODE == 3
    out_color = vec4(albedo, 1.0);
#elif VIEW_MODE == 4
    out_color = vec4(vec3(ao), 1.0);
#elif VIEW_MODE == 5
    out_color = vec4(vec3(visible), 1.0);
#else
    if (u_hatch_spacing_m > 0.0) {
        vec3 t, b;
        orthonormal_basis(n, t, b);
        float s = dot(world.xyz, t + b) / u_hatch_spacing_m;
        albedo *= fract(s) < 0.18 ? 0.55 : 1.0;
    }
    vec3 color = albedo * environment_diffuse(n) * ao;
    color += u_key_radiance * visible * albedo / PI * max(dot(n, u_key_direction), 0.0);
    out_color = vec4(color, 1.0);
#endif
}
