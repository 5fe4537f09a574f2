// Screen-space ambient occlusion, the cheap tier: for a few cosine-distributed directions per pixel,
// march along the ray in view space and call it blocked when it passes behind the depth buffer.
// Output: the unoccluded fraction of the cosine-weighted hemisphere within u_radius_m (1 = open).
#include "lib/view_position.glsl"

layout(binding = UNIT_NORMAL_DEPTH) uniform sampler2D u_normal_depth;  // xyz view normal, w view depth (metres; 0 = background)
uniform float u_radius_m;
uniform int u_directions;
uniform int u_steps;

in vec2 v_uv;
layout(location = 0) out float out_ao;

const float TAU = 6.28318530718;

// Interleaved gradient noise: a per-pixel rotation that the blur pass averages out.
float pixel_noise(vec2 pixel) {
    return fract(52.9829189 * fract(dot(pixel, vec2(0.06711056, 0.00583715))));
}

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec4 nd = texelFetch(u_normal_depth, pixel, 0);
    if (nd.w <= 0.0) { out_ao = 1.0; return; }
    vec2 size = vec2(textureSize(u_normal_depth, 0));
    vec2 uv = (vec2(pixel) + 0.5) / size;
    vec3 n = normalize(nd.xyz);
    vec3 p = view_position(uv, nd.w) + n * (0.02 * u_radius_m);  // lift off the surface: no self-hits

    vec3 helper = abs(n.z) < 0.99 ? vec3(0.0, 0.0, 1.0) : vec3(1.0, 0.0, 0.0);
    vec3 t = normalize(cross(helper, n));
    vec3 b = cross(n, t);
    float rotation = pixel_noise(gl_FragCoord.xy);
    float jitter = pixel_noise(gl_FragCoord.yx + 17.0);

    float open = 0.0;
    for (int i = 0; i < u_directions; ++i) {
        // Cosine-weighted direction from a stratified pair (i / N, golden-ratio spiral), rotated per pixel.
        float u1 = (float(i) + 0.5) / float(u_directions);
        float phi = TAU * fract(float(i) * 0.618034 + rotation);
        float r = sqrt(u1);
        vec3 dir = t * (r * cos(phi)) + b * (r * sin(phi)) + n * sqrt(max(0.0, 1.0 - u1));
        float visible = 1.0;
        for (int s = 0; s < u_steps; ++s) {
            float along = u_radius_m * (float(s) + jitter) / float(u_steps);
            vec3 q = p + dir * along;
            if (q.z >= 0.0) break;
            vec2 quv = project_to_uv(q);
            if (any(lessThan(quv, vec2(0.0))) || any(greaterThan(quv, vec2(1.0)))) break;
            float scene_depth = texture(u_normal_depth, quv).w;
            float behind = -q.z - scene_depth;  // > 0: the ray point lies behind the visible surface
            if (scene_depth > 0.0 && behind > 0.0 && behind < u_radius_m) { visible = 0.0; break; }
        }
        open += visible;
    }
    out_ao = open / float(u_directions);
}
