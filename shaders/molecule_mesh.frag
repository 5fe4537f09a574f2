#include "lib/molecule_common.glsl"
#include "lib/molecule_output.glsl"
#include "lib/molecule_clip.glsl"

centroid in vec3 v_view_position;
in vec3 v_view_normal;
in vec3 v_color;

void main() {
    if (molecule_clipped(v_view_position)) discard;
    vec3 n = normalize(v_view_normal);
    if (!gl_FrontFacing) n = -n;
    write_surface(v_view_position, n, v_color);
}
