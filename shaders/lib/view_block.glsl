// Per-view data: one std140 uniform buffer, filled once per view (renderer/passes/view_block.py)
// and bound at UBO_VIEW_BLOCK for every pass of that view. Row-major, so the matrices read here
// exactly as written in renderer/maths.py.
#ifndef VIEW_BLOCK_GLSL
#define VIEW_BLOCK_GLSL
layout(std140, row_major, binding = UBO_VIEW_BLOCK) uniform ViewBlock {
    mat4 u_view;                     // world -> view
    mat4 u_projection;               // view -> clip
    mat4 u_inverse_view_projection;  // clip -> world
    vec4 u_projection_params;        // (P[0][0], P[1][1], P[0][2], P[1][2]) of the projection
    vec3 u_eye_world;                // eye position, world metres
    vec2 u_near_far;                 // metres
    vec2 u_viewport_size;            // pixels of the view's buffers
};
#endif
