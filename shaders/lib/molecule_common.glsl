// Includes shared by the molecule stages (impostors and molecule meshes).
#include "lib/transforms.glsl"
#include "lib/brdf.glsl"
#include "lib/color.glsl"
#include "lib/environment.glsl"
#include "lib/tissue.glsl"
#include "lib/pbr_shading.glsl"
uniform float u_model_scale;  // uniform part of u_model: model units (ångström) -> metres
