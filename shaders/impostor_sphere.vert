// Sphere impostor: one quad per atom (instanced triangle strip of 4), placed in the plane through
// the centre perpendicular to the eye ray, sized so that it exactly covers the sphere's silhouette
// cone: a circle of radius r * d / sqrt(d^2 - r^2) in that plane.
#include "lib/transforms.glsl"
#include "lib/color.glsl"
uniform float u_model_scale;

layout(location = 0) in vec4 a_centre_radius;  // model space, ångström (or model units)
layout(location = 1) in vec4 a_color;          // sRGB, unorm8

out vec3 v_view_position;           // of the quad point: the ray direction from the eye
flat out vec3 v_centre;             // view space, metres
flat out float v_radius;            // metres
flat out vec3 v_color;              // linear RGB

void main() {
    vec3 centre = (u_view * (u_model * vec4(a_centre_radius.xyz, 1.0))).xyz;
    float radius = a_centre_radius.w * u_model_scale;
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1)) * 2.0 - 1.0;
    float d = length(centre);
    vec3 axis = centre / max(d, 1e-12);
    vec3 helper = abs(axis.y) < 0.99 ? vec3(0.0, 1.0, 0.0) : vec3(1.0, 0.0, 0.0);
    vec3 right = normalize(cross(helper, axis));
    vec3 up = cross(axis, right);
    float half_size = radius * d / sqrt(max(d * d - radius * radius, 1e-4 * radius * radius));
    vec3 p = centre + (right * corner.x + up * corner.y) * half_size;
    v_view_position = p;
    v_centre = centre;
    v_radius = radius;
    v_color = srgb_to_linear(a_color.rgb);
    gl_Position = u_projection * vec4(p, 1.0);
}
