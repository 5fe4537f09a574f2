// The surface lighting every opaque thing shares (meshes, atom impostors, cartoons): GGX specular,
// environment (hemisphere, or the pre-filtered studio map) with AO, one key light with its traced
// visibility, thickness-based tissue transmission and a wet clear-coat sheen.
// Needs brdf.glsl, environment.glsl and tissue.glsl included before it.
uniform vec3 u_key_direction;      // world, unit, toward the light
uniform vec3 u_key_radiance;       // linear RGB x intensity; zero when there is no key light

// Per-fragment inputs a caller may set before shade_surface: the key light's traced visibility
// (1 = unshadowed) and the tissue thickness behind the surface (back-face pass; a thin shell otherwise).
float g_key_visible = 1.0;
float g_thickness_m = 0.004;
// Output of shade_surface: the part of its result that is diffuse light (environment, key light and
// transmission, after the wet coat): what subsurface scattering spreads (lib/subsurface_output.glsl).
// Computed beside `color`, never folded into it, so shaders that ignore it compile to the same maths.
vec3 g_scattered = vec3(0.0);

struct SurfaceMaterial {
    vec3 base_color;          // linear RGB
    float roughness;
    float metallic;
    float translucency;
    vec3 translucency_color;  // linear RGB
    float sheen;
    vec3 emissive;            // linear RGB
};

// Outgoing linear radiance toward the eye. n, v: world space, unit; ao: unoccluded fraction.
vec3 shade_surface(vec3 n, vec3 v, SurfaceMaterial m, float ao) {
    float n_dot_v = clamp(dot(n, v), 1e-4, 1.0);
    float roughness = clamp(m.roughness, 0.04, 1.0);
    float alpha = roughness * roughness;
    vec3 f0 = mix(vec3(0.04), m.base_color, m.metallic);
    vec3 diffuse_color = m.base_color * (1.0 - m.metallic);

    // Environment: diffuse irradiance and a split-sum specular, both shadowed by AO.
    vec2 env = environment_brdf(n_dot_v, roughness);
    vec3 specular_env = environment_specular(reflect(-v, n), roughness) * (f0 * env.x + env.y);
    float specular_occlusion = clamp(pow(n_dot_v + ao, exp2(-16.0 * roughness - 1.0)) - 1.0 + ao, 0.0, 1.0);
    vec3 color = diffuse_color * environment_diffuse(n) * ao + specular_env * specular_occlusion;
    g_scattered = diffuse_color * environment_diffuse(n) * ao;

    // Key light.
    vec3 l = u_key_direction;
    float n_dot_l = dot(n, l);
    vec3 h = normalize(l + v);
    float n_dot_h = clamp(dot(n, h), 0.0, 1.0);
    vec3 fresnel = fresnel_schlick(clamp(dot(v, h), 0.0, 1.0), f0);
    float lit = clamp(n_dot_l, 0.0, 1.0);
    vec3 specular = ggx_distribution(n_dot_h, alpha) * smith_visibility(n_dot_v, max(lit, 1e-4), alpha) * fresnel;
    vec3 diffuse = diffuse_color / PI * wrapped_diffuse(n_dot_l, m.translucency);
    vec3 key_radiance = u_key_radiance * g_key_visible;
    color += key_radiance * ((diffuse * (1.0 - fresnel)) + specular * lit);
    g_scattered += key_radiance * (diffuse * (1.0 - fresnel));

    // Light through the tissue (Beer-Lambert over the thickness): the key light from behind, and the
    // environment scattered through from the far side.
    if (m.translucency > 0.0) {
        vec3 tint = m.translucency_color * diffuse_color;
        color += u_key_radiance * transmission(n, v, l, m.translucency, tint, g_thickness_m);
        color += 0.5 * m.translucency * tint * environment_diffuse(-n) * tissue_transmittance(m.translucency, g_thickness_m);
        g_scattered += u_key_radiance * transmission(n, v, l, m.translucency, tint, g_thickness_m)
                       + 0.5 * m.translucency * tint * environment_diffuse(-n) * tissue_transmittance(m.translucency, g_thickness_m);
    }

    // Wet sheen: a thin clear coat of moisture -- Fresnel-weighted sharp reflection of the environment
    // and a tight highlight of the key light over the tissue below.
    if (m.sheen > 0.0) {
        float wet_alpha = 0.06 * 0.06;
        float coat = m.sheen * fresnel_schlick(n_dot_v, vec3(0.02)).x;
        vec3 wet = ggx_distribution(n_dot_h, wet_alpha) * smith_visibility(n_dot_v, max(lit, 1e-4), wet_alpha)
                   * fresnel_schlick(clamp(dot(v, h), 0.0, 1.0), vec3(0.02));
        color = color * (1.0 - coat) + coat * environment_specular(reflect(-v, n), 0.06) * specular_occlusion;
        g_scattered *= 1.0 - coat;
        color += m.sheen * key_radiance * wet * lit;
    }
    return color + m.emissive;
}
