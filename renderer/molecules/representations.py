"""Representations: from a structure and what a teacher asked for to drawable arrays (no GL).

Spheres and cylinders become ray-cast impostors on the GPU (renderer.gpu.molecule); cartoons and
surfaces are triangle meshes. All representations of one molecule are concatenated into one sphere
batch, one cylinder batch and a list of meshes, so a molecule costs a handful of draw calls.
"""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import dataclass, field

import numpy as np

from renderer.molecules.bond_orders import valence_sticks
from renderer.molecules.cartoon import TriangleMesh, cartoon_mesh
from renderer.molecules.hbonds import hydrogen_bonds
from renderer.molecules.palette import colors_for, parse_color, vdw_radii
from renderer.molecules.selection import select
from renderer.molecules.ses_surface import solvent_excluded_surface
from renderer.molecules.structure import Structure
from renderer.molecules.surface import molecular_surface

STYLES = ("spacefill", "ball_and_stick", "licorice", "cartoon", "surface", "hbonds")
SURFACE_KINDS = ("gaussian", "molecular")
BALL_SCALE = 0.24  # ball-and-stick atom radius as a fraction of the vdW radius
STICK_RADIUS_A = 0.16
LICORICE_RADIUS_A = 0.26
HBOND_RADIUS_A = 0.1
HBOND_DASH_A, HBOND_GAP_A = 0.28, 0.22
HBOND_COLOR = (1.0, 0.86, 0.25)


@dataclass(frozen=True)
class Representation:
    """One way of drawing part of a molecule.

    style: one of STYLES. select: a selection (renderer.molecules.selection). color: a scheme name
    (renderer.molecules.palette.SCHEMES) or "#rrggbb". For "hbonds", `select` is the group whose
    hydrogen bonds to the rest are drawn. opacity < 1 only for meshes (cartoon, surface).
    """

    style: str
    select: str = "all"
    color: str | tuple[float, float, float] = "element"
    opacity: float = 1.0
    helix: str = "ribbon"  # cartoon: "ribbon" or "cylinder"
    surface: str = "gaussian"  # surface: "gaussian" (fast) or "molecular" (solvent-excluded)
    bond_orders: bool = True  # sticks: double, triple and aromatic bonds drawn as such

    def __post_init__(self):
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}; use one of {', '.join(STYLES)}")
        if not 0.0 <= self.opacity <= 1.0:
            raise ValueError("opacity must be between 0 and 1")
        if self.surface not in SURFACE_KINDS:
            raise ValueError(f"unknown surface {self.surface!r}; use one of {', '.join(SURFACE_KINDS)}")


@dataclass(frozen=True)
class Spheres:
    """centres_a (S, 3) float32 ångström; radii_a (S,) float32; colors (S, 3) float32 sRGB."""

    centres_a: np.ndarray
    radii_a: np.ndarray
    colors: np.ndarray

    @property
    def count(self) -> int:
        return len(self.radii_a)


@dataclass(frozen=True)
class Cylinders:
    """starts_a, ends_a (C, 3) float32 ångström; radii_a (C,); colors_start, colors_end (C, 3) sRGB
    (each half of a cylinder takes its end's colour: half-bond colouring)."""

    starts_a: np.ndarray
    ends_a: np.ndarray
    radii_a: np.ndarray
    colors_start: np.ndarray
    colors_end: np.ndarray

    @property
    def count(self) -> int:
        return len(self.radii_a)


@dataclass(frozen=True)
class MeshDrawable:
    mesh: TriangleMesh
    opacity: float = 1.0


@dataclass
class MoleculeDrawables:
    """Everything one molecule draws, in model space (ångström)."""

    spheres: Spheres
    cylinders: Cylinders
    meshes: list[MeshDrawable] = field(default_factory=list)
    hbond_pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int32))

    def bounds(self) -> np.ndarray:
        """(2, 3) float64 box around every sphere, cylinder and mesh vertex, ångström."""
        centres, radii = self.spheres.centres_a, self.spheres.radii_a[:, None]
        points = [centres - radii, centres + radii, self.cylinders.starts_a, self.cylinders.ends_a]
        points = [p for p in points + [m.mesh.positions for m in self.meshes] if len(p)]
        if not points:
            return np.array([[-0.5] * 3, [0.5] * 3])
        lows, highs = [p.min(axis=0) for p in points], [p.max(axis=0) for p in points]
        return np.array([np.min(lows, axis=0), np.max(highs, axis=0)], dtype=np.float64)


def build_drawables(structure: Structure, representations: list[Representation],
                    tint: tuple[np.ndarray, tuple, float] | None = None,
                    started: Callable[[int, Representation], None] | None = None) -> MoleculeDrawables:  # fmt: skip
    """Arrays for every representation; selections and colours evaluated once per representation.
    tint: (mask (N,) bool, sRGB colour, amount 0..1): those atoms' colours mixed toward the colour in
    every representation (a highlighted selection; cartoons take it at their guide atoms).
    started: called with (index, representation) as each one begins (a progress bar's steps)."""
    spheres, cylinders, meshes, hbond_pairs = [], [], [], []
    s = structure
    for index, rep in enumerate(representations):
        if started is not None:
            started(index, rep)
        mask = select(s, rep.select)
        if rep.style == "hbonds":
            pairs = hydrogen_bonds(s, mask)
            hbond_pairs.append(pairs)
            color = parse_color(rep.color) if parse_color(rep.color) is not None else np.array(HBOND_COLOR, np.float32)
            cylinders.append(dashed_cylinders(s.positions_a[pairs[:, 0]], s.positions_a[pairs[:, 1]], color))
            continue
        colors = colors_for(s, rep.color)
        if tint is not None and tint[0].any():
            target = np.asarray(tint[1], np.float32)
            colors = colors.copy()
            colors[tint[0]] = colors[tint[0]] * (1.0 - tint[2]) + target * tint[2]
        if rep.style == "cartoon":
            meshes.append(MeshDrawable(cartoon_mesh(s, mask, colors, rep.helix), rep.opacity))
        elif rep.style == "surface":
            build = solvent_excluded_surface if rep.surface == "molecular" else molecular_surface
            meshes.append(MeshDrawable(build(s.positions_a[mask], vdw_radii(s)[mask], colors[mask]), rep.opacity))
        else:
            atom_radii, bond_radius = _radii(s, rep.style)
            spheres.append(Spheres(s.positions_a[mask], atom_radii[mask], colors[mask]))
            if bond_radius > 0:
                cylinders.append(bond_cylinders(s, mask, colors, bond_radius, rep.bond_orders))
    return MoleculeDrawables(
        spheres=_join_spheres(spheres),
        cylinders=join_cylinders(cylinders),
        meshes=[m for m in meshes if m.mesh.triangle_count],
        hbond_pairs=np.concatenate(hbond_pairs) if hbond_pairs else np.zeros((0, 2), np.int32),
    )


def _radii(s: Structure, style: str) -> tuple[np.ndarray, float]:
    if style == "spacefill":
        return vdw_radii(s), 0.0
    if style == "ball_and_stick":
        return vdw_radii(s) * BALL_SCALE, STICK_RADIUS_A
    return np.full(s.atom_count, LICORICE_RADIUS_A, np.float32), LICORICE_RADIUS_A


def bond_cylinders(s: Structure, mask: np.ndarray, colors: np.ndarray, radius_a: float,
                   valence: bool = True) -> Cylinders:  # fmt: skip
    """Cylinders for the bonds with both atoms in `mask`, coloured half by half; with `valence`,
    double, triple and aromatic bonds drawn as such (renderer.molecules.bond_orders)."""
    keep = mask[s.bonds[:, 0]] & mask[s.bonds[:, 1]] if s.bond_count else np.zeros(0, bool)
    bonds = s.bonds[keep].reshape(-1, 2)
    orders = s.bond_orders[keep] if valence and len(s.bond_orders) == s.bond_count else np.zeros(len(bonds), np.uint8)
    starts, ends, radii, owner = valence_sticks(s.positions_a, bonds, orders, radius_a)
    return Cylinders(starts, ends, radii, colors[bonds[owner, 0]], colors[bonds[owner, 1]])


def dashed_cylinders(starts: np.ndarray, ends: np.ndarray, color: np.ndarray) -> Cylinders:
    """Dashes of HBOND_DASH_A every HBOND_DASH_A + HBOND_GAP_A along each segment (vectorised)."""
    period = HBOND_DASH_A + HBOND_GAP_A
    length = np.linalg.norm(ends - starts, axis=1)
    counts = np.maximum(1, np.floor((length + HBOND_GAP_A) / period).astype(int))
    owner = np.repeat(np.arange(len(starts)), counts)
    index = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    # Centre the dash pattern on each segment.
    margin = (length - (counts * period - HBOND_GAP_A)) / 2
    direction = (ends - starts) / np.maximum(length, 1e-9)[:, None]
    t0 = margin[owner] + index * period
    t1 = np.minimum(t0 + HBOND_DASH_A, length[owner])
    d = direction[owner]
    first = (starts[owner] + d * t0[:, None]).astype(np.float32)
    second = (starts[owner] + d * t1[:, None]).astype(np.float32)
    rgb = np.broadcast_to(np.asarray(color, np.float32), (len(owner), 3))
    return Cylinders(first, second, np.full(len(owner), HBOND_RADIUS_A, np.float32), rgb, rgb)


def _join_spheres(parts: list[Spheres]) -> Spheres:
    if not parts:
        return Spheres(np.zeros((0, 3), np.float32), np.zeros(0, np.float32), np.zeros((0, 3), np.float32))
    return Spheres(*(np.concatenate([getattr(p, f) for p in parts]).astype(np.float32)
                     for f in ("centres_a", "radii_a", "colors")))  # fmt: skip


def join_cylinders(parts: list[Cylinders]) -> Cylinders:
    fields = ("starts_a", "ends_a", "radii_a", "colors_start", "colors_end")
    if not parts:
        return Cylinders(*(np.zeros((0, 3) if f != "radii_a" else 0, np.float32) for f in fields))
    return Cylinders(*(np.concatenate([getattr(p, f) for p in parts]).astype(np.float32) for f in fields))
