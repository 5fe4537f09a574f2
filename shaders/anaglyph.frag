// Anaglyph stereo for red-cyan glasses: red from the left eye, green and blue from the right.
// The eyes were rendered side by side into one texture holding sRGB-encoded bytes (RGBA8), left
// eye at x in [0, width), right eye at [width, 2 width). The left eye's red channel is its
// luminance-weighted mix ("optimised" anaglyph), which keeps red tissue from flickering between eyes.
#include "lib/color.glsl"

layout(binding = UNIT_EYES) uniform sampler2D u_eyes;
uniform int u_eye_width;  // pixels

layout(location = 0) out vec4 out_color;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec3 left = srgb_to_linear(texelFetch(u_eyes, pixel, 0).rgb);
    vec3 right = srgb_to_linear(texelFetch(u_eyes, pixel + ivec2(u_eye_width, 0), 0).rgb);
    float red = dot(left, vec3(0.0, 0.7, 0.3));
    out_color = vec4(linear_to_srgb(vec3(red, right.g, right.b)), 1.0);
}
