"""Measurements a teacher asks for: the distance between two selections or the angle at the middle of
three, each selection standing for the centre of its atoms. Values in ångström and degrees, drawn as
dashed lines (model space, ångström) with a label text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from renderer.molecules.representations import Cylinders, dashed_cylinders
from renderer.molecules.selection import select
from renderer.molecules.structure import Structure

ANGLE_LABEL_OFFSET = 0.35  # the angle's label sits this fraction of the shorter arm inside the angle


@dataclass(frozen=True)
class MeasuredValue:
    """kind: "distance" or "angle"; points_a: (2 or 3, 3) float64 centres, ångström, model space;
    value: ångström or degrees."""

    kind: str
    points_a: np.ndarray
    value: float

    @property
    def text(self) -> str:
        return f"{self.value:.2f} Å" if self.kind == "distance" else f"{self.value:.1f}°"

    @property
    def label_anchor_a(self) -> np.ndarray:
        """(3,) where the value's label points: the distance's midpoint, or inside the angle."""
        p = self.points_a
        if self.kind == "distance":
            return (p[0] + p[1]) / 2
        arms = p[[0, 2]] - p[1]
        reach = ANGLE_LABEL_OFFSET * float(np.linalg.norm(arms, axis=1).min())
        bisector = (arms / np.maximum(np.linalg.norm(arms, axis=1, keepdims=True), 1e-9)).sum(axis=0)
        return p[1] + bisector / max(float(np.linalg.norm(bisector)), 1e-9) * reach


def centre_of(structure: Structure, selection: str) -> np.ndarray:
    """(3,) float64 centre of the selected atoms; ValueError naming the selection when it picks none."""
    mask = select(structure, selection)
    if not mask.any():
        raise ValueError(f"selection '{selection}' picks no atoms")
    return structure.positions_a[mask].astype(np.float64).mean(axis=0)


def measure(structure: Structure, kind: str, selections: list[str]) -> MeasuredValue:
    """The distance (2 selections) or the angle at the second of three."""
    points = np.array([centre_of(structure, text) for text in selections])
    if kind == "distance":
        return MeasuredValue(kind, points, float(np.linalg.norm(points[1] - points[0])))
    a, b = points[0] - points[1], points[2] - points[1]
    cosine = float(a @ b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12)
    return MeasuredValue(kind, points, math.degrees(math.acos(max(-1.0, min(1.0, cosine)))))


def measurement_cylinders(measured: MeasuredValue, color) -> Cylinders:
    """Dashes along each leg: A-B for a distance, A-B and B-C for an angle."""
    p = measured.points_a
    legs = [(0, 1)] if measured.kind == "distance" else [(1, 0), (1, 2)]
    starts = np.array([p[i] for i, _ in legs], np.float32)
    ends = np.array([p[j] for _, j in legs], np.float32)
    return dashed_cylinders(starts, ends, np.asarray(color, np.float32))
