// The alpha mask of the part being drawn (fragment stage): a fragment whose mask value is below the
// cutoff is a hole and is discarded before anything else, in every pass that draws the part.
#include "lib/mask_sampling.glsl"

uniform vec4 u_mask_rect;     // x, y, width, height in texels of the atlas page
uniform float u_mask_layer;   // atlas page
uniform float u_mask_cutoff;  // < 0: the part has no mask

in vec2 v_uv;  // texture coordinates (0 for meshes without them)

bool alpha_masked() {
    return u_mask_cutoff >= 0.0 && mask_alpha(v_uv, u_mask_rect, u_mask_layer) < u_mask_cutoff;
}
