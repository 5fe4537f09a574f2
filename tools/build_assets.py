#!/usr/bin/env python
"""Derive Prosector's brain/head meshes from freely redistributable atlases.

Usage::

    python tools/build_assets.py [--out assets/brain]

Outputs (all in the project's scene space, see below):

* ``pial_left.glb`` / ``pial_right.glb`` -- FreeSurfer fsaverage5 pial
  surfaces, full resolution (10,242 vertices / 20,480 triangles each), vertex
  order identical to the source GIfTI so per-vertex data lines up.
* ``fsaverage5_sulc.npz`` -- arrays ``left`` / ``right`` (float32, (10242,)):
  FreeSurfer sulcal depth for those vertices (positive = deep sulci).
* ``white_matter.glb`` -- isosurface of the MNI ICBM152 2009a white-matter
  probability map at 0.5.
* ``grey_matter.glb`` -- outer brain surface: isosurface of (GM + WM)
  probability at 0.5, ventricles filled.
* ``head_skin.glb`` -- scalp of the fsaverage subject, taken from the
  ``fsaverage-head.fif`` surface shipped with MNE-Python and Loop-subdivided.
  (The MNI T1 template that nilearn ships is skull-stripped, so it has no
  skin to extract; see ``head_surface``.)
* ``README.md`` -- provenance, counts and licences.

Scene space: metres, Y up, right-handed (glTF). From RAS millimetres
(x = patient Right, y = Anterior, z = Superior)::

    X = -x / 1000   (+X is the patient's left)
    Y =  z / 1000   (up)
    Z =  y / 1000   (the face looks toward +Z)

That linear map has determinant +1, so triangle winding (and hence
outward-facing normals) survives the conversion unchanged.

The script is deterministic: the same inputs give byte-identical files.
Needs: numpy, scipy, nibabel, nilearn (data), scikit-image, trimesh,
fast-simplification, mne (data + FIF reader).
"""

from __future__ import annotations

import argparse
import importlib.resources
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nibabel as nib
import numpy as np
import scipy.ndimage as ndi
import trimesh
from scipy.spatial import cKDTree

# Rows map RAS (x, y, z) to scene (X, Y, Z).
RAS_TO_SCENE = np.array(
    [
        [-1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.0, 1.0, 0.0],
    ]
)
MM_TO_M = 1e-3

# Target triangle counts for the volume-derived meshes: dense enough that the
# 1 mm template detail survives, small enough for a headset's draw budget.
WHITE_MATTER_FACES = 80_000
GREY_MATTER_FACES = 80_000
# fsaverage-head has 4,062 triangles; two Loop steps give 4,062 * 16 = 64,992.
HEAD_LOOP_ITERATIONS = 2

# Gaussian sigma (voxels = mm) applied to the probability maps before
# marching cubes: removes the 1 mm staircase without eroding gyri noticeably.
VOLUME_SMOOTH_SIGMA_MM = 1.0
PROBABILITY_LEVEL = 0.5

# Alignment check: compare only the cerebrum above RAS z = +10 mm, which
# excludes the cerebellum and brainstem present in grey_matter alone.
ALIGN_SLAB_Y_M = 0.010

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "assets" / "brain"


# --------------------------------------------------------------------------
# Source data locations
# --------------------------------------------------------------------------


def nilearn_data_dir() -> Path:
    """Folder of data files bundled in the installed nilearn wheel."""
    return Path(str(importlib.resources.files("nilearn.datasets"))) / "data"


def mne_fsaverage_dir() -> Path:
    """Folder of fsaverage BEM/head files bundled in the installed mne wheel."""
    return Path(str(importlib.resources.files("mne"))) / "data" / "fsaverage"


# --------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------


def load_gifti_surface(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a GIfTI triangle surface.

    Returns ``(vertices, faces)``: vertices (N, 3) float64 in RAS millimetres,
    faces (M, 3) int64 indices in the file's own order.
    """
    img = nib.load(str(path))
    points = img.get_arrays_from_intent("NIFTI_INTENT_POINTSET")[0].data
    tris = img.get_arrays_from_intent("NIFTI_INTENT_TRIANGLE")[0].data
    return np.asarray(points, dtype=np.float64), np.asarray(tris, dtype=np.int64)


def load_gifti_scalar(path: Path) -> np.ndarray:
    """Read the first data array of a GIfTI functional/shape file as (N,) float32."""
    img = nib.load(str(path))
    return np.asarray(img.darrays[0].data, dtype=np.float32).ravel()


def load_probability_map(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read an ICBM152 tissue map as probabilities.

    The nilearn copies are stored as uint8 0..255 without a scale factor, so
    the data are divided by their maximum (as nilearn's own loaders do).

    Returns ``(prob, affine)``: prob (I, J, K) float32 in [0, 1]; affine
    (4, 4) voxel index -> RAS millimetres.
    """
    img = nib.load(str(path))
    data = np.asarray(img.dataobj, dtype=np.float32)
    return data / data.max(), img.affine.astype(np.float64)


def load_mne_head_surface(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read the scalp surface from an MNE BEM ``.fif`` file.

    Returns ``(vertices, faces)``: vertices (N, 3) float64 in RAS millimetres
    (fsaverage MRI surface RAS, the space of the fsaverage pial surfaces),
    faces (M, 3) int64.
    """
    import mne  # only this step needs mne; keep the import local

    (surf,) = mne.read_bem_surfaces(str(path), verbose="error")
    if surf["coord_frame"] != mne.io.constants.FIFF.FIFFV_COORD_MRI:
        raise ValueError(f"{path}: expected MRI coordinates, got {surf['coord_frame']}")
    return surf["rr"] * 1000.0, np.asarray(surf["tris"], dtype=np.int64)


# --------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------


def ras_mm_to_scene(points_mm: np.ndarray) -> np.ndarray:
    """Map (N, 3) RAS millimetres to (N, 3) scene metres (see module doc)."""
    return (points_mm @ RAS_TO_SCENE.T) * MM_TO_M


def apply_affine(affine: np.ndarray, ijk: np.ndarray) -> np.ndarray:
    """Map (N, 3) voxel coordinates through a (4, 4) affine to (N, 3) world."""
    return ijk @ affine[:3, :3].T + affine[:3, 3]


def signed_volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    """Signed enclosed volume of a triangle mesh (units of vertices cubed).

    Positive when faces wind counter-clockwise seen from outside (normals
    point outward); only meaningful for closed or nearly closed meshes.
    """
    a, b, c = (vertices[faces[:, k]] for k in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def outwardness(vertices: np.ndarray, faces: np.ndarray) -> float:
    """Mean of dot(unit face normal, face centroid - mesh centroid).

    Positive for outward-facing triangles of a roughly convex closed surface;
    a cheap cross-check of ``signed_volume`` that does not need closure.
    """
    tri = vertices[faces]
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    centroids = tri.mean(axis=1)
    return float(np.einsum("ij,ij->i", normals, centroids - vertices.mean(axis=0)).mean())


def orient_outward(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Return faces (M, 3) wound so that the enclosed volume is positive."""
    if signed_volume(vertices, faces) < 0:
        return faces[:, ::-1].copy()
    return faces


def largest_mesh_component(faces: np.ndarray) -> np.ndarray:
    """Keep the faces (M', 3) of the largest edge-connected piece of a mesh.

    Marching cubes on a smoothed field can leave specks and, in principle,
    inner shells; for a clean outer surface only the biggest piece is kept.
    """
    labels = trimesh.graph.connected_component_labels(trimesh.graph.face_adjacency(faces), node_count=len(faces))
    counts = np.bincount(labels)
    return faces[labels == np.argmax(counts)]


def compact_mesh(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop zero-area / repeated-index faces and unreferenced vertices.

    Surviving vertices keep their relative order. (Never applied to the pial
    meshes, whose vertex order must match the source exactly.)
    """
    tri = vertices[faces]
    area2 = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    distinct = (faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 0] != faces[:, 2])
    faces = faces[distinct & (area2 > 1e-12)]
    # Identical triangles (any rotation) make the surface non-manifold.
    _, first = np.unique(np.sort(faces, axis=1), axis=0, return_index=True)
    faces = faces[np.sort(first)]
    used = np.zeros(len(vertices), dtype=bool)
    used[faces.ravel()] = True
    remap = np.cumsum(used) - 1
    return vertices[used], remap[faces]


def decimate(vertices: np.ndarray, faces: np.ndarray, target_faces: int) -> tuple[np.ndarray, np.ndarray]:
    """Quadric-decimate a mesh to about ``target_faces`` triangles.

    vertices (N, 3) float64, faces (M, 3) int; returns the reduced pair in the
    same units. Winding is re-checked afterwards because the simplifier does
    not promise to keep it.
    """
    import fast_simplification

    if len(faces) <= target_faces:
        return vertices, faces
    v, f = fast_simplification.simplify(
        np.ascontiguousarray(vertices, dtype=np.float64),
        np.ascontiguousarray(faces, dtype=np.int64),
        target_count=int(target_faces),
    )
    v, f = compact_mesh(np.asarray(v, dtype=np.float64), np.asarray(f, dtype=np.int64))
    v, f = repair_nonmanifold(v, f)
    return v, orient_outward(v, f)


def edge_use_counts(faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected edges (E, 2) of a mesh and how many faces use each (E,)."""
    edges = np.sort(np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    return np.unique(edges, axis=0, return_counts=True)


def boundary_loops(faces: np.ndarray) -> list[np.ndarray] | None:
    """Trace the boundary of a mesh into closed vertex loops.

    Returns a list of (L,) index arrays, each ordered like the boundary edges
    of its faces, or None when some vertex starts two boundary edges (a
    "bowtie"), where tracing would be ambiguous.
    """
    directed = np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    key = np.sort(directed, axis=1)
    _, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    open_edges = directed[counts[inverse.ravel()] == 1]
    if len(np.unique(open_edges[:, 0])) != len(open_edges):
        return None
    successor = dict(zip(open_edges[:, 0].tolist(), open_edges[:, 1].tolist(), strict=True))
    loops, seen = [], set()
    for start in sorted(successor):
        if start in seen:
            continue
        loop, vert = [], start
        while vert not in seen:
            seen.add(vert)
            loop.append(vert)
            vert = successor.get(vert)
            if vert is None:
                return None
        loops.append(np.array(loop, dtype=np.int64))
    return loops


def repair_nonmanifold(vertices: np.ndarray, faces: np.ndarray, rounds: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Make a decimated mesh a closed 2-manifold again.

    fast-simplification (like the quadric simplifier it derives from) checks
    for flipped faces but not for topology, so on thin folds it occasionally
    leaves a handful of edges shared by 1, 3 or 4 faces. Those few spots are
    cut out (every face touching a bad edge's vertices) and each resulting
    hole is closed with a fan around its centroid. Holes are a few faces
    wide, so the patch is visually invisible. Inputs/outputs: vertices (N, 3)
    float64, faces (M, 3) int64, same units.
    """
    for _ in range(rounds):
        edges, counts = edge_use_counts(faces)
        bad_vertices = np.unique(edges[counts != 2])
        if len(bad_vertices) == 0:
            return vertices, faces
        touches_bad = np.isin(faces, bad_vertices).any(axis=1)
        faces = largest_mesh_component(faces[~touches_bad])
        vertices, faces = compact_mesh(vertices, faces)
        loops = boundary_loops(faces)
        if loops is None:
            # A bowtie survived the cut; the next round widens the cut there.
            continue
        new_vertices, new_faces = [vertices], [faces]
        next_index = len(vertices)
        for loop in loops:
            new_vertices.append(vertices[loop].mean(axis=0, keepdims=True))
            # Boundary edge a->b belongs to an existing face; the patch
            # must run b->a to keep the winding consistent.
            a, b = loop, np.roll(loop, -1)
            new_faces.append(np.column_stack([b, a, np.full(len(loop), next_index)]))
            next_index += 1
        vertices, faces = np.vstack(new_vertices), np.vstack(new_faces)
    edges, counts = edge_use_counts(faces)
    if (counts != 2).any():
        raise AssertionError(f"could not repair {(counts != 2).sum()} non-manifold edges")
    return vertices, faces


# --------------------------------------------------------------------------
# Volume -> surface
# --------------------------------------------------------------------------


def clean_mask(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest 6-connected component of a boolean volume, plus its filled form.

    Returns ``(component, filled)``, both (I, J, K) bool. ``filled`` also
    contains every cavity fully enclosed by the component (e.g. ventricles),
    which would otherwise become hidden inner shells.
    """
    labels, count = ndi.label(mask)
    if count == 0:
        raise ValueError("empty mask")
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    component = labels == np.argmax(sizes)
    return component, ndi.binary_fill_holes(component)


def isosurface_from_probability(
    prob: np.ndarray, affine: np.ndarray, level: float = PROBABILITY_LEVEL
) -> tuple[np.ndarray, np.ndarray]:
    """Closed outer surface of ``prob > level`` for a tissue probability map.

    prob (I, J, K) float in [0, 1]; affine (4, 4) voxel -> RAS mm.
    Returns ``(vertices, faces)`` with vertices (N, 3) float64 RAS mm and
    faces (M, 3) int64 wound outward.

    The continuous probabilities (not the binary mask) are contoured so the
    surface keeps sub-voxel position; the binary mask only decides which
    blob survives and which cavities are filled.
    """
    from skimage.measure import marching_cubes

    component, filled = clean_mask(prob > level)
    # Keep the partial-volume ramp just outside the kept blob, drop the rest.
    near = ndi.binary_dilation(component, iterations=2)
    field = np.where(near, prob, 0.0).astype(np.float32)
    field[filled & ~component] = 1.0
    field = ndi.gaussian_filter(field, VOLUME_SMOOTH_SIGMA_MM, mode="constant")
    # The brainstem reaches the bottom slice; zero padding closes the cut.
    pad = 2
    field = np.pad(field, pad, mode="constant")
    verts_ijk, faces, _, _ = marching_cubes(field, level=level, allow_degenerate=False)
    verts = apply_affine(affine, verts_ijk.astype(np.float64) - pad)
    faces = largest_mesh_component(faces.astype(np.int64))
    verts, faces = compact_mesh(verts, faces)
    return verts, orient_outward(verts, faces)


def head_surface(fif_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Scalp surface, RAS mm: vertices (N, 3) float64, faces (M, 3) int64.

    Why not marching cubes on the MNI T1? The nilearn copy of the ICBM152
    T1 is skull-stripped (non-zero voxels span only the brain, ~145 mm
    wide), so its outer isosurface is a brain envelope, not skin. The
    fsaverage scalp bundled with MNE-Python is a real head surface, already
    in the fsaverage space of the pial meshes. It is coarse (4,062
    triangles), so Loop subdivision refines and smooths it. Loop is an
    approximating scheme: it moves the original vertices inward by 0.6 mm
    median (about 2 mm at the sharpest spots such as the nose tip) and
    shrinks the enclosed volume by 0.3 %, which is far below the 1-2 cm
    of scalp and skull between skin and brain.
    """
    verts, faces = load_mne_head_surface(fif_path)
    verts, faces = trimesh.remesh.subdivide_loop(verts, faces, iterations=HEAD_LOOP_ITERATIONS)
    verts, faces = compact_mesh(np.asarray(verts, np.float64), np.asarray(faces, np.int64))
    return verts, orient_outward(verts, faces)


# --------------------------------------------------------------------------
# Export and checks
# --------------------------------------------------------------------------


def scene_mesh(vertices_mm: np.ndarray, faces: np.ndarray) -> trimesh.Trimesh:
    """Trimesh in scene metres; ``process=False`` keeps vertex order intact."""
    mesh = trimesh.Trimesh(vertices=ras_mm_to_scene(vertices_mm), faces=faces, process=False, validate=False)
    # Touching the property caches smooth area-weighted normals, and trimesh
    # writes cached vertex normals into the glTF NORMAL attribute.
    _ = mesh.vertex_normals
    return mesh


def export_glb(mesh: trimesh.Trimesh, name: str, path: Path) -> None:
    """Write ``mesh`` as a GLB with one node and one mesh, both called ``name``.

    Positions and normals are float32, indices uint32 (trimesh's choice).
    """
    scene = trimesh.Scene()
    scene.add_geometry(mesh, node_name=name, geom_name=name)
    path.write_bytes(trimesh.exchange.gltf.export_glb(scene, include_normals=True))


def reload_glb(path: Path) -> tuple[list[str], trimesh.Trimesh]:
    """Load a GLB without any merging; returns (node names, the single mesh)."""
    scene = trimesh.load(str(path), process=False, force="scene")
    nodes = [n for n in scene.graph.nodes_geometry]
    if len(scene.geometry) != 1:
        raise AssertionError(f"{path.name}: expected 1 geometry, got {len(scene.geometry)}")
    (mesh,) = scene.geometry.values()
    return nodes, mesh


def verify_roundtrip(path: Path, expected: trimesh.Trimesh, name: str) -> None:
    """Reload ``path`` and insist on identical vertex order, faces and node name.

    Positions are compared at float32 precision because that is what the GLB
    stores.
    """
    nodes, got = reload_glb(path)
    if nodes != [name]:
        raise AssertionError(f"{path.name}: node names {nodes}, expected [{name!r}]")
    if got.vertices.shape != expected.vertices.shape or got.faces.shape != expected.faces.shape:
        raise AssertionError(f"{path.name}: shape changed on reload")
    if not np.array_equal(got.faces, expected.faces):
        raise AssertionError(f"{path.name}: faces changed on reload")
    if not np.allclose(got.vertices, expected.vertices.astype(np.float32), rtol=0, atol=1e-7):
        raise AssertionError(f"{path.name}: vertex positions/order changed on reload")


@dataclass
class MeshStats:
    """Summary of one exported mesh; lengths in scene metres."""

    name: str
    vertices: int
    faces: int
    bounds_min: np.ndarray
    bounds_max: np.ndarray
    watertight: bool
    volume_m3: float
    outwardness_m: float
    min_edge_m: float
    genus: int
    bytes: int = 0


def check_mesh(name: str, mesh: trimesh.Trimesh, closed: bool) -> MeshStats:
    """Validate finiteness, degeneracy and orientation; return a summary.

    Raises AssertionError on NaNs, degenerate triangles, or (for closed
    surfaces) inward-facing winding.
    """
    v, f = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    if not np.isfinite(v).all():
        raise AssertionError(f"{name}: non-finite vertices")
    if f.min() < 0 or f.max() >= len(v):
        raise AssertionError(f"{name}: face index out of range")
    tri = v[f]
    area2 = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    if (area2 <= 0).any():
        raise AssertionError(f"{name}: {(area2 <= 0).sum()} degenerate triangles")
    edges = np.linalg.norm(tri - np.roll(tri, 1, axis=1), axis=2)
    vol = signed_volume(v, f)
    out = outwardness(v, f)
    if closed and (vol <= 0 or out <= 0):
        raise AssertionError(f"{name}: faces wind inward (volume {vol}, outwardness {out})")
    _, uses = edge_use_counts(f)
    if closed and (uses != 2).any():
        raise AssertionError(f"{name}: {(uses != 2).sum()} edges not shared by exactly 2 faces")
    return MeshStats(
        name=name,
        vertices=len(v),
        faces=len(f),
        bounds_min=v.min(axis=0),
        bounds_max=v.max(axis=0),
        watertight=bool(mesh.is_watertight),
        volume_m3=vol,
        outwardness_m=out,
        min_edge_m=float(edges.min()),
        # Euler characteristic V - E + F = 2 - 2g for a closed surface.
        genus=int((2 - (len(v) - len(uses) + len(f))) // 2),
    )


def signed_clearance(points: np.ndarray, surface: trimesh.Trimesh) -> np.ndarray:
    """Approximate signed distance (N,) from points (N, 3) to a closed surface.

    Negative = inside. Uses the nearest surface vertex and its normal, which
    is adequate for a dense, smooth surface whose clearance from the points
    is much larger than its edge length (true for pial vs scalp); it avoids
    an rtree/embree dependency.
    """
    tree = cKDTree(surface.vertices)
    dist, idx = tree.query(points)
    side = np.einsum("ij,ij->i", points - surface.vertices[idx], surface.vertex_normals[idx])
    return np.sign(side) * dist


def alignment_report(pial: list[trimesh.Trimesh], grey: trimesh.Trimesh, sulc: np.ndarray) -> dict:
    """Compare the fsaverage pial meshes with the MNI152 grey-matter surface.

    Whole-mesh bounds differ for anatomical reasons (grey_matter includes
    cerebellum and brainstem, the pial surfaces do not), so the main measure
    uses only the cerebral slab above ``ALIGN_SLAB_Y_M`` (RAS z > 10 mm),
    where both meshes are cerebrum alone: the difference of the slab
    bounding-box centres estimates a systematic shift, the ratio of their
    sizes a scale difference. Gyral crowns (sulc < 0, which lie on the outer
    brain envelope) are also measured against their nearest grey_matter
    vertex (this distance includes the ~2 mm vertex spacing of the
    decimated mesh). Lengths in metres; sulc (N,) is left+right concatenated.
    """
    verts = np.vstack([m.vertices for m in pial])
    slab_p = verts[verts[:, 1] > ALIGN_SLAB_Y_M]
    slab_g = grey.vertices[grey.vertices[:, 1] > ALIGN_SLAB_Y_M]
    lo_p, hi_p = slab_p.min(axis=0), slab_p.max(axis=0)
    lo_g, hi_g = slab_g.min(axis=0), slab_g.max(axis=0)
    # Y has no lower bound inside the slab (it is cut), so use its top only.
    centre_shift = (lo_g + hi_g) / 2 - (lo_p + hi_p) / 2
    centre_shift[1] = hi_g[1] - hi_p[1]
    dist, idx = cKDTree(grey.vertices).query(verts[sulc < 0])
    return {
        "pial_min": verts.min(axis=0),
        "pial_max": verts.max(axis=0),
        "grey_min": grey.vertices.min(axis=0),
        "grey_max": grey.vertices.max(axis=0),
        "slab_pial": (lo_p, hi_p),
        "slab_grey": (lo_g, hi_g),
        "slab_shift": centre_shift,
        "slab_scale": (hi_g - lo_g)[[0, 2]] / (hi_p - lo_p)[[0, 2]],
        "crown_dist_median": float(np.median(dist)),
        "crown_dist_p95": float(np.percentile(dist, 95)),
    }


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------

README_TEMPLATE = """\
# Brain and head meshes

Generated by `tools/build_assets.py`; do not edit by hand. Rebuild with

    python tools/build_assets.py --out assets/brain

(deterministic: same inputs, byte-identical outputs).

## Coordinate convention

Every mesh is in Prosector's scene space: **metres, Y up, right-handed
(glTF)**. From RAS millimetres (x = patient Right, y = Anterior,
z = Superior): `X = -x/1000` (+X is the patient's left), `Y = z/1000`,
`Z = y/1000` (the face looks toward +Z). The map has determinant +1, and
all closed meshes are checked to wind counter-clockwise seen from outside
(outward normals). Every GLB holds one node and one mesh with the same name,
float32 positions, float32 smooth vertex normals and uint32 indices.

## Files

{table}

"closed" means every edge is shared by exactly two triangles. The genus of
white_matter and grey_matter is above zero because the 1 mm template
leaves a few thin tunnels (e.g. where the two hemispheres touch across the
interhemispheric fissure); they are small and lie deep in fissures, so
they barely show from outside. The quadric simplifier leaves a handful of non-manifold
edges on these two meshes; the script cuts those few spots out and closes
each hole with a small triangle fan (`repair_nonmanifold`).

### How each file was made

* **pial_left / pial_right** -- FreeSurfer `fsaverage5` pial surfaces
  (`nilearn/datasets/data/fsaverage5/pial_{{left,right}}.gii.gz`), full
  resolution, no decimation. Vertex order is exactly the GIfTI order (written
  with trimesh `process=False` and re-checked after reloading), so per-vertex
  data from fsaverage5 (e.g. `fsaverage5_sulc.npz`) indexes them directly.
* **fsaverage5_sulc.npz** -- arrays `left`, `right`: float32 (10242,),
  FreeSurfer sulcal depth from `sulc_{{left,right}}.gii.gz`; positive = deep
  in a sulcus, negative = gyral crown (checked: correlation with the
  vertices' outward height above a heavily smoothed copy of the surface is
  {sulc_corr:+.2f}).
* **white_matter** -- MNI ICBM152 2009a nonlinear symmetric white-matter
  probability map (`mni_icbm152_wm_tal_nlin_sym_09a_converted.nii.gz`,
  uint8 scaled to 0..1). Largest connected component of p > 0.5, enclosed
  cavities filled, probabilities Gaussian-smoothed (sigma {sigma} mm),
  marching cubes at 0.5, largest surface piece kept, quadric-decimated to
  ~{wm_target:,} triangles (fast-simplification).
* **grey_matter** -- outer brain surface: same recipe on GM + WM
  probability (`..._gm_...` + `..._wm_...`), which fills the ventricles
  and keeps cerebellum and brainstem (cut flat where the template ends,
  at RAS z = -72 mm). Decimated to ~{gm_target:,} triangles.
* **head_skin** -- scalp of the FreeSurfer `fsaverage` subject, from
  `mne/data/fsaverage/fsaverage-head.fif` shipped with MNE-Python
  (4,062 triangles), Loop-subdivided {loops}x to smooth it (this moves the
  original vertices by 0.6 mm median, ~2 mm at the nose tip). It is *not* from
  the MNI T1 template: the copy of that template shipped with nilearn is
  skull-stripped and has no skin. Being an fsaverage surface it shares the
  pial meshes' space exactly. The surface includes the upper neck.

## Alignment

The pial surfaces and the scalp are in fsaverage (MNI305-based) space; the
grey- and white-matter surfaces are in MNI ICBM152 2009a space. These are
close but not identical; the grey_matter surface is also a template
average, so it follows gyri only loosely and sits a few millimetres outside
the pial crowns. No shift has been applied: the measured offset is a
uniform ~4 % size difference plus a 2-3 mm difference at the vertex, well
under 1 cm, not a misalignment. Measured at build time (vectors are scene
axes X, Y, Z in millimetres):

{alignment}

## Sources and licences

* **MNI ICBM152 2009a nonlinear symmetric template** (tissue probability
  maps, as redistributed in the nilearn wheel).
  Copyright (C) 1993-2009 Louis Collins, McConnell Brain Imaging Centre,
  Montreal Neurological Institute, McGill University. Permission to use,
  copy, modify, and distribute this software and its documentation for any
  purpose and without fee is hereby granted, provided that the above
  copyright notice appear in all copies. The authors and McGill University
  make no representations about the suitability of this software for any
  purpose. It is provided "as is" without express or implied warranty. The
  authors are not responsible for any data loss, equipment damage, property
  loss, or injury to subjects or patients resulting from the use or misuse
  of this software package.
* **FreeSurfer fsaverage / fsaverage5** (pial surfaces and sulcal depth
  redistributed by nilearn; scalp surface redistributed by MNE-Python).
  Part of FreeSurfer, (C) The General Hospital Corporation (Martinos Center
  for Biomedical Imaging), distributed under the FreeSurfer Software License
  (https://surfer.nmr.mgh.harvard.edu/fswiki/FreeSurferSoftwareLicense).
* Data package versions used for this build: {versions}.
* Tools used to read the data: nilearn and MNE-Python (BSD-3-Clause),
  nibabel (MIT), scikit-image (BSD-3-Clause), trimesh (MIT),
  fast-simplification (MIT).
"""


def format_table(stats: list[MeshStats], extra: list[tuple[str, int, str]]) -> str:
    """Markdown table of files, sizes, counts and bounds (metres)."""
    rows = [
        "| file | bytes | vertices | triangles | bounds min (m) | bounds max (m) | closed | genus |",
        "| --- | ---: | ---: | ---: | --- | --- | --- | ---: |",
    ]
    fmt = lambda a: "(" + ", ".join(f"{x:+.4f}" for x in a) + ")"  # noqa: E731
    for s in stats:
        rows.append(
            f"| {s.name}.glb | {s.bytes:,} | {s.vertices:,} | {s.faces:,} | "
            f"{fmt(s.bounds_min)} | {fmt(s.bounds_max)} | "
            f"{'yes' if s.watertight else 'no'} | {s.genus} |"
        )
    for fname, size, note in extra:
        rows.append(f"| {fname} | {size:,} | {note} | | | | | |")
    return "\n".join(rows)


def format_alignment(al: dict, inside: dict) -> str:
    """Markdown bullet list of the alignment and containment measurements."""
    mm = lambda a: "(" + ", ".join(f"{1000 * x:+.1f}" for x in a) + ") mm"  # noqa: E731
    lines = [
        f"* pial (both hemispheres) bounds: min {mm(al['pial_min'])}, max {mm(al['pial_max'])}",
        f"* grey_matter bounds: min {mm(al['grey_min'])}, max {mm(al['grey_max'])}",
        f"* grey minus pial, min corner: {mm(al['grey_min'] - al['pial_min'])}; "
        f"max corner: {mm(al['grey_max'] - al['pial_max'])} "
        "(min Y and min Z differ mostly because grey_matter includes "
        "brainstem and cerebellum)",
        f"* cerebral slab above RAS z = +10 mm, pial bounds {mm(al['slab_pial'][0])} .. "
        f"{mm(al['slab_pial'][1])}; grey_matter {mm(al['slab_grey'][0])} .. "
        f"{mm(al['slab_grey'][1])}",
        f"* slab centre shift grey minus pial (Y: top of slab): {mm(al['slab_shift'])}; "
        f"size ratio grey/pial in X {al['slab_scale'][0]:.3f}, Z {al['slab_scale'][1]:.3f}",
        f"* gyral crowns (sulc < 0) to nearest grey_matter vertex: median "
        f"{1000 * al['crown_dist_median']:.1f} mm, 95th percentile "
        f"{1000 * al['crown_dist_p95']:.1f} mm",
    ]
    for name, (lo, hi) in inside.items():
        lines.append(
            f"* {name} vs head_skin signed clearance: all vertices inside = "
            f"{hi < 0}, closest {-1000 * hi:.1f} mm, farthest {-1000 * lo:.1f} mm"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def build(out: Path) -> None:
    """Build every asset into ``out`` and print a summary."""
    out.mkdir(parents=True, exist_ok=True)
    nl = nilearn_data_dir()
    fs5 = nl / "fsaverage5"
    stats: list[MeshStats] = []
    meshes: dict[str, trimesh.Trimesh] = {}
    timings: dict[str, float] = {}

    def finish(name: str, verts_mm: np.ndarray, faces: np.ndarray) -> None:
        t = time.perf_counter()
        mesh = scene_mesh(verts_mm, faces)
        path = out / f"{name}.glb"
        export_glb(mesh, name, path)
        verify_roundtrip(path, mesh, name)
        # Validate what ships: float32 rounding could in principle flatten
        # a marching-cubes sliver into a zero-area triangle.
        s = check_mesh(name, reload_glb(path)[1], closed=True)
        s.bytes = path.stat().st_size
        stats.append(s)
        meshes[name] = mesh
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t

    # Pial surfaces: untouched topology and order; the sulc arrays rely on it.
    sulc = {}
    for hemi in ("left", "right"):
        t = time.perf_counter()
        v, f = load_gifti_surface(fs5 / f"pial_{hemi}.gii.gz")
        sulc[hemi] = load_gifti_scalar(fs5 / f"sulc_{hemi}.gii.gz")
        if len(sulc[hemi]) != len(v):
            raise AssertionError(f"sulc_{hemi} has {len(sulc[hemi])} values for {len(v)} vertices")
        if signed_volume(v, f) <= 0:
            raise AssertionError(f"pial_{hemi}: source winding is inward")
        timings[f"pial_{hemi}"] = time.perf_counter() - t
        finish(f"pial_{hemi}", v, f)

    sulc_path = out / "fsaverage5_sulc.npz"
    # np.savez (not _compressed) with fixed content is byte-reproducible.
    np.savez(sulc_path, left=sulc["left"], right=sulc["right"])
    sulc_corr = sulc_depth_sanity(meshes["pial_left"], sulc["left"])

    t = time.perf_counter()
    wm, affine = load_probability_map(nl / "mni_icbm152_wm_tal_nlin_sym_09a_converted.nii.gz")
    gm, affine_gm = load_probability_map(nl / "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz")
    if not np.allclose(affine, affine_gm):
        raise AssertionError("GM and WM maps are on different grids")
    v, f = isosurface_from_probability(wm, affine)
    v, f = decimate(v, f, WHITE_MATTER_FACES)
    timings["white_matter"] = time.perf_counter() - t
    finish("white_matter", v, f)

    t = time.perf_counter()
    v, f = isosurface_from_probability(np.clip(gm + wm, 0.0, 1.0), affine)
    v, f = decimate(v, f, GREY_MATTER_FACES)
    timings["grey_matter"] = time.perf_counter() - t
    finish("grey_matter", v, f)

    t = time.perf_counter()
    v, f = head_surface(mne_fsaverage_dir() / "fsaverage-head.fif")
    timings["head_skin"] = time.perf_counter() - t
    finish("head_skin", v, f)

    # Containment: every pial vertex must be under the scalp.
    inside = {}
    for hemi in ("pial_left", "pial_right", "grey_matter", "white_matter"):
        d = signed_clearance(meshes[hemi].vertices, meshes["head_skin"])
        inside[hemi] = (float(d.min()), float(d.max()))
    al = alignment_report(
        [meshes["pial_left"], meshes["pial_right"]],
        meshes["grey_matter"],
        np.concatenate([sulc["left"], sulc["right"]]),
    )

    extra = [("fsaverage5_sulc.npz", sulc_path.stat().st_size, "2 x 10,242 float32")]
    order = ["pial_left", "pial_right", "head_skin", "white_matter", "grey_matter"]
    stats.sort(key=lambda s: order.index(s.name))
    readme = README_TEMPLATE.format(
        table=format_table(stats, extra),
        alignment=format_alignment(al, inside),
        sulc_corr=sulc_corr,
        sigma=VOLUME_SMOOTH_SIGMA_MM,
        wm_target=WHITE_MATTER_FACES,
        gm_target=GREY_MATTER_FACES,
        loops=HEAD_LOOP_ITERATIONS,
        versions=package_versions(),
    )
    (out / "README.md").write_text(readme)

    print(format_table(stats, extra))
    print()
    print(format_alignment(al, inside))
    print()
    for s in stats:
        print(
            f"{s.name:13s} watertight={s.watertight} volume={s.volume_m3 * 1e6:8.1f} cm^3 "
            f"genus={s.genus} outwardness={s.outwardness_m * 1000:+.1f} mm "
            f"min_edge={s.min_edge_m * 1000:.4f} mm "
            f"time={timings[s.name]:.1f}s"
        )
    print(f"sulc sign check (corr with outward height, expect < 0): {sulc_corr:+.3f}")


def package_versions() -> str:
    """Comma-separated versions of the packages whose bundled data were used."""
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in ("nilearn", "mne"))


def sulc_depth_sanity(mesh: trimesh.Trimesh, sulc: np.ndarray) -> float:
    """Correlation (scalar) of sulc with each vertex's outward height.

    Height is measured along the normal of a heavily Laplacian-smoothed copy
    of the surface; crowns stick out (positive height), fundi sink in. With
    FreeSurfer's convention (positive sulc = deep) the correlation must be
    strongly negative; the build aborts otherwise rather than silently
    shipping an inverted depth map.
    """
    import scipy.sparse as sp

    v = np.asarray(mesh.vertices)
    e = mesh.edges_unique
    n = len(v)
    adj = sp.coo_matrix((np.ones(2 * len(e)), (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n)).tocsr()
    step = sp.diags(1.0 / np.asarray(adj.sum(axis=1)).ravel()) @ adj
    smooth = v.copy()
    for _ in range(100):
        smooth = step @ smooth
    ref = trimesh.Trimesh(smooth, mesh.faces, process=False)
    height = np.einsum("ij,ij->i", v - smooth, ref.vertex_normals)
    corr = float(np.corrcoef(sulc, height)[0, 1])
    if corr > -0.5:
        raise AssertionError(f"sulc does not look like 'positive = deep' (corr {corr:+.2f})")
    return corr


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    build(args.out)
    print(f"total {time.perf_counter() - t:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
