"""Scene-space declarations turned into model-space geometry (deformers run in model space)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from renderer.errors import ProsectorError


class DeformError(ProsectorError):
    """A deformer cannot be set up for a part (e.g. a degenerate axis); the message says which and why."""


@dataclass(frozen=True)
class DeformContext:
    """What a deformer may know beyond its own mesh: the part's model matrix (4, 4; model -> scene,
    row-major, p' = M @ p) and the centre of the whole scene (3,), metres, scene space."""

    part_id: str = "part"
    model_matrix: np.ndarray = field(default_factory=lambda: np.eye(4))
    scene_centre_m: np.ndarray = field(default_factory=lambda: np.zeros(3))

    @property
    def inverse(self) -> np.ndarray:
        return np.linalg.inv(self.model_matrix)

    def point_to_model(self, point) -> np.ndarray:
        p = self.inverse @ np.append(np.asarray(point, dtype=np.float64), 1.0)
        return p[:3] / p[3]

    def direction_to_model(self, vector) -> np.ndarray:
        """A scene-space displacement (metres) as the model-space displacement that produces it."""
        return np.linalg.solve(self.model_matrix[:3, :3], np.asarray(vector, dtype=np.float64))

    def point_to_scene(self, point) -> np.ndarray:
        p = self.model_matrix @ np.append(np.asarray(point, dtype=np.float64), 1.0)
        return p[:3] / p[3]


def unit(vector, what: str, part_id: str) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float64)
    length = float(np.linalg.norm(v))
    if not np.isfinite(length) or length < 1e-12:
        raise DeformError(f"part '{part_id}': {what} has no direction (zero length)")
    return v / length


def axis_endpoints(
    ctx: DeformContext, first_m, second_m, rest: np.ndarray, names: tuple[str, str], kind: str, default=None
) -> tuple[np.ndarray, np.ndarray]:
    """Model-space ends of a deformer's axis: both given (scene space), or neither, then
    `default(rest)` (the mesh's long axis unless given)."""
    if first_m is not None and second_m is not None:
        return ctx.point_to_model(first_m), ctx.point_to_model(second_m)
    if first_m is None and second_m is None:
        return (default or long_axis)(rest)
    raise DeformError(f"part '{ctx.part_id}': {kind} needs both {names[0]} and {names[1]}, or neither")


def long_axis(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two extreme points of a point set along its principal axis, (3,) each, float64.

    The first is the end with the lower coordinate along the axis, the axis oriented to point mostly
    along +X, +Y or +Z, whichever it leans to most, so the choice is stable."""
    p = np.asarray(positions, dtype=np.float64)
    centre = p.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov((p - centre).T))
    axis = vectors[:, -1]  # the largest eigenvalue's vector: the direction of greatest spread
    if axis[np.argmax(np.abs(axis))] < 0:
        axis = -axis
    along = (p - centre) @ axis
    return centre + axis * along.min(), centre + axis * along.max()
