// Cylinder impostor: an instanced box (14-vertex triangle strip) tightly around each cylinder;
// the fragment shader ray-casts the capped cylinder inside it.
#include "lib/transforms.glsl"
#include "lib/color.glsl"
uniform float u_model_scale;

layout(location = 0) in vec4 a_start_radius;   // model space
layout(location = 1) in vec3 a_end;
layout(location = 2) in vec4 a_color_start;    // sRGB, unorm8
layout(location = 3) in vec4 a_color_end;

out vec3 v_view_position;
flat out vec3 v_start;        // view space, metres
flat out vec3 v_end;
flat out float v_radius;
flat out vec3 v_color_start;  // linear RGB
flat out vec3 v_color_end;

void main() {
    // Unit-cube corner of a 14-vertex strip from gl_VertexID (bit masks pick x, y, z per vertex).
    int bit = 1 << gl_VertexID;
    vec3 corner = vec3((0x287a & bit) != 0, (0x02af & bit) != 0, (0x31e3 & bit) != 0);
    vec3 a = (u_view * (u_model * vec4(a_start_radius.xyz, 1.0))).xyz;
    vec3 b = (u_view * (u_model * vec4(a_end, 1.0))).xyz;
    float radius = a_start_radius.w * u_model_scale;
    vec3 axis = b - a;
    float len = max(length(axis), 1e-9);
    vec3 w = axis / len;
    vec3 helper = abs(w.y) < 0.99 ? vec3(0.0, 1.0, 0.0) : vec3(1.0, 0.0, 0.0);
    vec3 e1 = normalize(cross(w, helper));
    vec3 e2 = cross(w, e1);
    vec3 p = a + axis * corner.x + (e1 * (corner.y * 2.0 - 1.0) + e2 * (corner.z * 2.0 - 1.0)) * radius;
    v_view_position = p;
    v_start = a;
    v_end = b;
    v_radius = radius;
    v_color_start = srgb_to_linear(a_color_start.rgb);
    v_color_end = srgb_to_linear(a_color_end.rgb);
    gl_Position = u_projection * vec4(p, 1.0);
}
