// Molecule meshes (cartoons, surfaces): positions and normals in model units, one colour per vertex.
#include "lib/transforms.glsl"
#include "lib/color.glsl"

layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_normal;
layout(location = 2) in vec4 a_color;  // sRGB, unorm8

centroid out vec3 v_view_position;  // centroid: sections test it per fragment, never extrapolated (MSAA)
out vec3 v_view_normal;
out vec3 v_color;  // linear RGB

void main() {
    vec4 view = u_view * (u_model * vec4(a_position, 1.0));
    v_view_position = view.xyz;
    v_view_normal = mat3(u_view) * (u_normal_matrix * a_normal);
    v_color = srgb_to_linear(a_color.rgb);
    gl_Position = u_projection * view;
}
