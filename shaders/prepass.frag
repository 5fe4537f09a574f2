// Depth and view-space normals for screen-space effects (ambient occlusion), and world positions with
// the geometric normal for the ray-traced tier (ray origins, reprojection).
#include "lib/transforms.glsl"
#include "lib/cut_boxes.glsl"
#include "lib/alpha_mask.glsl"
#include "lib/sampling.glsl"

in vec3 v_world_position;
in vec3 v_world_normal;
in float v_view_depth;

layout(location = 0) out vec4 out_normal_depth;  // xyz: view-space normal, w: view depth (metres)
layout(location = 1) out vec4 out_world;         // xyz: world position (metres), w: packed geometric normal

void main() {
#ifndef NO_DISCARD  // parts without a mask or cut box: no discard lets llvmpipe test depth before shading
    if (alpha_masked()) discard;  // a hole: nothing of the part exists here
    if (inside_cut_box(v_world_position)) discard;
#endif
    vec3 n = normalize(v_world_normal);
    if (!gl_FrontFacing) n = -n;
    out_normal_depth = vec4(normalize(mat3(u_view) * n), v_view_depth);
    vec3 geometric = cross(dFdx(v_world_position), dFdy(v_world_position));
    geometric = dot(geometric, geometric) > 0.0 ? normalize(geometric) : n;
    if (dot(geometric, u_eye_world - v_world_position) < 0.0) geometric = -geometric;
    out_world = vec4(v_world_position, pack_unit_vector(geometric));
}
