// Depth and view-space normals for screen-space effects (ambient occlusion).
#include "lib/transforms.glsl"
#include "lib/cut_boxes.glsl"

in vec3 v_world_position;
in vec3 v_world_normal;
in float v_view_depth;

layout(location = 0) out vec4 out_normal_depth;  // xyz: view-space normal, w: view depth (metres)

void main() {
    if (inside_cut_box(v_world_position)) discard;
    vec3 n = normalize(v_world_normal);
    if (!gl_FrontFacing) n = -n;
    out_normal_depth = vec4(normalize(mat3(u_view) * n), v_view_depth);
}
