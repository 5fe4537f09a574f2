"""Scenes for alpha-mask and translucent-occluder tests: a textured square (with texture coordinates)
above a floor slab, mask images, and scene files with a fixed line layout (parts first)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# Corners of the square in units of its half size (x, z), and their texture coordinates: u grows
# with x, v grows toward -z (v = 0 is the image's bottom row, so the image's top lies at -z).
UV_CORNERS = (
    [(-1, 0, -1), (1, 0, -1), (1, 0, 1), (-1, 0, 1)],
    [(0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)],
)


def hole_image(side: int, rows: slice | None = None, cols: slice | None = None) -> np.ndarray:
    """(side, side) uint8 mask, 255 = present, with a hole (0) in rows x cols (default: the middle half)."""
    image = np.full((side, side), 255, dtype=np.uint8)
    rows = rows if rows is not None else slice(side // 4, 3 * side // 4)
    cols = cols if cols is not None else slice(side // 4, 3 * side // 4)
    image[rows, cols] = 0
    return image


def write_plane(path: Path, size_m: float = 0.3, height_m: float = 0.2, flip_u: bool = False,
                gltf_mask: tuple[np.ndarray, float, int] | None = None, alpha_mode: str = "MASK") -> Path:  # fmt: skip
    """A horizontal square of side `size_m` at y = `height_m`, facing up, with texture coordinates.
    `gltf_mask` = (alpha image (H, W) uint8, alphaCutoff, base colour factor alpha 0..255) gives it a
    glTF material with `alpha_mode` (GLB only)."""
    import trimesh
    from PIL import Image

    half = size_m / 2
    vertices = np.array(UV_CORNERS[0], dtype=np.float64) * [half, 0, half] + [0, height_m, 0]
    uv = np.array(UV_CORNERS[1], dtype=np.float64)
    if flip_u:
        uv[:, 0] = 1.0 - uv[:, 0]
    material = None
    if gltf_mask is not None:
        alpha, cutoff, factor = gltf_mask
        rgba = np.dstack([np.full(alpha.shape + (3,), 200, np.uint8), alpha])
        material = trimesh.visual.material.PBRMaterial(baseColorTexture=Image.fromarray(rgba, "RGBA"),
                                                       baseColorFactor=[255, 255, 255, factor],
                                                       alphaMode=alpha_mode, alphaCutoff=cutoff)  # fmt: skip
    visual = trimesh.visual.TextureVisuals(uv=uv, material=material)
    faces = np.array([[0, 2, 1], [0, 3, 2]])
    trimesh.Trimesh(vertices, faces, visual=visual, process=False).export(path)
    return path


def write_floor(path: Path, side_m: float = 1.4) -> Path:
    """A slab whose top face is y = 0."""
    import trimesh

    slab = trimesh.creation.box(extents=(side_m, 0.02, side_m))
    slab.apply_translation((0, -0.01, 0))
    slab.export(path)
    return path


def write_scene(folder: Path, parts: dict[str, tuple], image: np.ndarray | None = None, tail: str = "",
                extra: str = "") -> Path:  # fmt: skip
    """scene.yaml in `folder`: parts first (part id -> (mesh, material YAML[, opacity])), so a part's
    `mesh:` is on line 4 and `material:` on line 5 for the first part; `extra` lines go into each
    part, `tail` (camera, lights, render) after them. `image` is saved as hole.png."""
    from PIL import Image

    if image is not None:
        Image.fromarray(image).save(folder / "hole.png")
    lines = ["version: 1", "parts:"]
    for part_id, (mesh, material, *rest) in parts.items():
        lines += [f"  {part_id}:", f"    mesh: {mesh}", f"    material: {material}"]
        if rest:
            lines.append(f"    opacity: {rest[0]}")
    scene = folder / "scene.yaml"
    scene.write_text("\n".join(lines) + "\n" + extra + tail)
    return scene
