// Forward physically based shading of one part (GGX + hemisphere environment + key light).
// VIEW_MODE (define): 0 colour, 1 world normal, 2 depth, 3 albedo, 4 ambient occlusion, 5 key-light visibility.
#include "lib/transforms.glsl"
#include "lib/cut_boxes.glsl"
#include "lib/alpha_mask.glsl"
#include "lib/brdf.glsl"
#include "lib/color.glsl"
#include "lib/environment.glsl"
#include "lib/tissue.glsl"
#include "lib/pbr_shading.glsl"
#include "lib/subsurface_output.glsl"

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

layout(binding = UNIT_AO) uniform sampler2D u_ao;            // per-pixel unoccluded fraction (1 when AO is off)
layout(binding = UNIT_SHADOW) uniform sampler2D u_shadow;        // per-pixel key-light visibility (1 unless ray-traced shadows run)
layout(binding = UNIT_BACK_DEPTH) uniform sampler2D u_back_depth;    // view depth of the nearest back face behind the pixel (metres)
uniform int u_has_back_depth;      // 0: no thickness pass ran (data views)

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
#ifndef NO_DISCARD  // parts without a mask or cut box: no discard lets llvmpipe test depth before shading
    if (alpha_masked()) discard;  // a hole: nothing of the part exists here
    if (inside_cut_box(v_world_position)) discard;
#endif
    vec3 n = normalize(v_world_normal);
    if (!gl_FrontFacing) n = -n;
    vec3 v = normalize(u_eye_world - v_world_position);
    // Screen-space AO and shadow buffers describe the opaque surface at this pixel, not a
    // translucent layer in front of it.
    // SCREEN_TERMS (define, per pass): 1 for opaque parts, 0 for translucent layers. The pass's buffers
    // start at pixel 0 whatever the view's place in the target.
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    float ao = SCREEN_TERMS != 0 ? texelFetch(u_ao, pixel, 0).r : 1.0;
    float key_visible = SCREEN_TERMS != 0 ? texelFetch(u_shadow, pixel, 0).r : 1.0;

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
    // Inputs of shade_surface beyond the material (see lib/pbr_shading.glsl).
    g_key_visible = key_visible;
    if (SCREEN_TERMS != 0 && u_has_back_depth != 0) {
        g_thickness_m = max(texelFetch(u_back_depth, pixel, 0).r - v_view_depth, 0.0);
    }
    SurfaceMaterial m = SurfaceMaterial(u_base_color, u_roughness, u_metallic, u_translucency,
                                        u_translucency_color, u_sheen, u_emissive);
    vec3 color = shade_surface(n, v, m, ao);

    // Highlight: a warm tint and an emissive rim that brightens toward the silhouette, so the part
    // stands out whatever its own colour and lighting.
    if (u_highlight.a > 0.0) {
        float rim = pow(1.0 - clamp(dot(n, v), 0.0, 1.0), 2.0);
        color = mix(color, color * 0.7 + u_highlight.rgb * 0.12, 0.5) + u_highlight.rgb * (0.04 + 0.9 * rim);
    }
    out_color = vec4(color * u_opacity, u_opacity);
    write_scattered(u_opacity * (u_highlight.a > 0.0 ? 0.85 : 1.0));  // the highlight keeps 0.85 of color
#if OIT
    // Weighted blended order-independent transparency: nearer layers weigh more (depth normalised to
    // the view's near/far so the weight does not depend on the scene's scale).
    float z = clamp((v_view_depth - u_near_far.x) / (u_near_far.y - u_near_far.x), 0.0, 1.0);
    // The sums live in a half-float buffer (max 65504): keep the weight at most 1 and clamp HDR
    // highlights (a wet sheen reaches hundreds), or a bright or near layer overflows to infinity and
    // the composite turns black. Only weight ratios matter, so the scale is free.
    float weight = clamp(pow(1.0 - z, 3.0), 1e-4, 1.0);
    out_color = vec4(min(out_color.rgb, vec3(64.0)), out_color.a) * weight;
    out_revealage = u_opacity;
#endif
#endif
}
