// Temporal accumulation of the traced terms, per view: reproject this pixel's world position into
// the previous frame of the same view, fetch the history there (bilinear over the taps whose stored
// depth agrees, so disocclusions restart) and blend the new samples in with weight 1/count.
layout(local_size_x = 8, local_size_y = 8) in;

layout(binding = UNIT_NOISY) uniform sampler2D u_noisy;           // r ao, g shadow, a: 1 traced, 0.5 skipped, 0 empty
layout(binding = UNIT_WORLD_POSITION) uniform sampler2D u_world_position;  // xyz world
layout(binding = UNIT_HISTORY) uniform sampler2D u_history;         // r ao, g shadow, b frames, a view depth
layout(rgba32f, binding = IMAGE_HISTORY_OUT) writeonly uniform image2D u_history_out;

// u_view: this frame, world -> view

#include "lib/view_block.glsl"
uniform mat4 u_previous_view_projection;  // previous frame of this view, world -> clip
uniform mat4 u_previous_view;
uniform int u_history_valid;
uniform float u_max_frames;               // the history length cap (responsiveness vs noise)

void main() {
    ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
    ivec2 size = imageSize(u_history_out);
    if (any(greaterThanEqual(pixel, size))) return;
    vec4 current = texelFetch(u_noisy, pixel, 0);
    if (current.a <= 0.0) { imageStore(u_history_out, pixel, vec4(1.0, 1.0, 0.0, 0.0)); return; }
    vec3 p = texelFetch(u_world_position, pixel, 0).xyz;
    float depth = -(u_view * vec4(p, 1.0)).z;

    vec2 history = vec2(0.0);
    float frames = 0.0;
    if (u_history_valid != 0) {
        vec4 clip = u_previous_view_projection * vec4(p, 1.0);
        float expected = -(u_previous_view * vec4(p, 1.0)).z;
        vec2 position = (clip.xy / clip.w * 0.5 + 0.5) * vec2(size) - 0.5;
        ivec2 base = ivec2(floor(position));
        vec2 f = position - vec2(base);
        float weight_sum = 0.0;
        vec3 sum = vec3(0.0);
        for (int k = 0; k < 4; ++k) {
            ivec2 offset = ivec2(k & 1, k >> 1);
            ivec2 q = base + offset;
            if (any(lessThan(q, ivec2(0))) || any(greaterThanEqual(q, size))) continue;
            vec4 h = texelFetch(u_history, q, 0);
            if (h.b <= 0.0 || abs(h.a - expected) > 0.01 * expected + 1e-4) continue;
            float w = (offset.x == 1 ? f.x : 1.0 - f.x) * (offset.y == 1 ? f.y : 1.0 - f.y) + 1e-4;
            sum += w * vec3(h.rg, h.b);
            weight_sum += w;
        }
        if (weight_sum > 0.0) {
            history = sum.xy / weight_sum;
            frames = sum.z / weight_sum;
        }
    }
    if (current.a < 0.75) {  // not traced this frame (interleaved): keep the history as it is
        if (frames > 0.0) { imageStore(u_history_out, pixel, vec4(history, frames, depth)); return; }
        for (int k = 0; k < 4 && current.a < 0.75; ++k) {  // nothing yet: borrow the block's traced pixel
            ivec2 q = min((pixel & ~1) + ivec2(k & 1, k >> 1), size - 1);
            vec4 other = texelFetch(u_noisy, q, 0);
            if (other.a > 0.75) current = other;
        }
        if (current.a < 0.75) { imageStore(u_history_out, pixel, vec4(1.0, 1.0, 0.0, depth)); return; }
    }
    frames = min(frames + 1.0, u_max_frames);
    vec2 blended = mix(history, current.rg, 1.0 / frames);
    imageStore(u_history_out, pixel, vec4(blended, frames, depth));
}
