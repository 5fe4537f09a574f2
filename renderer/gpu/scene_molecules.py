"""A scene's molecules on the GPU, kept in step with `MoleculeState`s: one `GpuMolecule` per molecule
id (rebuilt only when its structure, representations, highlight or opacity change; moved otherwise)
and one per scale bar (id `MOLECULE:scale-bar`). Drawables are cached on the CPU for the last few
looks, so stepping back and forth through a lesson does not recompute cartoons and surfaces.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

import numpy as np

from renderer import maths, progress
from renderer.gl.resources import ResourceRegistry
from renderer.gpu.molecule import GpuMolecule
from renderer.molecules import representations as reps
from renderer.molecules.selection import select
from renderer.molecules.structure import Structure
from renderer.scene.molecule_state import SCALE_BAR_COLOR, MoleculeState, ScaleBar

DRAWABLES_CACHED = 12
HIGHLIGHT_MIX = 0.45  # how far a highlighted molecule's colours move toward the highlight colour
SELECTION_HIGHLIGHT_MIX = 0.75  # a highlighted selection stands out more: the rest keeps its colours
SCALE_BAR_SUFFIX = ":scale-bar"  # ids cannot contain ':', so a bar never clashes with a molecule


def to_representation(spec) -> reps.Representation:
    """A scene file's representation (renderer.scene.molecule_spec) as the molecule builder's."""
    return reps.Representation(spec.style, spec.select, spec.color, spec.opacity, spec.helix, spec.surface,
                               spec.bond_orders)  # fmt: skip


def tinted(drawables: reps.MoleculeDrawables, color, amount: float) -> reps.MoleculeDrawables:
    """The same geometry with every colour mixed `amount` of the way to `color` (sRGB)."""
    target = np.asarray(color, np.float32)

    def mix(colors: np.ndarray) -> np.ndarray:
        return (colors * (1.0 - amount) + target * amount).astype(np.float32)

    s, c = drawables.spheres, drawables.cylinders
    meshes = [reps.MeshDrawable(replace(m.mesh, colors=mix(m.mesh.colors)), m.opacity)
              for m in drawables.meshes]  # fmt: skip
    return reps.MoleculeDrawables(reps.Spheres(s.centres_a, s.radii_a, mix(s.colors)),
                                  reps.Cylinders(c.starts_a, c.ends_a, c.radii_a, mix(c.colors_start),
                                                 mix(c.colors_end)), meshes, drawables.hbond_pairs)  # fmt: skip


def scale_bar_drawables(bar: ScaleBar) -> reps.MoleculeDrawables:
    """A bar |----| in ångström from the origin along +X, ticks up at both ends, rounded joints."""
    length = bar.length_nm * 10.0
    radius = length * 0.035
    tick = length * 0.22
    points = np.array([[0, 0, 0], [length, 0, 0], [0, tick, 0], [length, tick, 0]], np.float32)
    color = np.tile(np.asarray(SCALE_BAR_COLOR, np.float32), (3, 1))
    starts, ends = points[[0, 0, 1]], points[[1, 2, 3]]
    cylinders = reps.Cylinders(starts, ends, np.full(3, radius, np.float32), color, color)
    spheres = reps.Spheres(points, np.full(4, radius, np.float32), np.tile(color[:1], (4, 1)))
    return reps.MoleculeDrawables(spheres, cylinders)


def with_measurements(drawables: reps.MoleculeDrawables, structure: Structure, measurements) -> reps.MoleculeDrawables:
    """The drawables plus the dashes of each measurement (renderer.scene.molecule_spec.Measurement)."""
    if not measurements:
        return drawables
    from renderer.molecules.measure import measure, measurement_cylinders
    from renderer.molecules.palette import parse_color

    dashes = [measurement_cylinders(measure(structure, m.kind, m.selections), parse_color(m.color))
              for m in measurements]  # fmt: skip
    cylinders = reps.join_cylinders([drawables.cylinders, *dashes])
    return reps.MoleculeDrawables(drawables.spheres, cylinders, drawables.meshes, drawables.hbond_pairs)


class SceneMolecules:
    """Owns what `GpuScene` draws for the scene's molecules; ad-hoc molecules (set_molecule) are left alone."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self._keys: dict[str, tuple] = {}  # GpuScene.molecules id -> what it was built from
        self._drawables: OrderedDict[tuple, tuple[Structure, reps.MoleculeDrawables]] = OrderedDict()

    def manages(self, molecule_id: str) -> bool:
        """True for molecules (and scale bars) this object put into the scene."""
        return molecule_id in self._keys

    def update(self, scene, structures: dict[str, Structure], states: dict[str, MoleculeState],
               highlight_color) -> None:  # fmt: skip
        """Make `scene.molecules` show `states` (a GpuScene); molecules no longer wanted are released."""
        current = {id(s) for s in structures.values()}
        for key in [k for k in self._drawables if k[0] not in current]:  # a reloaded or removed structure
            del self._drawables[key]
        wanted: set[str] = set()
        for molecule_id, state in states.items():
            structure = structures.get(molecule_id)
            if structure is None:
                continue
            wanted.add(molecule_id)
            key = (id(structure), state.representations, state.highlighted, round(state.opacity, 4),
                   tuple(highlight_color), state.measurements, state.highlight_select)  # fmt: skip
            if self._keys.get(molecule_id) != key or molecule_id not in scene.molecules:
                drawables = self._built(structure, state, highlight_color)
                scene.set_molecule(molecule_id, GpuMolecule(self.registry, drawables, state.matrix))
                self._keys[molecule_id] = key
            molecule = scene.molecules[molecule_id]
            molecule.place(state.matrix)
            molecule.visible = state.shown
            molecule.clip_planes, molecule.cut_boxes = state.clip_planes, state.cut_boxes
            if state.scale_bar is not None:
                wanted.add(self._scale_bar(scene, molecule_id + SCALE_BAR_SUFFIX, state.scale_bar, state.shown))
        for stale in [i for i in self._keys if i not in wanted]:
            scene.set_molecule(stale, None)
            del self._keys[stale]

    def _scale_bar(self, scene, bar_id: str, bar: ScaleBar, visible: bool) -> str:
        key = ("scale-bar", bar.length_nm)
        if self._keys.get(bar_id) != key or bar_id not in scene.molecules:
            scene.set_molecule(bar_id, GpuMolecule(self.registry, scale_bar_drawables(bar), np.eye(4),
                                                   occludes=False))  # fmt: skip
            self._keys[bar_id] = key
        molecule = scene.molecules[bar_id]
        molecule.place(maths.translation(bar.start_m) @ maths.scaling(bar.m_per_angstrom))
        molecule.visible = visible
        return bar_id

    def _built(self, structure: Structure, state: MoleculeState, highlight_color) -> reps.MoleculeDrawables:
        key = (id(structure), state.representations, state.highlight_select, tuple(highlight_color))
        drawables = self._drawables.get(key)
        if drawables is None or drawables[0] is not structure:
            tint = None
            if state.highlight_select is not None:
                tint = (select(structure, state.highlight_select), tuple(highlight_color), SELECTION_HIGHLIGHT_MIX)
            representations = [to_representation(r) for r in state.representations]
            with progress.task("building molecule shapes", len(representations), unit="style") as bar:

                def started(index: int, rep) -> None:
                    bar.advance(1 if index else 0)
                    bar.note(f"{rep.style} of {structure.atom_count:,} atoms")

                made = reps.build_drawables(structure, representations, tint, started)
                bar.advance()  # the last one is done
            self._drawables[key] = drawables = (structure, made)  # the structure keeps id() from being reused
            while len(self._drawables) > DRAWABLES_CACHED:
                self._drawables.popitem(last=False)
        self._drawables.move_to_end(key)
        made = drawables[1]
        if state.opacity < 1.0:
            meshes = [reps.MeshDrawable(m.mesh, m.opacity * state.opacity) for m in made.meshes]
            made = reps.MoleculeDrawables(made.spheres, made.cylinders, meshes, made.hbond_pairs)
        made = tinted(made, highlight_color, HIGHLIGHT_MIX) if state.highlighted else made
        return with_measurements(made, structure, state.measurements)

    def forget(self) -> None:
        """Drop CPU caches (the GpuScene releases the GPU buffers it holds)."""
        self._keys.clear()
        self._drawables.clear()
