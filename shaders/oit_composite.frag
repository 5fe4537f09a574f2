// Resolve weighted blended OIT over the opaque image, per sample: average colour of the layers
// (weighted sum / weight sum) with coverage 1 - product of (1 - alpha).
layout(binding = UNIT_ACCUM) uniform sampler2DMS u_accum;
layout(binding = UNIT_REVEALAGE) uniform sampler2DMS u_revealage;

layout(location = 0) out vec4 out_color;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    float revealage = texelFetch(u_revealage, pixel, gl_SampleID).r;
    if (revealage >= 0.9999) discard;
    vec4 accum = texelFetch(u_accum, pixel, gl_SampleID);
    float coverage = 1.0 - revealage;
    out_color = vec4(accum.rgb / max(accum.a, 1e-5) * coverage, coverage);  // premultiplied "over"
}
