// Molecule atoms as occluders (renderer/raytrace/spheres.py): spheres in a BVH of their own, with the
// node layout of lib/bvh.glsl (leaves: a = first sphere, b = -count); sphere = (centre, radius),
// world metres. Atoms are opaque. Needs lib/bvh.glsl (BvhNode, box test).
layout(std430, binding = SSBO_SPHERE_NODES) readonly buffer SphereNodes { BvhNode sphere_nodes[]; };
layout(std430, binding = SSBO_SPHERES) readonly buffer Spheres { vec4 spheres[]; };

// True when the ray (unit `dir`) runs through the sphere anywhere within (0, t_max); a ray that
// starts inside a sphere is inside matter, so it counts as blocked.
bool sphere_blocks(vec4 sphere, vec3 origin, vec3 dir, float t_max) {
    vec3 oc = origin - sphere.xyz;
    float b = dot(oc, dir);
    float disc = b * b - (dot(oc, oc) - sphere.w * sphere.w);
    if (disc < 0.0) return false;
    float root = sqrt(disc);
    return -b + root > 0.0 && -b - root < t_max;
}

// 1 when no atom lies on the ray within (0, t_max), else 0 (any hit ends the walk).
float bvh_sphere_transmittance(vec3 origin, vec3 dir, float t_max) {
    vec3 inv_dir = bvh_safe_inverse(dir);
    int stack[BVH_STACK];
    int top = 0;
    int node = 0;
    while (true) {
        BvhNode n = sphere_nodes[node];
        if (n.b < 0) {
            for (int i = n.a; i < n.a - n.b; ++i) {
                if (sphere_blocks(spheres[i], origin, dir, t_max)) return 0.0;
            }
        } else {
            BvhNode l = sphere_nodes[n.a], r = sphere_nodes[n.b];
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
        if (top == 0) return 1.0;
        node = stack[--top];
    }
}
