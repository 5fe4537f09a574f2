// Random numbers and direction sampling for the ray-traced passes.
const float SAMPLING_TAU = 6.28318530718;

uint pcg_hash(uint v) {
    uint state = v * 747796405u + 2891336453u;
    uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

// A per-pixel offset (Cranley-Patterson rotation) of the low-discrepancy R2 sequence: sample k of a
// pixel is stratified against the samples of earlier frames, so accumulation converges quickly.
vec2 pixel_offset(ivec2 pixel, uint salt) {
    uint h = pcg_hash(uint(pixel.x) * 1973u + uint(pixel.y) * 9277u + salt * 26699u);
    return vec2(float(h & 0xFFFFu), float(h >> 16u)) / 65536.0;
}

vec2 r2_sample(uint k, vec2 offset) {
    return fract(offset + vec2(0.7548776662, 0.5698402910) * float(k));
}

void orthonormal_basis(vec3 n, out vec3 t, out vec3 b) {
    vec3 helper = abs(n.z) < 0.999 ? vec3(0.0, 0.0, 1.0) : vec3(1.0, 0.0, 0.0);
    t = normalize(cross(helper, n));
    b = cross(n, t);
}

// Cosine-weighted direction around n from u in [0,1)^2.
vec3 cosine_direction(vec3 n, vec2 u) {
    vec3 t, b;
    orthonormal_basis(n, t, b);
    float r = sqrt(u.x);
    float phi = SAMPLING_TAU * u.y;
    return t * (r * cos(phi)) + b * (r * sin(phi)) + n * sqrt(max(0.0, 1.0 - u.x));
}

// Uniform direction inside the cone of half-angle acos(cos_max) around axis.
vec3 cone_direction(vec3 axis, float cos_max, vec2 u) {
    vec3 t, b;
    orthonormal_basis(axis, t, b);
    float cos_theta = 1.0 - u.x * (1.0 - cos_max);
    float sin_theta = sqrt(max(0.0, 1.0 - cos_theta * cos_theta));
    float phi = SAMPLING_TAU * u.y;
    return t * (sin_theta * cos(phi)) + b * (sin_theta * sin(phi)) + axis * cos_theta;
}

// Octahedral encoding of a unit vector into one float (16 bits per coordinate).
float pack_unit_vector(vec3 n) {
    n /= abs(n.x) + abs(n.y) + abs(n.z);
    vec2 e = n.z >= 0.0 ? n.xy : (1.0 - abs(n.yx)) * vec2(n.x >= 0.0 ? 1.0 : -1.0, n.y >= 0.0 ? 1.0 : -1.0);
    return uintBitsToFloat(packSnorm2x16(e));
}

vec3 unpack_unit_vector(float code) {
    vec2 e = unpackSnorm2x16(floatBitsToUint(code));
    vec3 n = vec3(e, 1.0 - abs(e.x) - abs(e.y));
    if (n.z < 0.0) n.xy = (1.0 - abs(n.yx)) * vec2(n.x >= 0.0 ? 1.0 : -1.0, n.y >= 0.0 ? 1.0 : -1.0);
    return normalize(n);
}
