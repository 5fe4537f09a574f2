"""Ray tracing against the scene's triangles: a CPU-built BVH (`bvh`), the world-space triangle set of a
GPU scene (`scene`), and its GPU buffers (`gpu`). The passes that trace rays live in renderer/passes/."""
