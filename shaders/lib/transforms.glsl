// Per-view (the view block) and per-part transforms. Matrices are uploaded row-major with
// transpose, so they read here exactly as written in renderer/maths.py.
#include "lib/view_block.glsl"
uniform mat4 u_model;        // model -> world, metres
uniform mat3 u_normal_matrix;  // inverse-transpose of u_model's 3x3
