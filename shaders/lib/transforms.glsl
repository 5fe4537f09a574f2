// Per-view and per-part transforms. Matrices are uploaded row-major with transpose, so they read
// here exactly as written in renderer/maths.py.
uniform mat4 u_view;         // world -> view
uniform mat4 u_projection;   // view -> clip
uniform mat4 u_model;        // model -> world, metres
uniform mat3 u_normal_matrix;  // inverse-transpose of u_model's 3x3
uniform vec3 u_eye_world;    // eye position, world metres
