// What every molecule fragment writes, given its view-space position and normal:
// PREPASS (define): view normal + view depth for screen-space effects (exactly as prepass.frag);
// otherwise: PBR shading with the AO buffer, or a debug VIEW_MODE as in pbr.frag.
// Needs transforms.glsl, brdf.glsl, color.glsl, environment.glsl, tissue.glsl, pbr_shading.glsl.
#ifndef VIEW_MODE
#define VIEW_MODE 0
#endif

#ifdef PREPASS
layout(location = 0) out vec4 out_normal_depth;  // xyz: view-space normal, w: view depth (metres)
layout(location = 1) out vec4 out_world;         // xyz: world position, w: packed normal (ray-traced tier)
#else
layout(binding = UNIT_SHADOW) uniform sampler2D u_shadow;  // key-light visibility (ray-traced tier; else 1)
layout(binding = UNIT_AO) uniform sampler2D u_ao;            // per-pixel unoccluded fraction (1 when AO is off)
uniform float u_roughness;
uniform float u_opacity;
layout(location = 0) out vec4 out_color;  // linear, premultiplied alpha
#endif

// Ray-cast surfaces are not where the rasterised proxy is: write the true depth of the hit.
// Returns false (and the caller discards) when the hit lies outside the near/far range.
bool write_impostor_depth(vec3 view_pos) {
    vec4 clip = u_projection * vec4(view_pos, 1.0);
    float depth = clip.z / clip.w * 0.5 + 0.5;  // glDepthRange(0, 1)
    gl_FragDepth = depth;
    return depth >= 0.0 && depth <= 1.0;
}

void write_surface(vec3 view_pos, vec3 view_normal, vec3 albedo) {
#ifdef PREPASS
    out_normal_depth = vec4(view_normal, -view_pos.z);
    mat3 to_world = transpose(mat3(u_view));  // the view rotation is orthonormal
    vec3 world_normal = to_world * view_normal;
    vec3 octa = world_normal / (abs(world_normal.x) + abs(world_normal.y) + abs(world_normal.z));
    vec2 e = octa.z >= 0.0 ? octa.xy
           : (1.0 - abs(octa.yx)) * vec2(octa.x >= 0.0 ? 1.0 : -1.0, octa.y >= 0.0 ? 1.0 : -1.0);
    out_world = vec4(to_world * (view_pos - u_view[3].xyz), uintBitsToFloat(packSnorm2x16(e)));
#else
    mat3 view_to_world = transpose(mat3(u_view));  // the view rotation is orthonormal
    vec3 n = view_to_world * view_normal;
    vec3 v = -normalize(view_to_world * view_pos);
    float ao = texelFetch(u_ao, ivec2(gl_FragCoord.xy), 0).r;
#if VIEW_MODE == 1
    out_color = vec4(n * 0.5 + 0.5, 1.0);
#elif VIEW_MODE == 2
    out_color = vec4(vec3((-view_pos.z - u_near_far.x) / (u_near_far.y - u_near_far.x)), 1.0);
#elif VIEW_MODE == 3
    out_color = vec4(albedo, 1.0);
#elif VIEW_MODE == 4
    out_color = vec4(vec3(ao), 1.0);
#elif VIEW_MODE == 5
    out_color = vec4(vec3(texelFetch(u_shadow, ivec2(gl_FragCoord.xy), 0).r), 1.0);
#else
    g_key_visible = texelFetch(u_shadow, ivec2(gl_FragCoord.xy), 0).r;
    SurfaceMaterial m = SurfaceMaterial(albedo, u_roughness, 0.0, 0.0, vec3(0.0), 0.0, vec3(0.0));
    out_color = vec4(shade_surface(n, v, m, ao) * u_opacity, u_opacity);
#endif
#endif
}
