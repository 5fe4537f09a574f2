"""The ray-traced scene: world-space triangles of the parts that occlude, a BVH over them, and their
GPU storage buffers, kept in step with a GpuScene.

Which parts occlude: every visible part (opacity > 0) except interaction overlays. Opaque parts stop
a ray; translucent ones pass (1 - opacity) of it per surface, so a 20 % skin dims what it encloses
by a fifth instead of blacking it out; alpha-masked parts let rays through their holes (per-triangle
texture coordinates beside the triangles, masks sampled from the scene's atlas). Per-part opacity,
mask and cap flags live in a small table, so a lesson step that fades a part rebuilds nothing.

The BVH is rebuilt when the set of parts, their meshes or their transforms change, and refitted
(boxes only, topology kept) when a deformer moves vertices (`update_part_vertices`).
"""

from __future__ import annotations

import numpy as np

from renderer import maths
from renderer.gl.compute import bind_storage_buffer
from renderer.gl.resources import Buffer, ResourceRegistry
from renderer.gl.shader_interface import MAX_CLIP_PLANES, MAX_CUT_BOXES, SECTION_STRIDE, STORAGE_BINDINGS
from renderer.gpu.scene import GpuPart, GpuScene
from renderer.raytrace.bvh import Bvh, build_bvh

OPAQUE = 0.999  # opacity from which a part blocks rays outright (GpuPart.translucent agrees)


def section_table(parts: list[GpuPart]) -> np.ndarray:
    """(P * SECTION_STRIDE, 4) float32: per part (plane count, box count, 0, 0), MAX_CLIP_PLANES planes
    (n, d), MAX_CUT_BOXES boxes (min, max)."""
    table = np.zeros((max(len(parts), 1) * SECTION_STRIDE, 4), dtype=np.float32)
    for index, part in enumerate(parts):
        base = index * SECTION_STRIDE
        planes = np.asarray(part.clip_planes, dtype=np.float32).reshape(-1, 4)[:MAX_CLIP_PLANES]
        boxes = np.asarray(part.cut_boxes, dtype=np.float32).reshape(-1, 2, 3)[:MAX_CUT_BOXES]
        table[base, :2] = (len(planes), len(boxes))
        table[base + 1:base + 1 + len(planes)] = planes
        for k, (lo, hi) in enumerate(boxes):
            corner = base + 1 + MAX_CLIP_PLANES + 2 * k
            table[corner, :3], table[corner + 1, :3] = lo, hi
    return table


def part_table(parts: list[GpuPart]) -> np.ndarray:
    """(P * 2, 4) float32 per part: mask rectangle (x, y, w, h texels); (mask page, cutoff or -1,
    transmittance 1 - opacity (0 when opaque), 1 when cappable)."""
    table = np.zeros((max(len(parts), 1) * 2, 4), dtype=np.float32)
    table[1::2, 1] = -1.0
    for index, part in enumerate(parts):
        row = table[2 * index + 1]
        if part.mask is not None:
            table[2 * index] = part.mask.rect
            row[0], row[1] = part.mask.layer, part.mask.cutoff
        row[2] = 0.0 if part.opacity >= OPAQUE else 1.0 - part.opacity
        row[3] = float(part.cappable)
    return table


def triangle_uvs(part: GpuPart) -> np.ndarray:
    """(T, 6) float32 texture coordinates of each triangle's corners (zeros for a mesh without them)."""
    source = part.mesh.source
    if source.uvs is None or part.mask is None:
        return np.zeros((source.triangle_count, 6), dtype=np.float32)
    return np.asarray(source.uvs, dtype=np.float32)[source.indices.reshape(-1, 3)].reshape(-1, 6)


def world_triangles(part: GpuPart, positions: np.ndarray | None = None) -> np.ndarray:
    """(T, 3, 3) float32 world-space vertices of `part` (model positions (N, 3) may be overridden)."""
    source = part.mesh.source
    points = source.positions if positions is None else positions
    world = maths.transform_points(part.model_matrix, np.asarray(points, dtype=np.float64))
    return world.astype(np.float32)[source.indices.reshape(-1, 3)]


def pack_triangles(triangles: np.ndarray, part_index: np.ndarray) -> np.ndarray:
    """(T, 12) float32 rows: v0.xyz, part index (int bits), edge1.xyz, 0, edge2.xyz, 0."""
    out = np.zeros((len(triangles), 12), dtype=np.float32)
    out[:, 0:3] = triangles[:, 0]
    out[:, 4:7] = triangles[:, 1] - triangles[:, 0]
    out[:, 8:11] = triangles[:, 2] - triangles[:, 0]
    out.view(np.int32)[:, 3] = part_index
    return out


class RayScene:
    """BVH + triangle buffers for the occluding parts of a GpuScene; `sync()` once per frame."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self.bvh: Bvh | None = None
        self.part_ids: list[str] = []
        self.diameter_m = 1.0
        self._key: tuple | None = None
        self._triangles: np.ndarray | None = None  # (T, 3, 3) world, input order
        self._ranges: dict[str, tuple[int, int]] = {}
        self._versions: dict[str, int] = {}  # part id -> GpuMesh.vertex_version the BVH reflects
        self._node_buffer: Buffer | None = None
        self._triangle_buffer: Buffer | None = None
        self.builds = 0
        self.refits = 0
        self.sections = np.zeros((SECTION_STRIDE, 4), dtype=np.float32)
        self.section_version = 0  # bumped when any part's clip planes or cut boxes change
        self._section_buffer: Buffer | None = None
        self.parts_table = np.zeros((2, 4), dtype=np.float32)
        self.table_version = 0  # bumped when any part's opacity, mask or cap flag changes
        self._parts_buffer: Buffer | None = None
        self._uvs: np.ndarray | None = None  # (T, 6) input order, only when some part is masked
        self._uv_buffer: Buffer | None = None
        self._atlas = None  # the GpuScene's MaskAtlas
        self.any_masks = False
        self.any_translucent = False

    @staticmethod
    def occluders(scene: GpuScene) -> list[GpuPart]:
        """The traced parts: visible ones (opaque, translucent or masked), not interaction overlays."""
        return [p for p in scene.visible_parts() if not p.overlay]

    def sync(self, scene: GpuScene) -> bool:
        """Rebuild if the occluding parts changed; returns True when there is anything to trace."""
        parts = self.occluders(scene)
        self._atlas = scene.masks
        key = tuple((p.part_id, id(p.mesh.source), p.model_matrix.tobytes(), p.mask is not None) for p in parts)
        if key != self._key:
            self._key = key
            self._build(parts)
        self._refit_deformed(parts)
        self._sync_sections(parts)
        self._sync_parts(parts)
        return self.bvh is not None

    def _sync_parts(self, parts: list[GpuPart]) -> None:
        table = part_table(parts)
        self.any_masks = any(p.mask is not None for p in parts)
        self.any_translucent = any(p.opacity < OPAQUE for p in parts)
        unchanged = table.shape == self.parts_table.shape and np.array_equal(table, self.parts_table)
        if self._parts_buffer is not None and unchanged:
            return
        self.parts_table = table
        self.table_version += 1
        if self._parts_buffer is not None and self._parts_buffer.size == table.nbytes:
            self._parts_buffer.write(table)
        else:
            if self._parts_buffer is not None:
                self._parts_buffer.release()
            self._parts_buffer = Buffer(self.registry, table, dynamic=True)

    @property
    def any_sections(self) -> bool:
        return bool(self.sections[::SECTION_STRIDE, :2].any())

    def _sync_sections(self, parts: list[GpuPart]) -> None:
        table = section_table(parts)
        unchanged = table.shape == self.sections.shape and np.array_equal(table, self.sections)
        if self._section_buffer is not None and unchanged:
            return
        self.sections = table
        self.section_version += 1
        if self._section_buffer is not None and self._section_buffer.size == table.nbytes:
            self._section_buffer.write(table)
        else:
            if self._section_buffer is not None:
                self._section_buffer.release()
            self._section_buffer = Buffer(self.registry, table, dynamic=True)

    def _refit_deformed(self, parts: list[GpuPart]) -> None:
        """Refit (not rebuild) once for every part whose deformer moved its vertices since last frame."""
        moved = [p for p in parts if p.mesh.deformed_positions is not None
                 and self._versions.get(p.part_id) != p.mesh.vertex_version]  # fmt: skip
        if not moved or self.bvh is None or self._triangles is None:
            return
        for part in moved:
            self._versions[part.part_id] = part.mesh.vertex_version
            self._replace_triangles(part, part.mesh.deformed_positions)
        self.bvh.refit(self._triangles)
        self.refits += 1
        self._upload()

    def update_part_vertices(self, part: GpuPart, positions: np.ndarray) -> None:
        """Refit after a deformer moved `part`'s vertices: positions (N, 3) model space, metres."""
        if part.part_id not in self._ranges or self._triangles is None or self.bvh is None:
            return
        self._replace_triangles(part, positions)
        self.bvh.refit(self._triangles)
        self.refits += 1
        self._upload()

    def _replace_triangles(self, part: GpuPart, positions: np.ndarray) -> None:
        if part.part_id in self._ranges:
            first, last = self._ranges[part.part_id]
            self._triangles[first:last] = world_triangles(part, positions)

    def _build(self, parts: list[GpuPart]) -> None:
        self._release_buffers()
        self.bvh, self._triangles, self._ranges, self.part_ids = None, None, {}, [p.part_id for p in parts]
        self._versions = {}
        pieces, owners, uvs, first = [], [], [], 0
        masked = any(p.mask is not None for p in parts)
        for index, part in enumerate(parts):
            triangles = world_triangles(part)
            pieces.append(triangles)
            if masked:
                uvs.append(triangle_uvs(part))
            owners.append(np.full(len(triangles), index, dtype=np.int32))
            self._ranges[part.part_id] = (first, first + len(triangles))
            first += len(triangles)
        if not first:
            return
        self._triangles = np.concatenate(pieces)
        self._owners = np.concatenate(owners)
        self._uvs = np.concatenate(uvs) if masked else None
        lo, hi = self._triangles.min(axis=(0, 1)), self._triangles.max(axis=(0, 1))
        self.diameter_m = float(np.linalg.norm(hi - lo)) or 1.0
        self.bvh = build_bvh(self._triangles)
        self.builds += 1
        self._upload()

    def _upload(self) -> None:
        assert self.bvh is not None and self._triangles is not None
        nodes = self.bvh.packed_nodes()
        order = self.bvh.order
        triangles = pack_triangles(self._triangles[order], self._owners[order])
        if self._node_buffer is None or self._node_buffer.size != nodes.nbytes:
            self._release_buffers()
            self._node_buffer = Buffer(self.registry, nodes, dynamic=True)
            self._triangle_buffer = Buffer(self.registry, triangles, dynamic=True)
            # Texture coordinates never move with deformation: uploaded with the topology only.
            uvs = self._uvs[order] if self._uvs is not None else np.zeros((1, 6), dtype=np.float32)
            self._uv_buffer = Buffer(self.registry, np.ascontiguousarray(uvs, dtype=np.float32))
        else:
            self._node_buffer.write(nodes)
            assert self._triangle_buffer is not None
            self._triangle_buffer.write(triangles)

    def bind(self) -> None:
        assert self._node_buffer is not None and self._triangle_buffer is not None
        bind_storage_buffer(STORAGE_BINDINGS["BvhNodes"], self._node_buffer)
        bind_storage_buffer(STORAGE_BINDINGS["BvhTriangles"], self._triangle_buffer)
        if self._section_buffer is not None:
            bind_storage_buffer(STORAGE_BINDINGS["BvhSections"], self._section_buffer)
        if self._parts_buffer is not None:
            bind_storage_buffer(STORAGE_BINDINGS["BvhParts"], self._parts_buffer)
        if self._uv_buffer is not None:
            bind_storage_buffer(STORAGE_BINDINGS["BvhUvs"], self._uv_buffer)
        if self._atlas is not None:
            self._atlas.bind()

    @property
    def triangle_count(self) -> int:
        return 0 if self._triangles is None else len(self._triangles)

    def _release_buffers(self) -> None:
        for buffer in (self._node_buffer, self._triangle_buffer, self._uv_buffer):
            if buffer is not None:
                buffer.release()
        self._node_buffer = self._triangle_buffer = self._uv_buffer = None

    def release(self) -> None:
        self._release_buffers()
        for buffer in (self._section_buffer, self._parts_buffer):
            if buffer is not None:
                buffer.release()
        self._section_buffer = self._parts_buffer = None
