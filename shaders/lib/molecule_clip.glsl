// Sections that cut a molecule (fragment stage; include after molecule_common.glsl). Impostors are
// ray-cast per pixel, so their hits are tested here, not by gl_ClipDistance on the proxy quads and
// boxes; molecule meshes use the same test. Planes and boxes as in clip_planes.glsl and cut_boxes.glsl
// (world space: a point p is kept where dot(n, p) + d >= 0 and outside every box).
#include "lib/cut_boxes.glsl"
uniform vec4 u_clip_planes[MAX_CLIP_PLANES];
uniform int u_clip_plane_count;

vec3 view_to_world_point(vec3 view_pos) {
    return transpose(mat3(u_view)) * (view_pos - u_view[3].xyz);  // the view rotation is orthonormal
}

bool molecule_clipped(vec3 view_pos) {
    vec3 world = view_to_world_point(view_pos);
    for (int i = 0; i < MAX_CLIP_PLANES; ++i) {
        if (i < u_clip_plane_count && dot(u_clip_planes[i], vec4(world, 1.0)) < 0.0) return true;
    }
    return inside_cut_box(world);
}
