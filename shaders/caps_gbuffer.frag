// Ray-cast caps of clipping planes: where the camera ray meets a clip plane inside a closed part, the
// cut face is drawn there as if it were geometry. "Inside" comes from the BVH of the unclipped
// surfaces: walking along the plane normal, the first back face of a part not entered on the way
// means the point lies inside that part (nested parts give the innermost one). Runs every frame,
// on the refitted BVH, so caps stay right on deforming meshes.
#include "lib/transforms.glsl"
#include "lib/bvh.glsl"
#include "lib/sampling.glsl"

uniform vec4 u_cap_planes[MAX_CAP_PLANES];           // every distinct clip plane of the visible opaque parts
uniform int u_cap_plane_count;

layout(location = 0) out vec4 out_normal_depth;  // as the prepass writes them
layout(location = 1) out vec4 out_world;
layout(location = 2) out vec4 out_cap;           // r: part index + 1, g: plane index

const int MAX_CROSSINGS = 8;

int part_containing(vec3 q, vec3 dir) {
    int entered[MAX_CROSSINGS];
    int count = 0;
    float t_min = 0.0;
    for (int step = 0; step < MAX_CROSSINGS; ++step) {
        int triangle, part;
        float t = bvh_closest(q, dir, t_min, 1e30, true, triangle, part);
        if (t < 0.0) return -1;
        t_min = t * 1.0001 + 1e-7;
        if (!bvh_part_cappable(part)) continue;  // translucent or masked parts are not solids here
        BvhTriangle tri = bvh_triangles[triangle];
        bool leaving = dot(cross(tri.e1.xyz, tri.e2.xyz), dir) > 0.0;  // counter-clockwise = outside
        bool seen = false;
        for (int i = 0; i < count; ++i) seen = seen || entered[i] == part;
        if (leaving && !seen) return part;
        if (!leaving && count < MAX_CROSSINGS) entered[count++] = part;
    }
    return -1;
}

void main() {
    vec2 ndc = gl_FragCoord.xy / u_viewport_size * 2.0 - 1.0;
    vec4 far_point = u_inverse_view_projection * vec4(ndc, 1.0, 1.0);
    vec3 dir = normalize(far_point.xyz / far_point.w - u_eye_world);
    float best = 1e30;
    int best_plane = -1, best_part = -1;
    for (int i = 0; i < u_cap_plane_count; ++i) {
        vec4 plane = u_cap_planes[i];
        float denom = dot(plane.xyz, dir);
        if (abs(denom) < 1e-8) continue;
        float t = -(dot(plane.xyz, u_eye_world) + plane.w) / denom;
        if (t <= 0.0 || t >= best) continue;
        vec3 q = u_eye_world + dir * t;
        int part = part_containing(q, normalize(plane.xyz));
        // A cap belongs to a part this plane cuts, at a point the part's other sections keep.
        if (part < 0 || !bvh_part_has_plane(part, plane)) continue;
        if (!bvh_point_kept(q + plane.xyz * 1e-6, part)) continue;
        best = t;
        best_plane = i;
        best_part = part;
    }
    if (best_part < 0) discard;
    vec3 q = u_eye_world + dir * best;
    vec3 n = normalize(u_cap_planes[best_plane].xyz);
    if (dot(n, dir) > 0.0) n = -n;  // face the viewer
    vec4 view = u_view * vec4(q, 1.0);
    vec4 clip = u_projection * view;
    gl_FragDepth = clip.z / clip.w * 0.5 + 0.5;
    out_normal_depth = vec4(normalize(mat3(u_view) * n), -view.z);
    out_world = vec4(q, pack_unit_vector(n));
    out_cap = vec4(float(best_part + 1), float(best_plane), gl_FragDepth, 1.0);
}
