// Hemispherical environment: sky above, ground below, the teaching-room default before
// pre-filtered environment maps arrive.
uniform vec3 u_sky_color;      // linear RGB x intensity
uniform vec3 u_ground_color;   // linear RGB x intensity

// Irradiance / PI for a surface facing `n` (world space): exact for a two-colour hemisphere split
// at the horizon, integrated over the cosine lobe.
vec3 environment_diffuse(vec3 n) {
    return mix(u_ground_color, u_sky_color, 0.5 + 0.5 * n.y);
}

// Radiance reflected along `r`, blurred toward the diffuse average as roughness grows.
vec3 environment_specular(vec3 r, float roughness) {
    float sharpness = mix(8.0, 0.5, roughness);
    float t = clamp(0.5 + 0.5 * r.y * sharpness, 0.0, 1.0);
    return mix(u_ground_color, u_sky_color, t);
}
