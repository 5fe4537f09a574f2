// Exact ray-sphere intersection per pixel; true depth, normal and PBR shading (or prepass output).
#include "lib/molecule_common.glsl"
#include "lib/molecule_output.glsl"
#include "lib/molecule_clip.glsl"

in vec3 v_view_position;
flat in vec3 v_centre;
flat in float v_radius;
flat in vec3 v_color;

void main() {
    vec3 ray = normalize(v_view_position);  // from the eye (the view-space origin)
    float b = dot(ray, v_centre);
    float h = b * b - (dot(v_centre, v_centre) - v_radius * v_radius);
    if (h < 0.0) discard;
    float t = b - sqrt(h);
    if (t <= 0.0) discard;  // the eye is inside the sphere
    vec3 hit = ray * t;
    vec3 normal = (hit - v_centre) / v_radius;
    if (molecule_clipped(hit)) {
        // The near side is cut away: show the inside of the far wall where a section leaves it.
        hit = ray * (b + sqrt(h));
        if (molecule_clipped(hit)) discard;
        normal = (v_centre - hit) / v_radius;
    }
    if (!write_impostor_depth(hit)) discard;
    write_surface(hit, normal, v_color);
}
