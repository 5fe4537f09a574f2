// Forward physically based shading of one part (GGX + hemisphere environment + key light).
// VIEW_MODE (define): 0 colour, 1 world normal, 2 depth, 3 albedo, 4 ambient occlusion.
#include "lib/transforms.glsl"
#include "lib/cut_boxes.glsl"
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
uniform vec4 u_highlight;           // linear RGB glow of a highlighted part; a = 1 when highlighted, else 0

uniform vec3 u_key_direction;      // world, unit, toward the light
uniform vec3 u_key_radiance;       // linear RGB x intensity; zero when there is no key light

uniform sampler2D u_ao;            // per-pixel unoccluded fraction (1 when AO is off)
uniform vec2 u_near_far;           // metres, for the depth view
uniform vec2 u_viewport_origin;    // pixels, where this view starts in the target

in vec3 v_world_position;
in vec3 v_world_normal;
in float v_view_depth;

layout(location = 0) out vec4 out_color;  // linear, premultiplied alpha

void main() {
    if (inside_cut_box(v_world_position)) discard;
    vec3 n = normalize(v_world_normal);
    if (!gl_FrontFacing) n = -n;
    vec3 v = normalize(u_eye_world - v_world_position);
    float ao = texelFetch(u_ao, ivec2(gl_FragCoord.xy - u_viewport_origin), 0).r;

#if VIEW_MODE == 1
    out_color = vec4(n * 0.5 + 0.5, 1.0);
#elif VIEW_MODE == 2
    out_color = vec4(vec3((v_view_depth - u_near_far.x) / (u_near_far.y - u_near_far.x)), 1.0);
#elif VIEW_MODE == 3
    out_color = vec4(u_base_color, 1.0);
#elif VIEW_MODE == 4
    out_color = vec4(vec3(ao), 1.0);
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
    float n_dot_l = dot(n, l);
    vec3 h = normalize(l + v);
    float n_dot_h = clamp(dot(n, h), 0.0, 1.0);
    vec3 fresnel = fresnel_schlick(clamp(dot(v, h), 0.0, 1.0), f0);
    float lit = clamp(n_dot_l, 0.0, 1.0);
    vec3 specular = ggx_distribution(n_dot_h, alpha) * smith_visibility(n_dot_v, max(lit, 1e-4), alpha) * fresnel;
    vec3 diffuse = diffuse_color / PI * wrapped_diffuse(n_dot_l, u_translucency);
    color += u_key_radiance * ((diffuse * (1.0 - fresnel)) + specular * lit);
    color += u_key_radiance * diffuse_color * transmission(n, v, l, u_translucency, u_translucency_color);

    // Wet sheen: a tight second lobe and a grazing rim, as on moist tissue.
    if (u_sheen > 0.0) {
        float wet_alpha = 0.08;
        vec3 wet = ggx_distribution(n_dot_h, wet_alpha) * smith_visibility(n_dot_v, max(lit, 1e-4), wet_alpha)
                   * fresnel_schlick(clamp(dot(v, h), 0.0, 1.0), vec3(0.02));
        color += u_sheen * (u_key_radiance * wet * lit + 0.15 * environment_specular(reflect(-v, n), 0.1)
                            * pow(1.0 - n_dot_v, 5.0) * ao);
    }
    color += u_emissive;

    // Highlight: a warm tint and an emissive rim that brightens toward the silhouette, so the part
    // stands out whatever its own colour and lighting.
    if (u_highlight.a > 0.0) {
        float rim = pow(1.0 - n_dot_v, 2.0);
        color = mix(color, color * 0.7 + u_highlight.rgb * 0.12, 0.5) + u_highlight.rgb * (0.04 + 0.9 * rim);
    }
    out_color = vec4(color * u_opacity, u_opacity);
#endif
}
