"""What each molecule looks like at one lesson step: placement, representations, visibility, highlight,
scale bar and labels. Pure data, no GL; `GpuScene.apply` builds or reuses GPU buffers from it.

Placement: scene <- transform (translate, rotate, one scale) <- metres per ångström <- centring
(the box of the atoms other than water moves to the origin). Matrices are (4, 4) float64,
model space in ångström -> scene space in metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from renderer import maths
from renderer.molecules.render import placement
from renderer.molecules.structure import Structure
from renderer.scene.fields import text_in
from renderer.scene.lesson import Step
from renderer.scene.molecule_spec import Measurement, MoleculeLabel, MoleculeSpec, Representation, StepMolecule

SCALE_BAR_COLOR = (0.92, 0.92, 0.9)
MAX_NAME_LABEL_POINTS = 2000  # atoms offered to the label pass as places a molecule's name may point at


@dataclass(frozen=True)
class ScaleBar:
    """A bar of `length_nm` in scene space: from `start_m` along +X, ticks up (+Y) at both ends.

    start_m: (3,) float64 metres. m_per_angstrom: the molecule's magnification into the scene.
    """

    start_m: tuple[float, float, float]
    length_nm: float
    m_per_angstrom: float

    @property
    def length_m(self) -> float:
        return self.length_nm * 10.0 * self.m_per_angstrom

    @property
    def label_anchor_m(self) -> np.ndarray:
        """(3,) just under the bar's middle, so the label's dot leaves the bar itself in sight."""
        return np.asarray(self.start_m) + np.array([self.length_m / 2, -0.3 * self.length_m, 0.0])

    @property
    def text(self) -> str:
        if self.length_nm < 1.0:
            return f"{self.length_nm * 10:g} Å"
        return f"{self.length_nm:g} nm"


@dataclass(frozen=True)
class MoleculeState:
    """One molecule at one step. representations: what to draw (scene model entries, hashable);
    opacity multiplies that of cartoons and surfaces (atoms and bonds stay opaque, or hide at 0)."""

    visible: bool
    opacity: float
    highlighted: bool
    representations: tuple[Representation, ...]
    matrix: np.ndarray
    scale_bar: ScaleBar | None
    labels: tuple[MoleculeLabel, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    highlight_select: str | None = None  # atoms tinted with the highlight colour
    clip_planes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))  # (K, 4) world [n, d]: keep n.p+d >= 0
    cut_boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 3)))  # (M, 2, 3) world min/max: removed

    @property
    def shown(self) -> bool:
        return self.visible and self.opacity > 0.0


def core_mask(structure: Structure) -> np.ndarray:
    """(N,) bool: the atoms that give the molecule its size (water left out, unless it is all water)."""
    mask = ~structure.is_water
    return mask if mask.any() else np.ones(structure.atom_count, bool)


def molecule_matrix(spec: MoleculeSpec, structure: Structure) -> np.ndarray:
    """(4, 4) ångström (model) -> metres (scene): transform @ scale @ centring."""
    t = spec.transform
    core = structure.positions_a[core_mask(structure)].astype(np.float64)
    box = np.array([core.min(axis=0), core.max(axis=0)]) if spec.centre and len(core) else np.zeros((2, 3))
    return maths.translation(t.translation_m) @ maths.rotation_euler_deg(t.rotation_deg) \
        @ maths.scaling(float(t.scale)) @ placement(box, spec.scale_m_per_angstrom)  # fmt: skip


def world_points(structure: Structure, matrix: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """(K, 3) float64 scene-space positions of the atoms in `mask` (default: all)."""
    positions = structure.positions_a if mask is None else structure.positions_a[mask]
    return maths.transform_points(matrix, positions.astype(np.float64))


def nice_length_nm(extent_nm: float) -> float:
    """A round bar length: 1 nm when it reads well against the molecule (8%..50% of its size), else
    the largest 1, 2 or 5 times a power of ten up to a quarter of the molecule."""
    if 0.08 * extent_nm <= 1.0 <= 0.5 * extent_nm:
        return 1.0
    target = max(extent_nm * 0.25, 1e-6)
    power = 10.0 ** math.floor(math.log10(target))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target)


def scale_bar(spec: MoleculeSpec, structure: Structure, matrix: np.ndarray) -> ScaleBar:
    """The bar under the molecule's box, left-aligned, half-way back, in scene axes."""
    points = world_points(structure, matrix, core_mask(structure))
    lo, hi = points.min(axis=0), points.max(axis=0)
    m_per_nm = spec.m_per_angstrom * 10.0
    length_nm = nice_length_nm(float((hi - lo).max()) / m_per_nm)
    gap = max(0.08 * float(hi[1] - lo[1]), 0.45 * length_nm * m_per_nm)
    return ScaleBar((float(lo[0]), float(lo[1] - gap), float((lo[2] + hi[2]) / 2)), length_nm, spec.m_per_angstrom)


_DEFAULTS: dict[int, tuple[Structure, tuple[Representation, ...]]] = {}


def default_representations(structure: Structure) -> tuple[Representation, ...]:
    """Cartoon for proteins plus the ligand and its hydrogen bonds (renderer.molecules.describe)."""
    cached = _DEFAULTS.get(id(structure))
    if cached is None or cached[0] is not structure:
        from renderer.molecules.describe import describe_structure

        reps = tuple(Representation(**r) for r in describe_structure(structure).suggested_representations())
        if len(_DEFAULTS) > 32:
            _DEFAULTS.clear()
        cached = _DEFAULTS[id(structure)] = (structure, reps)
    return cached[1]


def style_representation(style: str) -> tuple[Representation, ...]:
    """The one-line `style:` shorthand as a representation."""
    if style == "hbonds":
        return (Representation(style="hbonds", select="ligand"),)
    return (Representation(style=style, select="not water", color="secondary" if style == "cartoon" else "element"),)


def representations(block: MoleculeSpec | StepMolecule, fallback):
    """What `block` draws; fallback: the representations otherwise, or a function giving them
    (the defaults describe the whole structure: only worked out when a block names nothing)."""
    if block.representations is not None:
        return tuple(block.representations)
    if block.style is not None:
        return style_representation(block.style)
    return fallback() if callable(fallback) else fallback


def molecule_states(scene, structures: dict[str, Structure], step: Step | None) -> dict[str, MoleculeState]:
    """State of every molecule whose structure is loaded (`step` None: the molecules as declared).
    Step lists name molecules by id (groups hold parts only)."""
    out = {}
    for molecule_id, spec in scene.molecules.items():
        structure = structures.get(molecule_id)
        if structure is None:
            continue
        visible, opacity, highlighted = spec.visible, 1.0, False
        reps = representations(spec, lambda structure=structure: default_representations(structure))
        labels, bar_wanted = tuple(spec.labels), spec.shows_scale_bar
        measurements, highlight_select = (), None
        if step is not None:
            if step.only is not None:
                visible = molecule_id in step.only
            visible = (visible and molecule_id not in step.hide) or molecule_id in step.show
            opacity = step.opacity.get(molecule_id, 1.0)
            highlighted = molecule_id in step.highlight
            override = step.molecules.get(molecule_id)
            if override is not None:
                reps = representations(override, reps)
                labels = tuple(override.labels) if override.labels is not None else labels
                bar_wanted = override.scale_bar if override.scale_bar is not None else bar_wanted
                measurements, highlight_select = tuple(override.measure), override.highlight
        matrix = molecule_matrix(spec, structure)
        bar = scale_bar(spec, structure, matrix) if bar_wanted else None
        out[molecule_id] = MoleculeState(visible, opacity, highlighted, reps, matrix, bar, labels, measurements,
                                         highlight_select)  # fmt: skip
    return out


def with_sections(states: dict[str, MoleculeState], scene, planes: list[str], boxes: list[str],
                  plane_equation) -> dict[str, MoleculeState]:  # fmt: skip
    """States with the active clip planes (as `plane_equation(plane)` (4,) rows) and cut boxes that
    cut each molecule: those listing its id in `parts`, and those without `parts` (they cut everything)."""
    out = {}
    for molecule_id, state in states.items():
        chosen_planes = [scene.clip_planes[n] for n in planes]
        chosen_boxes = [scene.cut_boxes[n] for n in boxes]
        plane_rows = [plane_equation(p) for p in chosen_planes if p.parts is None or molecule_id in p.parts]
        box_rows = [(b.min_m, b.max_m) for b in chosen_boxes if b.parts is None or molecule_id in b.parts]
        out[molecule_id] = replace(state, clip_planes=np.array(plane_rows, float).reshape(-1, 4),
                                   cut_boxes=np.array(box_rows, float).reshape(-1, 2, 3))  # fmt: skip
    return out


def molecule_label_requests(scene, structures: dict[str, Structure], states: dict[str, MoleculeState],
                            named: list[str], lang: str) -> list[tuple]:  # fmt: skip
    """(molecule id, text, anchor (3,) scene metres or None, candidate points (K, 3)) for every label of
    shown molecules: its name where the step's `label` list names it (pointing at a visible atom, or
    at `label_anchor_m`), its selection labels (at the centre of the selected atoms), its scale bar."""
    from renderer.molecules.measure import measure
    from renderer.molecules.selection import select

    out = []
    for molecule_id, state in states.items():
        if not state.shown:
            continue
        spec, structure = scene.molecules[molecule_id], structures[molecule_id]
        if molecule_id in named:
            name = text_in(spec.name, lang, scene.language) or molecule_id
            if spec.label_anchor_m is not None:
                out.append((molecule_id, name, np.asarray(spec.label_anchor_m, float), np.zeros((0, 3))))
            else:
                core = np.flatnonzero(core_mask(structure))
                chosen = core[:: max(1, len(core) // MAX_NAME_LABEL_POINTS)]
                out.append((molecule_id, name, None, world_points(structure, state.matrix, chosen)))
        for label in state.labels:
            points = world_points(structure, state.matrix, select(structure, label.selection))
            if len(points):
                out.append((molecule_id, text_in(label.text, lang, scene.language), points.mean(axis=0),
                            np.zeros((0, 3))))  # fmt: skip
        for measurement in state.measurements:
            if measurement.label:
                measured = measure(structure, measurement.kind, measurement.selections)
                anchor = maths.transform_points(state.matrix, measured.label_anchor_a[None])[0]
                out.append((molecule_id, measured.text, anchor, np.zeros((0, 3))))
        if state.scale_bar is not None:
            out.append((molecule_id, state.scale_bar.text, state.scale_bar.label_anchor_m, np.zeros((0, 3))))
    return out
