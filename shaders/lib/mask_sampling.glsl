// Alpha masks of the scene (renderer/gpu/mask_atlas.py): every mask on a page of one 2D array
// texture, so rays meeting any part in any order sample through one sampler. A mask's place is
// (x, y, width, height) in texels on page `layer`. Texture coordinates repeat; the bilinear
// footprint stays half a texel inside the mask's rectangle so no neighbour bleeds in.
// The CPU twin is renderer/scene/alpha_masks.py `bilinear_alpha`.
#ifndef MASK_SAMPLING_GLSL
#define MASK_SAMPLING_GLSL
layout(binding = UNIT_MASK_ATLAS) uniform sampler2DArray u_mask_atlas;  // R8, one level

float mask_alpha(vec2 uv, vec4 rect, float layer) {
    vec2 texel = rect.xy + clamp(fract(uv) * rect.zw, vec2(0.5), rect.zw - vec2(0.5));
    return textureLod(u_mask_atlas, vec3(texel / vec2(textureSize(u_mask_atlas, 0).xy), layer), 0.0).r;
}
#endif
