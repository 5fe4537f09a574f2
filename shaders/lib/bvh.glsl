// Ray queries against the scene BVH (renderer/raytrace/bvh.py builds it, renderer/raytrace/scene.py
// uploads it). Node: lo, a, hi, b; internal nodes: a = left, b = right child; leaves: a = first
// triangle, b = -count. Triangle: v0 (w = part index bits), edge1, edge2; world metres.
// Hits on the removed side of a part's clipping planes or inside its cut-away boxes are ignored:
// a cut-open part lets light in.

struct BvhNode { vec3 lo; int a; vec3 hi; int b; };
struct BvhTriangle { vec4 v0; vec4 e1; vec4 e2; };

layout(std430, binding = 0) readonly buffer BvhNodes { BvhNode bvh_nodes[]; };
layout(std430, binding = 1) readonly buffer BvhTriangles { BvhTriangle bvh_triangles[]; };

// Sections per part (renderer/raytrace/scene.py `section_table`): 11 vec4 per part index --
// (plane count, box count, 0, 0), 6 planes (world n, d: keep n.p + d >= 0), 2 boxes (min, max).
layout(std430, binding = 2) readonly buffer BvhSections { vec4 bvh_sections[]; };
uniform int u_any_sections;  // 0: no part is cut, skip the lookups
const int SECTION_STRIDE = 11;

const int BVH_STACK = 64;

bool bvh_point_kept(vec3 p, int part) {
    if (u_any_sections == 0) return true;
    int base = part * SECTION_STRIDE;
    vec4 header = bvh_sections[base];
    for (int i = 0; i < int(header.x); ++i) {
        vec4 plane = bvh_sections[base + 1 + i];
        if (dot(plane.xyz, p) + plane.w < 0.0) return false;
    }
    for (int i = 0; i < int(header.y); ++i) {
        vec3 lo = bvh_sections[base + 7 + 2 * i].xyz, hi = bvh_sections[base + 8 + 2 * i].xyz;
        if (all(greaterThanEqual(p, lo)) && all(lessThanEqual(p, hi))) return false;
    }
    return true;
}

bool bvh_part_has_plane(int part, vec4 plane) {
    int base = part * SECTION_STRIDE;
    for (int i = 0; i < int(bvh_sections[base].x); ++i) {
        if (all(lessThan(abs(bvh_sections[base + 1 + i] - plane), vec4(1e-6)))) return true;
    }
    return false;
}

// Entry distance of the ray into the box, or a value > t_max when it misses.
float bvh_box_entry(vec3 lo, vec3 hi, vec3 origin, vec3 inv_dir, float t_max) {
    vec3 t0 = (lo - origin) * inv_dir;
    vec3 t1 = (hi - origin) * inv_dir;
    vec3 near = min(t0, t1), far = max(t0, t1);
    float enter = max(max(near.x, near.y), max(near.z, 0.0));
    float leave = min(min(far.x, far.y), min(far.z, t_max));
    return enter <= leave ? enter : 1e30;
}

// Moller-Trumbore; returns t (or -1) and barycentrics (u, v). Both faces count.
float bvh_triangle_hit(BvhTriangle tri, vec3 origin, vec3 dir, out vec2 uv) {
    vec3 p = cross(dir, tri.e2.xyz);
    float det = dot(tri.e1.xyz, p);
    uv = vec2(-1.0);
    if (abs(det) < 1e-20) return -1.0;
    float inv = 1.0 / det;
    vec3 s = origin - tri.v0.xyz;
    float u = dot(s, p) * inv;
    if (u < 0.0 || u > 1.0) return -1.0;
    vec3 q = cross(s, tri.e1.xyz);
    float v = dot(dir, q) * inv;
    if (v < 0.0 || u + v > 1.0) return -1.0;
    uv = vec2(u, v);
    return dot(tri.e2.xyz, q) * inv;
}

vec3 bvh_safe_inverse(vec3 d) {
    return 1.0 / mix(d, vec3(1e-30), lessThan(abs(d), vec3(1e-30)));
}

// True when anything kept by the clip planes lies on the ray within (0, t_max).
bool bvh_occluded(vec3 origin, vec3 dir, float t_max) {
    vec3 inv_dir = bvh_safe_inverse(dir);
    int stack[BVH_STACK];
    int top = 0;
    int node = 0;
    while (true) {
        BvhNode n = bvh_nodes[node];
        if (n.b < 0) {
            for (int i = n.a; i < n.a - n.b; ++i) {
                vec2 uv;
                float t = bvh_triangle_hit(bvh_triangles[i], origin, dir, uv);
                if (t > 0.0 && t < t_max
                    && bvh_point_kept(origin + dir * t, floatBitsToInt(bvh_triangles[i].v0.w))) return true;
            }
        } else {
            BvhNode l = bvh_nodes[n.a], r = bvh_nodes[n.b];
            bool hit_l = bvh_box_entry(l.lo, l.hi, origin, inv_dir, t_max) < 1e29;
            bool hit_r = bvh_box_entry(r.lo, r.hi, origin, inv_dir, t_max) < 1e29;
            if (hit_l && hit_r) {
                if (top < BVH_STACK) stack[top++] = n.b;
                node = n.a;
                continue;
            }
            if (hit_l) { node = n.a; continue; }
            if (hit_r) { node = n.b; continue; }
        }
        if (top == 0) return false;
        node = stack[--top];
    }
}

// Nearest hit within (t_min, t_max), ignoring clip planes when `unclipped`; returns t or -1, with
// the triangle index (BVH order) and the part index it belongs to.
float bvh_closest(vec3 origin, vec3 dir, float t_min, float t_max, bool unclipped, out int triangle, out int part) {
    vec3 inv_dir = bvh_safe_inverse(dir);
    int stack[BVH_STACK];
    int top = 0;
    int node = 0;
    float best = t_max;
    triangle = -1;
    part = -1;
    while (true) {
        BvhNode n = bvh_nodes[node];
        if (n.b < 0) {
            for (int i = n.a; i < n.a - n.b; ++i) {
                vec2 uv;
                float t = bvh_triangle_hit(bvh_triangles[i], origin, dir, uv);
                if (t > t_min && t < best
                    && (unclipped || bvh_point_kept(origin + dir * t, floatBitsToInt(bvh_triangles[i].v0.w)))) {
                    best = t;
                    triangle = i;
                }
            }
        } else {
            BvhNode l = bvh_nodes[n.a], r = bvh_nodes[n.b];
            float tl = bvh_box_entry(l.lo, l.hi, origin, inv_dir, best);
            float tr = bvh_box_entry(r.lo, r.hi, origin, inv_dir, best);
            bool hit_l = tl < 1e29, hit_r = tr < 1e29;
            if (hit_l && hit_r) {
                int near = tl <= tr ? n.a : n.b;
                int far = tl <= tr ? n.b : n.a;
                if (top < BVH_STACK) stack[top++] = far;
                node = near;
                continue;
            }
            if (hit_l) { node = n.a; continue; }
            if (hit_r) { node = n.b; continue; }
        }
        if (top == 0) break;
        node = stack[--top];
        // The popped box may now lie beyond the best hit: re-tested when its children are visited.
    }
    if (triangle >= 0) part = floatBitsToInt(bvh_triangles[triangle].v0.w);
    return triangle >= 0 ? best : -1.0;
}
