// Environment light. Default: a sky/ground hemisphere. With ENVIRONMENT_MAP (the colour view): the
// studio environment of renderer/lighting/environment_map.py, GGX pre-filtered per roughness (mip
// levels) plus an irradiance map -- image-based lighting with the same two functions.
uniform vec3 u_sky_color;      // linear RGB x intensity
uniform vec3 u_ground_color;   // linear RGB x intensity

#ifndef ENVIRONMENT_MAP
#define ENVIRONMENT_MAP 0
#endif

#if ENVIRONMENT_MAP
layout(binding = UNIT_ENV_SPECULAR) uniform sampler2D u_env_specular;    // equirectangular, mip k: roughness k / (levels - 1)
layout(binding = UNIT_ENV_IRRADIANCE) uniform sampler2D u_env_irradiance;  // equirectangular, irradiance / pi
uniform float u_env_levels;

vec2 environment_uv(vec3 d) {
    return vec2(atan(d.x, -d.z) / 6.28318530718 + 0.5, acos(clamp(d.y, -1.0, 1.0)) / 3.14159265359);
}

vec3 environment_diffuse(vec3 n) {
    return textureLod(u_env_irradiance, environment_uv(n), 0.0).rgb;
}

vec3 environment_specular(vec3 r, float roughness) {
    return textureLod(u_env_specular, environment_uv(r), clamp(roughness, 0.0, 1.0) * (u_env_levels - 1.0)).rgb;
}
#else
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
#endif
