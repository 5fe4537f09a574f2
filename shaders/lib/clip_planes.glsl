// Clipping planes of the part being drawn (vertex stage). A plane is world [n, d] with n unit;
// a point p is kept where dot(n, p) + d >= 0. Unused slots write 1 (kept). The pass enables
// GL_CLIP_DISTANCE0..MAX_CLIP_PLANES-1 (renderer.gl.state.clip_distances). MAX_CLIP_PLANES comes from
// renderer/gl/shader_interface.py, like every limit and binding shared with Python.
uniform vec4 u_clip_planes[MAX_CLIP_PLANES];
uniform int u_clip_plane_count;
out float gl_ClipDistance[MAX_CLIP_PLANES];

void write_clip_distances(vec3 world_position) {
    for (int i = 0; i < MAX_CLIP_PLANES; ++i) {
        gl_ClipDistance[i] = i < u_clip_plane_count ? dot(u_clip_planes[i], vec4(world_position, 1.0)) : 1.0;
    }
}
