"""GpuScene: what the GPU holds for a scene, synced from the model by part id.

The scene model never holds GL objects; this class alone owns them. `sync()` adds, updates and
removes parts so that a reloaded scene (preview) re-uploads only meshes that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from renderer import maths
from renderer.gl.resources import ResourceRegistry
from renderer.gpu.mask_atlas import MaskAtlas
from renderer.gpu.mesh import GpuMesh
from renderer.gpu.molecule import GpuMolecule
from renderer.gpu.scene_molecules import SceneMolecules
from renderer.scene.load import LoadedScene
from renderer.scene.materials import Material, resolve
from renderer.scene.model import Part, Scene
from renderer.scene.molecule_state import molecule_states
from renderer.scene.part_materials import part_material
from renderer.scene.step_state import LabelRequest, SceneState


@dataclass(frozen=True)
class PartMask:
    """A part's alpha mask as drawn: its place in the scene's atlas (page `layer`, `rect` x, y, w, h in
    texels) and the cutoff below which a texel is a hole."""

    atlas: MaskAtlas
    layer: int
    rect: tuple[int, int, int, int]
    cutoff: float


@dataclass
class GpuPart:
    """A part as drawn: its mesh, model matrix (4, 4; model -> world) and effective material."""

    part_id: str
    mesh: GpuMesh
    model_matrix: np.ndarray
    material: Material
    visible: bool
    opacity: float
    highlight: bool = False
    clip_planes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))  # (K, 4) world [n, d]: keep n.p+d >= 0
    cut_boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 3)))  # (M, 2, 3) world min/max: removed
    overlay: bool = False  # interaction feedback (XR hands, rays): drawn, but never an occluder for rays or caps
    mask: PartMask | None = None  # alpha mask: holes are neither drawn, shaded nor hit by rays

    @property
    def translucent(self) -> bool:
        return self.opacity < 0.999

    @property
    def cullable(self) -> bool:
        """Back faces of a closed, uncut, unmasked mesh are never visible: skip rasterising them."""
        uncut = len(self.clip_planes) == 0 and len(self.cut_boxes) == 0
        return self.mesh.source.closed and uncut and self.mask is None

    @property
    def cappable(self) -> bool:
        """Whether a clip plane's cut face is filled: opaque solids only (a masked part has holes, so no inside)."""
        return not self.translucent and self.mask is None and not self.overlay

    def world_bounds(self) -> np.ndarray:
        """(2, 3) world-space box around the transformed mesh bounds."""
        lo, hi = self.mesh.bounds
        corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
        world = maths.transform_points(self.model_matrix, corners)
        return np.array([world.min(axis=0), world.max(axis=0)])


def _box_corners(box: np.ndarray) -> np.ndarray:
    lo, hi = box
    return np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])


def model_matrix(part: Part) -> np.ndarray:
    t = part.transform
    return maths.translation(t.translation_m) @ maths.rotation_euler_deg(t.rotation_deg) @ maths.scaling(t.scale)


class GpuScene:
    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self.parts: dict[str, GpuPart] = {}
        self._meshes: dict[int, GpuMesh] = {}  # id(MeshData) -> buffers; MeshData is cached per file
        self._private: dict[str, GpuMesh] = {}  # part id -> buffers of its own (a deformed part)
        self.scene: Scene | None = None
        self.labels: list[LabelRequest] = []
        self.label_scale = 1.0
        self.label_language = "en"
        self.molecules: dict[str, GpuMolecule] = {}  # by id; the scene's (sync/apply) and ad-hoc (set_molecule)
        self._scene_molecules = SceneMolecules(registry)
        self._structures: dict = {}
        self.masks = MaskAtlas(registry)

    def sync(self, loaded: LoadedScene) -> None:
        """Make the GPU scene match `loaded` (meshes must be loaded). Parts get their shared, rest-shape
        buffers back; a deformation driver asks for private ones again."""
        self.scene = loaded.scene
        self._release_private()
        self.masks.update([m.alpha for m in loaded.masks.values()])
        wanted = {}
        for part_id, part in loaded.scene.parts.items():
            mesh_data = loaded.meshes[part_id]
            gpu_mesh = self._meshes.get(id(mesh_data))
            if gpu_mesh is None or gpu_mesh.source is not mesh_data:
                gpu_mesh = GpuMesh(self.registry, mesh_data)
                self._meshes[id(mesh_data)] = gpu_mesh
            material = resolve(part_material(loaded.scene, part_id), loaded.scene.materials)
            wanted[part_id] = GpuPart(part_id, gpu_mesh, model_matrix(part), material, part.visible, part.opacity,
                                      mask=self._part_mask(loaded, part_id))  # fmt: skip
        self.parts = wanted
        self.labels = []  # labels come from a lesson step's state (`apply`), never from a previous scene
        in_use = {id(p.mesh.source) for p in wanted.values()}
        for key in [k for k in self._meshes if k not in in_use]:
            self._meshes.pop(key).release()
        for ad_hoc in [i for i in self.molecules if not self._scene_molecules.manages(i)]:
            self.set_molecule(ad_hoc, None)  # added by hand (tests, benchmarks) for the previous scene
        self._structures = loaded.structures
        self._scene_molecules.update(self, self._structures, molecule_states(loaded.scene, self._structures, None),
                                     loaded.scene.render.highlight_color)  # fmt: skip

    def _part_mask(self, loaded: LoadedScene, part_id: str) -> PartMask | None:
        mask = loaded.masks.get(part_id)
        if mask is None:
            return None
        slot = self.masks.slot(mask.alpha)
        return PartMask(self.masks, slot.layer, slot.rect, mask.cutoff)

    def apply(self, state: SceneState) -> None:
        """Show the scene as `state` says (a lesson step): visibility, opacity, highlights, motion,
        sections and labels. Call after `sync`; geometry is not re-uploaded."""
        assert self.scene is not None, "sync() a scene first"
        for part_id, part in self.parts.items():
            part.visible = state.visible[part_id]
            part.opacity = state.opacity[part_id]
            part.highlight = part_id in state.highlighted
            part.model_matrix = state.motion[part_id] @ model_matrix(self.scene.parts[part_id])
            part.clip_planes = state.clip_planes[part_id]
            part.cut_boxes = state.cut_boxes[part_id]
        self._scene_molecules.update(self, self._structures, state.molecules, self.scene.render.highlight_color)
        self.labels = list(state.labels)
        self.label_scale = self.scene.render.label_size
        self.label_language = state.language

    def private_mesh(self, part_id: str) -> GpuMesh:
        """The part's own copy of its buffers, so deforming it leaves parts that share the file alone."""
        mesh = self._private.get(part_id)
        if mesh is None:
            part = self.parts[part_id]
            mesh = self._private[part_id] = GpuMesh(self.registry, part.mesh.source)
            part.mesh = mesh
        return mesh

    def _release_private(self) -> None:
        for mesh in self._private.values():
            mesh.release()
        self._private.clear()

    def visible_parts(self) -> list[GpuPart]:
        return [p for p in self.parts.values() if p.visible and p.opacity > 0.0]

    def visible_molecules(self) -> list[GpuMolecule]:
        return [m for m in self.molecules.values() if m.visible]

    def set_molecule(self, molecule_id: str, molecule: GpuMolecule | None) -> None:
        """Add or replace (None: remove) a molecule; the one it replaces is released."""
        old = self.molecules.pop(molecule_id, None)
        if old is not None and old is not molecule:
            old.release()
        if molecule is not None:
            self.molecules[molecule_id] = molecule

    def bounds(self, visible_only: bool = True) -> np.ndarray:
        """(2, 3) world box of the (visible) parts and molecules, metres; a unit box when there are none."""
        parts = self.visible_parts() if visible_only else list(self.parts.values())
        molecules = self.visible_molecules() if visible_only else list(self.molecules.values())
        if not parts and not molecules:
            return np.array([[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]])
        boxes = np.array([p.world_bounds() for p in parts] + [m.world_bounds() for m in molecules])
        return np.array([boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)])

    def framing_points(self) -> np.ndarray:
        """(N, 3) world points, metres, that auto-framing fits in view: each visible part's and
        molecule's box corners (a scene-wide box would frame a limb with its empty surroundings)."""
        things = self.visible_parts() + self.visible_molecules()
        if not things:
            return np.zeros((0, 3))
        return np.concatenate([_box_corners(t.world_bounds()) for t in things])

    @property
    def gpu_bytes(self) -> int:
        meshes = sum(m.nbytes for m in self._meshes.values()) + sum(m.nbytes for m in self._private.values())
        return meshes + sum(m.gpu_bytes for m in self.molecules.values()) + self.masks.nbytes

    def close(self) -> None:
        self._release_private()
        for mesh in self._meshes.values():
            mesh.release()
        self._meshes.clear()
        for molecule in self.molecules.values():
            molecule.release()
        self.molecules.clear()
        self._scene_molecules.forget()
        self.parts.clear()
        self.masks.release()
