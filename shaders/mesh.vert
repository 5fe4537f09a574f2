#include "lib/transforms.glsl"

layout(location = 0) in vec3 a_position;  // model space, metres
layout(location = 1) in vec3 a_normal;    // model space

#ifndef MAX_CLIP_PLANES
#define MAX_CLIP_PLANES 6
#endif
uniform vec4 u_clip_planes[MAX_CLIP_PLANES];  // world: keep a*x + b*y + c*z + d >= 0
uniform int u_clip_plane_count;

out vec3 v_world_position;
out vec3 v_world_normal;
out float v_view_depth;  // distance along the view axis, metres (positive in front)
out float gl_ClipDistance[MAX_CLIP_PLANES];

void main() {
    vec4 world = u_model * vec4(a_position, 1.0);
    vec4 view = u_view * world;
    v_world_position = world.xyz;
    v_world_normal = u_normal_matrix * a_normal;
    v_view_depth = -view.z;
    for (int i = 0; i < MAX_CLIP_PLANES; ++i) {
        gl_ClipDistance[i] = i < u_clip_plane_count ? dot(u_clip_planes[i].xyz, world.xyz) + u_clip_planes[i].w : 1.0;
    }
    gl_Position = u_projection * view;
}
