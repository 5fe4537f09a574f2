// Exact ray intersection with a cylinder with flat caps, per pixel. Each half takes its end's colour.
#include "lib/molecule_common.glsl"
#include "lib/molecule_output.glsl"
#include "lib/molecule_clip.glsl"

in vec3 v_view_position;
flat in vec3 v_start;
flat in vec3 v_end;
flat in float v_radius;
flat in vec3 v_color_start;
flat in vec3 v_color_end;

void main() {
    vec3 rd = normalize(v_view_position);
    vec3 ba = v_end - v_start;
    vec3 oc = -v_start;  // ray origin (the eye, at the view origin) relative to the start
    float baba = dot(ba, ba);
    float bard = dot(ba, rd);
    float baoc = dot(ba, oc);
    // Quadratic in t for the infinite cylinder, scaled by |ba|^2 to avoid a division.
    float k2 = baba - bard * bard;
    float k1 = baba * dot(oc, rd) - baoc * bard;
    float k0 = baba * dot(oc, oc) - baoc * baoc - v_radius * v_radius * baba;
    float h = k1 * k1 - k2 * k0;
    if (h < 0.0) discard;
    h = sqrt(h);
    float t = (-k1 - h) / k2;
    float y = baoc + t * bard;  // position along the axis of the hit, times |ba|
    vec3 normal;
    if (y > 0.0 && y < baba) {
        normal = (oc + t * rd - ba * y / baba) / v_radius;
    } else {
        // The body misses within the segment: try the cap on the side the ray reached.
        float cap = y < 0.0 ? 0.0 : baba;
        t = (cap - baoc) / bard;
        if (abs(k1 + k2 * t) >= h) discard;
        normal = ba * sign(y) / sqrt(baba);
        y = cap;
    }
    if (t <= 0.0) discard;
    vec3 hit = rd * t;
    if (molecule_clipped(hit)) discard;
    if (!write_impostor_depth(hit)) discard;
    write_surface(hit, normalize(normal), y < 0.5 * baba ? v_color_start : v_color_end);
}
