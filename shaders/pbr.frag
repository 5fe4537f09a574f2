// Forward physically based shading of one part (GGX + hemisphere environment + key light).
// VIEW_MODE (define): 0 colour, 1 world normal, 2 depth, 3 albedo, 4 ambient occlusion, 5 key-light visibility.
#include "lib/transforms.glsl"
#include "lib/brdf.glsl"
#include "lib/color.glsl"
#include "lib/environment.glsl"
#include "lib/tissue.glsl"

#ifndef VIEW_MODE
#define VIEW_MODE 0
#endif

uniform vec3 u_base_color;         // linear RGB
uniform float u_roughness;
uniform float u_metallic;
uniform float u_translucency;
uniform vec3 u_translucency_color; // linear RGB
uniform float u_sheen;
uniform vec3 u_emissive;           // linear RGB
uniform float u_opacity;

uniform vec3 u_key_direction;      // world, unit, toward the light
uniform vec3 u_key_radiance;       // linear RGB x intensity; zero when there is no key light

uniform sampler2D u_ao;            // per-pixel unoccluded fraction (1 when AO is off)
uniform sampler2D u_shadow;        // per-pixel key-light visibility (1 unless ray-traced shadows run)
uniform int u_screen_terms;        // 1: read u_ao / u_shadow (opaque parts); 0: translucent layers
uniform sampler2D u_back_depth;    // view depth of the nearest back face behind the pixel (metres)
uniform int u_has_back_depth;      // 0: no thickness pass ran (data views)
uniform vec2 u_near_far;           // metres, for the depth view
uniform vec2 u_viewport_origin;    // pixels, where this view starts in the target

in vec3 v_world_position;
in vec3 v_world_normal;
in float v_view_depth;

layout(location = 0) out vec4 out_color;  // linear, premultiplied alpha (OIT: weighted sum)
#ifndef OIT
#define OIT 0
#endif
#if OIT
layout(location = 1) out float out_revealage;  // OIT: alpha, multiplied into (1 - alpha) products
#endif

void main() {
    vec3 n = normalize(v_world_normal);
    if (!gl_FrontFacing) n = -n;
    vec3 v = normalize(u_eye_world - v_world_position);
    // Screen-space AO and shadow buffers describe the opaque surface at this pixel, not a
    // translucent layer in front of it.
    float ao = u_screen_terms != 0 ? texelFetch(u_ao, ivec2(gl_FragCoord.xy - u_viewport_origin), 0).r : 1.0;
    float key_visible = u_screen_terms != 0 ? texelFetch(u_shadow, ivec2(gl_FragCoord.xy - u_viewport_origin), 0).r : 1.0;

#if VIEW_MODE == 1
    out_color = vec4(n * 0.5 + 0.5, 1.0);
#elif VIEW_MODE == 2
    out_color = vec4(vec3((v_view_depth - u_near_far.x) / (u_near_far.y - u_near_far.x)), 1.0);
#elif VIEW_MODE == 3
    out_color = vec4(u_base_color, 1.0);
#elif VIEW_MODE == 4
    out_color = vec4(vec3(ao), 1.0);
#elif VIEW_MODE == 5
    out_color = vec4(vec3(key_visible), 1.0);
#else
    float n_dot_v = clamp(dot(n, v), 1e-4, 1.0);
    float roughness = clamp(u_roughness, 0.04, 1.0);
    float alpha = roughness * roughness;
    vec3 f0 = mix(vec3(0.04), u_base_color, u_metallic);
    vec3 diffuse_color = u_base_color * (1.0 - u_metallic);

    // Environment: diffuse irradiance and a split-sum specular, both shadowed by AO.
    vec2 env = environment_brdf(n_dot_v, roughness);
    vec3 specular_env = environment_specular(reflect(-v, n), roughness) * (f0 * env.x + env.y);
    float specular_occlusion = clamp(pow(n_dot_v + ao, exp2(-16.0 * roughness - 1.0)) - 1.0 + ao, 0.0, 1.0);
    vec3 color = diffuse_color * environment_diffuse(n) * ao + specular_env * specular_occlusion;

    // Key light.
    vec3 l = u_key_direction;
    vec3 key_radiance = u_key_radiance * key_visible;
    float n_dot_l = dot(n, l);
    vec3 h = normalize(l + v);
    float n_dot_h = clamp(dot(n, h), 0.0, 1.0);
    vec3 fresnel = fresnel_schlick(clamp(dot(v, h), 0.0, 1.0), f0);
    float lit = clamp(n_dot_l, 0.0, 1.0);
    vec3 specular = ggx_distribution(n_dot_h, alpha) * smith_visibility(n_dot_v, max(lit, 1e-4), alpha) * fresnel;
    vec3 diffuse = diffuse_color / PI * wrapped_diffuse(n_dot_l, u_translucency);
    color += key_radiance * ((diffuse * (1.0 - fresnel)) + specular * lit);
    // Light through the tissue: thickness from the back-face pass (opaque parts), a thin shell otherwise.
    float thickness = 0.004;
    if (u_screen_terms != 0 && u_has_back_depth != 0) {
        float back = texelFetch(u_back_depth, ivec2(gl_FragCoord.xy - u_viewport_origin), 0).r;
        thickness = max(back - v_view_depth, 0.0);
    }
    if (u_translucency > 0.0) {
        vec3 tint = u_translucency_color * diffuse_color;
        color += u_key_radiance * transmission(n, v, l, u_translucency, tint, thickness);
        // Environment light scattered through thin tissue from the far side.
        color += 0.5 * u_translucency * tint * environment_diffuse(-n) * tissue_transmittance(u_translucency, thickness);
    }

    // Wet sheen: a thin clear coat of moisture -- Fresnel-weighted sharp reflection of the environment
    // and a tight highlight of the key light over the tissue below.
    if (u_sheen > 0.0) {
        float wet_alpha = 0.06 * 0.06;
        float coat = u_sheen * fresnel_schlick(n_dot_v, vec3(0.02)).x;
        vec3 wet = ggx_distribution(n_dot_h, wet_alpha) * smith_visibility(n_dot_v, max(lit, 1e-4), wet_alpha)
                   * fresnel_schlick(clamp(dot(v, h), 0.0, 1.0), vec3(0.02));
        color = color * (1.0 - coat) + coat * environment_specular(reflect(-v, n), 0.06) * specular_occlusion;
        color += u_sheen * key_radiance * wet * lit;
    }
    color += u_emissive;
    out_color = vec4(color * u_opacity, u_opacity);
#if OIT
    // Weighted blended order-independent transparency: nearer layers weigh more (depth normalised to
    // the view's near/far so the weight does not depend on the scene's scale).
    float z = clamp((v_view_depth - u_near_far.x) / (u_near_far.y - u_near_far.x), 0.0, 1.0);
    float weight = clamp(pow(1.0 - z, 3.0) * 3e3, 1e-2, 3e3);
    out_color *= weight;
    out_revealage = u_opacity;
#endif
#endif
}
