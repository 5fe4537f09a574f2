// Subsurface scattering, multisampled views: one value per pixel from the samples of the scattering
// attachment -- the mean diffuse light of the samples on the surface the prepass saw at the pixel
// centre (same material, no step in depth), and that material's key. Keys are never averaged, and a
// silhouette's samples on another surface do not leak into the pixel's value.
#include "lib/subsurface_common.glsl"

layout(binding = UNIT_SCATTERED) uniform sampler2DMS u_scattered;   // rgb: diffuse radiance (linear), a: key (0: does not scatter)
layout(binding = UNIT_DEPTH) uniform sampler2DMS u_depth;       // the multisampled HDR depth buffer
layout(binding = UNIT_NORMAL_DEPTH) uniform sampler2D u_normal_depth;  // prepass: w view depth at the pixel centre (metres; 0: nothing)

layout(location = 0) out vec4 out_scattered;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    float centre_depth = texelFetch(u_normal_depth, pixel, 0).w;
    int centre_key = 0;  // the key of the sample nearest the centre's depth
    float nearest = 1e30;
    for (int s = 0; s < textureSamples(u_scattered); ++s) {
        int key = int(texelFetch(u_scattered, pixel, s).a + 0.5);
        float gap = abs(view_depth_of(texelFetch(u_depth, pixel, s).r) - centre_depth);
        if (key > 0 && gap < nearest) {
            nearest = gap;
            centre_key = key;
        }
    }
    vec3 sum = vec3(0.0);
    float count = 0.0;
    for (int s = 0; s < textureSamples(u_scattered); ++s) {
        vec4 value = texelFetch(u_scattered, pixel, s);
        if (same_surface(int(value.a + 0.5), view_depth_of(texelFetch(u_depth, pixel, s).r), centre_key, centre_depth)) {
            sum += value.rgb;
            count += 1.0;
        }
    }
    out_scattered = count > 0.0 ? vec4(sum / count, float(centre_key)) : vec4(0.0);
}
