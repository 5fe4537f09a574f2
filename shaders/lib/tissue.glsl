// Tissue terms beyond plain GGX: light bleeding through thin soft tissue, and a wet sheen.
// Both are approximations tuned by eye against photographs; the shading issue refines them.

// Wrapped diffuse: translucent tissue stays lit a little past the terminator.
float wrapped_diffuse(float n_dot_l, float translucency) {
    float w = 0.5 * translucency;
    return max(0.0, (n_dot_l + w) / (1.0 + w)) / (1.0 + w);
}

// Back-lit transmission, strongest when looking toward the light through the tissue.
vec3 transmission(vec3 n, vec3 v, vec3 l, float translucency, vec3 tint) {
    float through = pow(clamp(dot(v, -l), 0.0, 1.0), 4.0) * clamp(-dot(n, l) + 0.3, 0.0, 1.0);
    return translucency * tint * through * 0.5;
}
