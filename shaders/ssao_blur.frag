// Depth- and normal-aware separable blur of the AO buffer: removes the per-pixel rotation noise
// without bleeding occlusion across silhouettes.
layout(binding = UNIT_AO) uniform sampler2D u_ao;
layout(binding = UNIT_NORMAL_DEPTH) uniform sampler2D u_normal_depth;
uniform vec2 u_direction;  // (1, 0) or (0, 1) in pixels
uniform float u_radius_m;

in vec2 v_uv;
layout(location = 0) out float out_ao;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec4 centre = texelFetch(u_normal_depth, pixel, 0);
    if (centre.w <= 0.0) { out_ao = 1.0; return; }
    float sum = 0.0, weights = 0.0;
    for (int k = -4; k <= 4; ++k) {
        ivec2 q = pixel + ivec2(u_direction * float(k));
        q = clamp(q, ivec2(0), textureSize(u_ao, 0) - 1);
        vec4 other = texelFetch(u_normal_depth, q, 0);
        float w = exp(-float(k * k) / 18.0);
        w *= max(0.0, 1.0 - abs(other.w - centre.w) / (0.25 * u_radius_m));
        w *= max(0.0, dot(other.xyz, centre.xyz));
        sum += texelFetch(u_ao, q, 0).r * w;
        weights += w;
    }
    out_ao = weights > 0.0 ? sum / weights : texelFetch(u_ao, pixel, 0).r;
}
