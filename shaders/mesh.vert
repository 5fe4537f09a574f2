#include "lib/transforms.glsl"
#include "lib/clip_planes.glsl"

layout(location = 0) in vec3 a_position;  // model space, metres
layout(location = 1) in vec3 a_normal;    // model space
layout(location = 2) in vec2 a_uv;        // texture coordinates (alpha masks); (0, 0) when the mesh has none

out vec3 v_world_position;
out vec3 v_world_normal;
out float v_view_depth;  // distance along the view axis, metres (positive in front)
out vec2 v_uv;

void main() {
    vec4 world = u_model * vec4(a_position, 1.0);
    vec4 view = u_view * world;
    v_world_position = world.xyz;
    v_world_normal = u_normal_matrix * a_normal;
    v_view_depth = -view.z;
    v_uv = a_uv;
    gl_Position = u_projection * view;
    write_clip_distances(world.xyz);
}
