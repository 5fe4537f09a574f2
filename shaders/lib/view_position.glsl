// Reconstructing view-space positions from a view-depth texture, and projecting back.
// u_projection_params
#include "lib/view_block.glsl"

// uv in [0,1]^2 of the viewport, depth = distance along -Z in metres -> view-space position.
vec3 view_position(vec2 uv, float depth) {
    vec2 ndc = uv * 2.0 - 1.0;
    return vec3(depth * (ndc.x + u_projection_params.z) / u_projection_params.x,
                depth * (ndc.y + u_projection_params.w) / u_projection_params.y,
                -depth);
}

vec2 project_to_uv(vec3 p) {
    vec2 ndc = vec2(u_projection_params.x * p.x + u_projection_params.z * p.z,
                    u_projection_params.y * p.y + u_projection_params.w * p.z) / -p.z;
    return ndc * 0.5 + 0.5;
}
