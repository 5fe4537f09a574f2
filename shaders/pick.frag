// Picking: which part covers each pixel, and where on it (world position), for a click to find
// the structure under the cursor. Clipped and cut-away regions are removed as in the shading pass,
// so a click goes through a section to what the student sees behind it.
#include "lib/transforms.glsl"
#include "lib/cut_boxes.glsl"
#include "lib/alpha_mask.glsl"

uniform uint u_part_id;  // 1-based index into the pass's part list; 0 = background

in vec3 v_world_position;
in vec3 v_world_normal;
in float v_view_depth;

layout(location = 0) out uint out_part;
layout(location = 1) out vec4 out_world_position;  // xyz metres, w = 1 where a part was hit

void main() {
    if (alpha_masked()) discard;  // a hole: nothing of the part exists here
    if (inside_cut_box(v_world_position)) discard;
    out_part = u_part_id;
    out_world_position = vec4(v_world_position, 1.0);
}
