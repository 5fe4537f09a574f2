// Shared by the subsurface-scattering passes (renderer/passes/subsurface.py): the profile table and
// which samples of a multisampled pixel belong to the surface its one spread value describes.

uniform vec3 u_sigma_m[MAX_SCATTER_PROFILES];  // by key: standard deviation of each channel's spread, metres
uniform vec2 u_depth_projection;               // (P[2][2], P[2][3]) of the view's projection

float widest_sigma_m(int key) {
    vec3 sigma = u_sigma_m[clamp(key, 0, MAX_SCATTER_PROFILES - 1)];
    return max(sigma.r, max(sigma.g, sigma.b));
}

// View depth (metres) of a depth-buffer value in [0, 1].
float view_depth_of(float window_z) {
    return u_depth_projection.y / (window_z * 2.0 - 1.0 + u_depth_projection.x);
}

// A sample with `key` at `depth_m` is part of the pixel's surface (the one the prepass saw at the
// pixel centre, `centre_depth_m` away, with `centre_key`): same material, and no step in depth
// between them -- the same test the blur uses to stop.
bool same_surface(int key, float depth_m, int centre_key, float centre_depth_m) {
    return key == centre_key && key > 0 && abs(depth_m - centre_depth_m) < 4.0 * widest_sigma_m(key);
}
