// Back faces only (the pass culls front faces): the view depth of the nearest back face behind each
// pixel. With the front depth of the prepass it gives how much tissue a ray crosses (thickness-based
// transmission).
#include "lib/alpha_mask.glsl"

in vec3 v_world_position;
in vec3 v_world_normal;
in float v_view_depth;

layout(location = 0) out float out_back_depth;  // metres along the view axis

void main() {
#ifndef NO_DISCARD  // unmasked parts: no discard lets llvmpipe test depth before shading
    if (alpha_masked()) discard;
#endif
    out_back_depth = v_view_depth;
}
