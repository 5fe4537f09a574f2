"""Visible feedback for every hand action, drawn in the scene with the same passes as the anatomy:
a marker on each tracked hand coloured by the current tool (and brighter while grabbing), the
pointing ray (lit up while it hovers a structure, ending at the hit), and the held clipping plane
as a square paddle in the hand (opaque: see the note in `_overlay`). Geometry is two tiny meshes (a
box and a square) made once per context.
"""

from __future__ import annotations

import numpy as np

from renderer import maths
from renderer.gl.resources import ResourceRegistry
from renderer.gpu.mesh import GpuMesh
from renderer.gpu.scene import GpuPart
from renderer.interaction.xr_controls import HANDS, HandInput, XrControls, forward
from renderer.scene.materials import Material
from renderer.scene.meshes import MeshData

TOOL_COLORS = {"point": (0.2, 0.8, 1.0), "clip": (1.0, 0.6, 0.1), "poke": (1.0, 0.3, 0.8)}
GRAB_COLOR = (0.3, 1.0, 0.4)
RAY_IDLE, RAY_HIT = (0.6, 0.6, 0.7), (1.0, 0.85, 0.2)
RAY_LENGTH_M = 1.5  # XR metres when the ray hits nothing
MARKER_M, RAY_WIDTH_M, PLANE_M = 0.03, 0.003, 0.12


def _box_mesh() -> MeshData:
    """Unit cube centred on the origin, 24 vertices (flat normals), outward counter-clockwise faces."""
    positions, normals, faces = [], [], []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u, v = np.roll(np.eye(3), 1, axis=0)[axis], np.roll(np.eye(3), 2, axis=0)[axis]
            if sign < 0:
                u, v = v, u
            base = len(positions)
            for a, b in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                positions.append(n * 0.5 + u * 0.5 * a + v * 0.5 * b)
                normals.append(n)
            faces += [[base, base + 1, base + 2], [base, base + 2, base + 3]]
    positions, faces = np.array(positions, np.float32), np.array(faces, np.uint32)
    a, b, c = positions[faces[:, 0]], positions[faces[:, 1]], positions[faces[:, 2]]
    inward = np.einsum("ij,ij->i", np.cross(b - a, c - a), a + b + c) < 0
    faces[inward] = faces[inward][:, ::-1]
    return MeshData("xr-box", positions, np.array(normals, np.float32), faces)


def _square_mesh() -> MeshData:
    """Unit square in the XY plane facing +Z and -Z (both sides drawn)."""
    corners = np.array([[-0.5, -0.5, 0], [0.5, -0.5, 0], [0.5, 0.5, 0], [-0.5, 0.5, 0]], np.float32)
    positions = np.vstack([corners, corners])
    normals = np.array([[0, 0, 1]] * 4 + [[0, 0, -1]] * 4, np.float32)
    faces = np.array([[0, 1, 2], [0, 2, 3], [4, 6, 5], [4, 7, 6]], np.uint32)
    return MeshData("xr-square", positions, normals, faces)


def _overlay(part_id: str, mesh: GpuMesh, matrix: np.ndarray, color, opacity: float) -> GpuPart:
    """A feedback part: self-lit, and an overlay (never an occluder of the ray-traced tier or of section
    caps: a moving hand would rebuild their BVH every frame). Ids start with '@', which scene ids cannot.
    Keep opacity 1: with the weighted-OIT transparency pass, a translucent feedback part was seen to
    blank the whole eye image (to be investigated in renderer/passes/transparency)."""
    material = Material(base_color=color, emissive=tuple(0.6 * c for c in color), roughness=0.5)
    return GpuPart(part_id, mesh, matrix, material, True, opacity, overlay=True)


class FeedbackGeometry:
    def __init__(self, registry: ResourceRegistry):
        self.box = GpuMesh(registry, _box_mesh())
        self.square = GpuMesh(registry, _square_mesh())

    def parts(self, controls: XrControls, hands: dict[str, HandInput]) -> list[GpuPart]:
        """This frame's feedback parts, in scene space (the controls' placement undone)."""
        to_scene = np.linalg.inv(controls.placement)
        out: list[GpuPart] = []
        for hand in HANDS:
            state = hands.get(hand)
            if state is None or state.grip is None:
                continue
            color = GRAB_COLOR if hand in controls.grabbing else TOOL_COLORS[controls.mode]
            marker = to_scene @ state.grip @ maths.scaling(MARKER_M)
            out.append(_overlay(f"@xr/{hand}/marker", self.box, marker, color, 1.0))
            aim = state.aim if state.aim is not None else state.grip
            if controls.mode == "point" and hand not in controls.grabbing:
                hit = controls.hover.get(hand)
                scale = float(np.cbrt(abs(np.linalg.det(controls.placement[:3, :3]))))
                length = hit.distance * scale if hit is not None else RAY_LENGTH_M
                out.append(self._ray(to_scene, aim, length, RAY_HIT if hit else RAY_IDLE, hand))
            if controls.mode == "clip" and not controls.clip_frozen:
                square = to_scene @ aim @ maths.scaling((PLANE_M, PLANE_M, 1.0))
                out.append(_overlay(f"@xr/{hand}/plane", self.square, square, TOOL_COLORS["clip"], 1.0))
        return out

    def _ray(self, to_scene: np.ndarray, aim: np.ndarray, length: float, color, hand: str) -> GpuPart:
        """A thin box from the aim pose along its pointing direction, `length` XR metres long."""
        centre = aim[:3, 3] + forward(aim) * length / 2
        frame = aim.copy()
        frame[:3, 3] = centre
        matrix = to_scene @ frame @ maths.scaling((RAY_WIDTH_M, RAY_WIDTH_M, length))
        return _overlay(f"@xr/{hand}/ray", self.box, matrix, color, 1.0)

    def release(self) -> None:
        self.box.release()
        self.square.release()

