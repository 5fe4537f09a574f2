// Subsurface scattering, shading side (renderer/passes/subsurface.py): pbr.frag built with
// SUBSURFACE=1 draws the parts whose material scatters into a second colour attachment as well:
// the diffuse light that spreads under the surface, and the key of the part's scattering profile.
// Needs pbr_shading.glsl (g_scattered) included before it.
#ifndef SUBSURFACE
#define SUBSURFACE 0
#endif
#if SUBSURFACE
layout(location = 1) out vec4 out_scattered;  // rgb: diffuse radiance (linear, part of out_color); a: key >= 1
uniform float u_scatter_key;                  // index of the part's profile in the pass's table
#endif

// `kept`: how much of shade_surface's result reaches out_color (opacity, a highlight's dimming).
void write_scattered(float kept) {
#if SUBSURFACE
    out_scattered = vec4(g_scattered * kept, u_scatter_key);
#endif
}
