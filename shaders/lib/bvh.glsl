// Ray queries against the scene BVH (renderer/raytrace/bvh.py builds it, renderer/raytrace/scene.py
// uploads it). Node: lo, a, hi, b; internal nodes: a = left, b = right child; leaves: a = first
// triangle, b = -count. Triangle: v0 (w = part index bits), edge1, edge2; world metres.
// Hits on the removed side of a part's clipping planes or inside its cut-away boxes are ignored:
// a cut-open part lets light in. So are hits on a hole of a part's alpha mask. Translucent parts
// let light through in part: occlusion rays multiply (1 - opacity) per surface crossed.
#include "lib/mask_sampling.glsl"

struct BvhNode { vec3 lo; int a; vec3 hi; int b; };
struct BvhTriangle { vec4 v0; vec4 e1; vec4 e2; };

layout(std430, binding = SSBO_BVH_NODES) readonly buffer BvhNodes { BvhNode bvh_nodes[]; };
layout(std430, binding = SSBO_BVH_TRIANGLES) readonly buffer BvhTriangles { BvhTriangle bvh_triangles[]; };

// Sections per part (renderer/raytrace/scene.py `section_table`): SECTION_STRIDE vec4 per part
// index -- (plane count, box count, 0, 0), MAX_CLIP_PLANES planes (world n, d: keep n.p + d >= 0),
// MAX_CUT_BOXES boxes (min, max).
layout(std430, binding = SSBO_BVH_SECTIONS) readonly buffer BvhSections { vec4 bvh_sections[]; };
uniform int u_any_sections;  // 0: no part is cut, skip the lookups

// Per part (renderer/raytrace/scene.py `part_table`): 2 vec4 per part index -- the alpha mask's
// rectangle (x, y, width, height in atlas texels), then (mask page, mask cutoff (< 0: no mask),
// transmittance = 1 - opacity (0: opaque), 1 when a clip plane's cut face may be capped).
layout(std430, binding = SSBO_BVH_PARTS) readonly buffer BvhParts { vec4 bvh_parts[]; };
// Texture coordinates of each triangle's corners (uv0, uv1, uv2), BVH order; filled only when some
// traced part has a mask.
layout(std430, binding = SSBO_BVH_UVS) readonly buffer BvhUvs { float bvh_uvs[]; };
// Capability bits (defines, one program per combination, so a scene without masks or translucent
// parts runs exactly the opaque any-hit walk): BVH_MASKS -- some traced part has an alpha mask;
// BVH_TRANSLUCENT -- some traced part is translucent.
#ifndef BVH_MASKS
#define BVH_MASKS 0
#endif
#ifndef BVH_TRANSLUCENT
#define BVH_TRANSLUCENT 0
#endif

const int BVH_STACK = 64;
const float BVH_OPAQUE_ENOUGH = 1.0 / 1024.0;  // transmittance below which a ray counts as blocked

// True when the hit at barycentrics (u, v) of `triangle` falls in a hole of its part's alpha mask.
bool bvh_hole(int triangle, int part, vec2 bary) {
#if BVH_MASKS
    vec4 info = bvh_parts[2 * part + 1];
    if (info.y < 0.0) return false;
    int base = triangle * 6;
    vec2 uv0 = vec2(bvh_uvs[base], bvh_uvs[base + 1]);
    vec2 uv1 = vec2(bvh_uvs[base + 2], bvh_uvs[base + 3]);
    vec2 uv2 = vec2(bvh_uvs[base + 4], bvh_uvs[base + 5]);
    vec2 uv = uv0 * (1.0 - bary.x - bary.y) + uv1 * bary.x + uv2 * bary.y;
    return mask_alpha(uv, bvh_parts[2 * part], info.x) < info.y;
#else
    return false;
#endif
}

bool bvh_part_cappable(int part) {
    return bvh_parts[2 * part + 1].w > 0.5;
}

bool bvh_point_kept(vec3 p, int part) {
    if (u_any_sections == 0) return true;
    int base = part * SECTION_STRIDE;
    vec4 header = bvh_sections[base];
    for (int i = 0; i < int(header.x); ++i) {
        vec4 plane = bvh_sections[base + 1 + i];
        if (dot(plane.xyz, p) + plane.w < 0.0) return false;
    }
    for (int i = 0; i < int(header.y); ++i) {
        vec3 lo = bvh_sections[base + 1 + MAX_CLIP_PLANES + 2 * i].xyz;
        vec3 hi = bvh_sections[base + 2 + MAX_CLIP_PLANES + 2 * i].xyz;
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

// Fraction of light passing along the ray within (0, t_max): 0 when an opaque surface kept by the
// sections (and not a mask hole) lies on it, else the product of (1 - opacity) over the translucent
// surfaces it crosses -- a closed shell of opacity a, crossed twice, passes (1 - a)^2. Any-hit
// order: the product does not depend on the order in which hits are found.
float bvh_transmittance(vec3 origin, vec3 dir, float t_max) {
    vec3 inv_dir = bvh_safe_inverse(dir);
    int stack[BVH_STACK];
    int top = 0;
    int node = 0;
    float transmittance = 1.0;
    while (true) {
        BvhNode n = bvh_nodes[node];
        if (n.b < 0) {
            for (int i = n.a; i < n.a - n.b; ++i) {
                vec2 uv;
                float t = bvh_triangle_hit(bvh_triangles[i], origin, dir, uv);
                if (t > 0.0 && t < t_max) {
                    int part = floatBitsToInt(bvh_triangles[i].v0.w);
                    if (!bvh_point_kept(origin + dir * t, part) || bvh_hole(i, part, uv)) continue;
#if BVH_TRANSLUCENT
                    transmittance *= bvh_parts[2 * part + 1].z;
                    if (transmittance < BVH_OPAQUE_ENOUGH) return 0.0;
#else
                    return 0.0;
#endif
                }
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
        if (top == 0) return transmittance;
        node = stack[--top];
    }
}

// Nearest hit within (t_min, t_max), ignoring clip planes when `unclipped` (never mask holes); returns
// t or -1, with the triangle index (BVH order) and the part index it belongs to.
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
                if (t <= t_min || t >= best) continue;
                int hit_part = floatBitsToInt(bvh_triangles[i].v0.w);
                if ((unclipped || bvh_point_kept(origin + dir * t, hit_part)) && !bvh_hole(i, hit_part, uv)) {
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
