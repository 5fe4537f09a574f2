"""Ground truth from Mitsuba 3 (`scalar_rgb`, which works without LLVM) for Prosector's data views.

AO: Mitsuba has no AO integrator; the cosine-weighted unoccluded fraction is what its `path`
integrator returns with max_depth = 2 under a constant white environment on white diffuse surfaces
(one bounce, radiance 1 escaping to the sky). Key-light visibility: Mitsuba's own ray queries,
from the first hit of each camera ray toward uniform samples of the light's disc. Both average over
the pixel's area, as a box-filtered offline render does.

The surfaces seen are the scene's visible opaque parts, in world space with their smooth normals,
through the same pinhole camera (Prosector's data views show the opaque surface behind translucent
layers). Visible translucent parts occlude as Prosector traces them: a ray keeps (1 - opacity) per
translucent surface it crosses. Shadows apply that in the ray loop; for AO, Mitsuba's path
integrator gives the opaque-only answer E[V] and a per-pixel factor E[V T] / E[V] measured with
Mitsuba's own ray queries (cosine-weighted directions from the first opaque hit) scales it; the
factor is exact wherever every unblocked direction crosses the same translucent surfaces (a skin
around a brain: 1 - opacity everywhere), and a small-sample estimate elsewhere.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from renderer import maths
from renderer.scene.load import LoadedScene
from renderer.scene.model import Camera

_VARIANT = "scalar_rgb"


def _mitsuba():
    import mitsuba as mi

    if mi.variant() != _VARIANT:
        mi.set_variant(_VARIANT)
    return mi


def occluding_parts(loaded: LoadedScene) -> list[str]:
    """The opaque visible parts: the surfaces the camera sees and that block rays outright."""
    return [pid for pid, p in loaded.scene.parts.items() if p.visible and p.opacity >= 0.999]


def translucent_parts(loaded: LoadedScene) -> dict[str, float]:
    """Visible translucent parts by id, with their opacity: they pass (1 - opacity) of a ray."""
    return {pid: p.opacity for pid, p in loaded.scene.parts.items() if p.visible and 0.0 < p.opacity < 0.999}


def write_world_meshes(loaded: LoadedScene, folder: Path, parts: list[str] | None = None) -> list[Path]:
    """PLY files (world metres, smooth vertex normals) of `parts` (default: the opaque occluders)."""
    import trimesh

    from renderer.gpu.scene import model_matrix

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for part_id in occluding_parts(loaded) if parts is None else parts:
        mesh = loaded.meshes[part_id]
        matrix = model_matrix(loaded.scene.parts[part_id])
        positions = maths.transform_points(matrix, mesh.positions.astype(np.float64))
        normals = mesh.normals.astype(np.float64) @ maths.normal_matrix(matrix).T
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
        world = trimesh.Trimesh(positions, mesh.indices.reshape(-1, 3), vertex_normals=normals, process=False)
        path = folder / f"{part_id}.ply"
        path.write_bytes(trimesh.exchange.ply.export_ply(world, encoding="binary", vertex_normal=True))
        paths.append(path)
    return paths


def mitsuba_scene(mesh_paths: list[Path], camera: Camera, width: int, height: int, spp: int):
    mi = _mitsuba()
    white = {"type": "diffuse", "reflectance": {"type": "rgb", "value": [1.0, 1.0, 1.0]}}
    description = {
        "type": "scene",
        "integrator": {"type": "path", "max_depth": 2},
        "sensor": {
            "type": "perspective",
            "fov": float(camera.vertical_fov_deg),
            "fov_axis": "y",
            "near_clip": 1e-4,
            "to_world": mi.ScalarTransform4f().look_at(origin=list(camera.eye_m), target=list(camera.target_m),
                                                       up=list(camera.up)),  # fmt: skip
            "film": {"type": "hdrfilm", "width": width, "height": height, "rfilter": {"type": "box"},
                     "pixel_format": "rgb"},  # fmt: skip
            "sampler": {"type": "multijitter", "sample_count": spp},
        },
        "sky": {"type": "constant", "radiance": {"type": "rgb", "value": [1.0, 1.0, 1.0]}},
    }
    for i, path in enumerate(mesh_paths):
        description[f"part{i}"] = {"type": "ply", "filename": str(path), "bsdf": white, "face_normals": False}
    return mi.load_dict(description)


def reference_ao(mesh_paths: list[Path], camera: Camera, width: int, height: int, spp: int = 1024) -> np.ndarray:
    """(H, W) float32: cosine-weighted unoccluded fraction, top row first (1 where no geometry)."""
    mi = _mitsuba()
    scene = mitsuba_scene(mesh_paths, camera, width, height, spp)
    image = np.asarray(mi.render(scene, seed=7), dtype=np.float32)
    return image[:, :, 0]


class TranslucentLayers:
    """Translucent meshes (PLY path -> opacity) as a Mitsuba scene of their own, for transmittance."""

    def __init__(self, layers: dict[Path, float] | None):
        mi = _mitsuba()
        self.opacity: dict[str, float] = {}
        self.scene = None
        if layers:
            description: dict = {"type": "scene"}
            for i, (path, opacity) in enumerate(layers.items()):
                description[f"layer{i}"] = {"type": "ply", "filename": str(path), "id": f"layer{i}"}
                self.opacity[f"layer{i}"] = float(opacity)
            self.scene = mi.load_dict(description)

    def transmittance(self, ray) -> float:
        """Product of (1 - opacity) over every translucent surface the ray crosses (1 with none)."""
        if self.scene is None:
            return 1.0
        value = 1.0
        for _ in range(64):
            hit = self.scene.ray_intersect(ray)
            if not hit.is_valid():
                break
            value *= 1.0 - self.opacity[hit.shape.id()]
            ray = hit.spawn_ray(ray.d)
        return value


def reference_shadow(mesh_paths: list[Path], camera: Camera, width: int, height: int, key_direction,
                     angular_diameter_deg: float, samples: int = 16,
                     translucent: dict[Path, float] | None = None) -> np.ndarray:  # fmt: skip
    """(H, W) float32: fraction of the key light's disc visible (1 where no geometry), top row first.

    Per pixel, `samples` stratified positions each pair with one uniform direction in the light's
    cone; directions below the surface (geometric or shading normal) count as blocked. Translucent
    layers (PLY path -> opacity) pass (1 - opacity) per crossing.
    """
    mi = _mitsuba()
    scene = mitsuba_scene(mesh_paths, camera, width, height, 1)
    layers = TranslucentLayers(translucent)
    sensor = scene.sensors()[0]
    axis = np.asarray(key_direction, dtype=np.float64)
    axis /= np.linalg.norm(axis)
    helper = np.array([0.0, 0.0, 1.0]) if abs(axis[2]) < 0.999 else np.array([1.0, 0.0, 0.0])
    t = np.cross(helper, axis)
    t /= np.linalg.norm(t)
    b = np.cross(axis, t)
    cos_max = math.cos(math.radians(max(angular_diameter_deg, 1e-3)) / 2)
    side = max(1, int(round(math.sqrt(samples))))
    rng = np.random.default_rng(11)
    out = np.ones((height, width), dtype=np.float32)
    for y in range(height):
        for x in range(width):
            total = 0.0
            for hit, ng, ns in _camera_hits(mi, scene, sensor, x, y, width, height, side, rng):
                if hit is None:
                    total += 1.0
                    continue
                u1, u2 = rng.random(), rng.random()
                cos_t = 1.0 - u1 * (1.0 - cos_max)
                sin_t = math.sqrt(max(0.0, 1.0 - cos_t * cos_t))
                d = t * sin_t * math.cos(2 * math.pi * u2) + b * sin_t * math.sin(2 * math.pi * u2) + axis * cos_t
                if np.dot(d, ng) <= 0.0 or np.dot(d, ns) <= 0.0:
                    continue
                shadow_ray = hit.spawn_ray(mi.ScalarVector3f(d))
                if not scene.ray_test(shadow_ray):
                    total += layers.transmittance(shadow_ray)
            out[y, x] = total / (side * side)
    return out


def translucency_factor(mesh_paths: list[Path], translucent: dict[Path, float], camera: Camera, width: int,
                        height: int, samples: int = 16) -> np.ndarray:  # fmt: skip
    """(H, W) float32 E[V T] / E[V] per pixel, top row first: how much translucent layers dim the
    unblocked part of the cosine-weighted hemisphere (1 where nothing is seen or nothing is open).
    Multiplies `reference_ao` of the opaque parts into the AO with translucent occluders."""
    mi = _mitsuba()
    scene = mitsuba_scene(mesh_paths, camera, width, height, 1)
    layers = TranslucentLayers(translucent)
    sensor = scene.sensors()[0]
    side = max(1, int(round(math.sqrt(samples))))
    rng = np.random.default_rng(13)
    out = np.ones((height, width), dtype=np.float32)
    for y in range(height):
        for x in range(width):
            open_sum, passed_sum = 0.0, 0.0
            for hit, ng, ns in _camera_hits(mi, scene, sensor, x, y, width, height, side, rng):
                if hit is None:
                    continue
                d = _cosine_direction(ns, rng.random(), rng.random())
                if np.dot(d, ng) <= 0.0:
                    continue
                probe = hit.spawn_ray(mi.ScalarVector3f(d))
                if scene.ray_test(probe):
                    continue
                open_sum += 1.0
                passed_sum += layers.transmittance(probe)
            if open_sum > 0.0:
                out[y, x] = passed_sum / open_sum
    return out


def _camera_hits(mi, scene, sensor, x: int, y: int, width: int, height: int, side: int, rng):
    """For pixel (x, y), side x side stratified camera rays: yields (hit, geometric normal, shading
    normal) per ray, both normals turned to face the eye, or (None, None, None) where nothing is hit.
    Draws two numbers from `rng` per ray, before the caller draws its own."""
    for k in range(side * side):
        jx, jy = (k % side + rng.random()) / side, (k // side + rng.random()) / side
        ray, _ = sensor.sample_ray(0.0, 0.5, mi.ScalarPoint2f((x + jx) / width, (y + jy) / height),
                                   mi.ScalarPoint2f(0.5, 0.5))  # fmt: skip
        hit = scene.ray_intersect(ray)
        if not hit.is_valid():
            yield None, None, None
            continue
        ng, ns = np.array(hit.n), np.array(hit.sh_frame.n)
        if np.dot(ng, -np.array(ray.d)) < 0.0:  # seen from the back
            ng, ns = -ng, -ns
        yield hit, ng, ns


def _cosine_direction(normal: np.ndarray, u1: float, u2: float) -> np.ndarray:
    """A cosine-weighted unit direction about `normal` (3,)."""
    helper = np.array([0.0, 0.0, 1.0]) if abs(normal[2]) < 0.999 else np.array([1.0, 0.0, 0.0])
    t = np.cross(helper, normal)
    t /= np.linalg.norm(t)
    b = np.cross(normal, t)
    r, phi = math.sqrt(u1), 2.0 * math.pi * u2
    return t * r * math.cos(phi) + b * r * math.sin(phi) + normal * math.sqrt(max(0.0, 1.0 - u1))
