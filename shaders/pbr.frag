// Forward physically based shading of one part (GGX + hemisphere environment + key light).
// VIEW_MODE (define): 0 colour, 1 world normal, 2 depth, 3 albedo, 4 ambient occlusion.
#include "lib/transforms.glsl"
#include "lib/cut_boxes.glsl"
#include "lib/brdf.glsl"
#include "lib/color.glsl"
#include "lib/environment.glsl"
#include "lib/tissue.glsl"
#include "lib/pbr_shading.glsl"

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
#endif
}
