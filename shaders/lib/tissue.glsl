// Tissue terms beyond plain GGX: light bleeding through soft tissue (thickness-based transmission),
// wrapped diffuse, and a wet clear-coat sheen.

// Wrapped diffuse: translucent tissue stays lit a little past the terminator.
float wrapped_diffuse(float n_dot_l, float translucency) {
    float w = 0.5 * translucency;
    return max(0.0, (n_dot_l + w) / (1.0 + w)) / (1.0 + w);
}

// Fraction of light surviving `thickness_m` of tissue: Beer-Lambert with a mean free path that grows
// with the material's translucency (about 6 mm for translucency 1: ears, fingers, thin membranes).
float tissue_transmittance(float translucency, float thickness_m) {
    float mean_free_path = max(translucency, 1e-3) * 0.006;
    return exp(-thickness_m / mean_free_path);
}

// Key light arriving through the tissue from behind: strongest when looking toward the light, with
// the exit direction bent toward the normal (light scatters on the way), scaled by transmittance.
vec3 transmission(vec3 n, vec3 v, vec3 l, float translucency, vec3 tint, float thickness_m) {
    vec3 bent = normalize(l + n * 0.35);
    float through = pow(clamp(dot(v, -bent), 0.0, 1.0), 3.0) * 0.8 + 0.2 * clamp(-dot(n, l), 0.0, 1.0);
    return translucency * tint * through * tissue_transmittance(translucency, thickness_m);
}
