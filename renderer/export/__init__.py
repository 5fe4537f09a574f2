"""Export a scene for students without Prosector: a glTF 2.0 binary (GLB) and a static web page.

`glb` builds the file from the scene model (parts as named nodes, PBR materials, molecules as
triangle meshes, lesson steps and labels in `extras`), `compress` quantises and meshopt-compresses
it with gltfpack, `site` writes the self-contained lesson page around it.
"""
