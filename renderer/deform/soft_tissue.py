"""Soft tissue: an XPBD lattice body under the surface mesh, poked or grabbed, recovering its shape.

The simulation runs at a fixed 90 Hz frame step with a fixed number of substeps, whatever the display
rate: `deform(..., t, ...)` steps the body from its last frame to the frame at `t` (replaying from rest
if `t` goes backwards), so a rendered frame depends only on `t` and the interactions, never on timing.
A scripted poke (`poke_m`) presses a fingertip-sized patch of lattice nodes in and out along
`poke_direction`; a controller or the mouse does the same through `grab` / `drag` / `release`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np

from renderer.deform import xpbd
from renderer.deform.curves import bump
from renderer.deform.frames import DeformContext, unit
from renderer.deform.geometry import sparse_matrix, sparse_product
from renderer.deform.lattice import Lattice, build_lattice
from renderer.scene.deformers import SoftTissue

CATCH_UP_S = 3.0  # a jump further ahead than this restarts from rest this long before `t`


@dataclass
class Handle:
    """Lattice nodes held by a finger: their indices (K,) and rest positions (K, 3) on `xp`."""

    nodes: object
    rest: object
    offset: np.ndarray = field(default_factory=lambda: np.zeros(3))  # model-space displacement now, metres


@dataclass
class SoftTissueState:
    lattice: Lattice
    body: xpbd.SoftBody
    embedding: object  # (N, P) sparse on xp: each vertex's trilinear weights of its cell's 8 lattice nodes
    frame: int = 0
    script: Handle | None = None
    script_direction: np.ndarray | None = None
    grab_handle: Handle | None = None
    previous_targets: object = None


def setup(xp: ModuleType, rest: np.ndarray, faces: np.ndarray, params: SoftTissue,
          ctx: DeformContext) -> SoftTissueState:  # fmt: skip
    lattice = build_lattice(rest, faces, params.lattice_cells)
    body = xpbd.make_body(xp, lattice, xpbd.Material.from_knobs(params.stiffness, params.damping), params.substeps)
    state = SoftTissueState(lattice, body, _embedding(xp, lattice))
    if params.poke_m is not None:
        point = ctx.point_to_model(params.poke_m)
        if params.poke_direction is not None:
            direction = ctx.direction_to_model(unit(params.poke_direction, "poke_direction", ctx.part_id))
        else:
            direction = np.asarray(rest, np.float64).mean(axis=0) - point
        state.script_direction = unit(direction, "the poke direction (poke_m is at the part's centre)", ctx.part_id)
        radius = _model_length(params.poke_radius_m, ctx) if params.poke_radius_m else 1.5 * lattice.cell_size_m
        state.script = _select(xp, lattice, point, radius)
    return state


def deform(xp: ModuleType, positions, params: SoftTissue, t: float, state: SoftTissueState):
    """(N, 3) float32: `positions` displaced by the simulated tissue at time `t` (seconds)."""
    advance(xp, state, params, t)
    moved = state.body.x - state.body.rest
    if isinstance(state.embedding, tuple):  # no sparse module on this backend: gather the 8 corners
        nodes, weights = state.embedding
        corners = xp.take(moved, nodes.reshape(-1), axis=0).reshape(-1, 8, 3)
        return positions + (corners * weights).sum(axis=1)
    return positions + sparse_product(xp, state.embedding, moved)


def _embedding(xp: ModuleType, lattice: Lattice):
    """The (N, P) interpolation from lattice nodes to surface vertices as one sparse matrix: 10x faster
    than gathering (N, 8, 3) corners and summing them on NumPy."""
    nodes, weights = lattice.vertex_nodes, lattice.vertex_weights
    rows = np.repeat(np.arange(len(nodes), dtype=np.int64), nodes.shape[1])
    matrix = sparse_matrix(xp, rows, nodes.reshape(-1).astype(np.int64), weights.reshape(-1),
                           (len(nodes), len(lattice.nodes)))  # fmt: skip
    if matrix is None:
        return xp.asarray(nodes), xp.asarray(weights, xp.float32)[:, :, None]
    return matrix


def advance(xp: ModuleType, state: SoftTissueState, params: SoftTissue, t: float) -> None:
    """Step whole 90 Hz frames until the frame that contains `t`."""
    target = max(int(math.floor(t / xpbd.FRAME_DT + 1e-6)), 0)
    if target < state.frame or target - state.frame > CATCH_UP_S / xpbd.FRAME_DT:
        xpbd.reset(xp, state.body)
        state.frame = max(0, target - int(CATCH_UP_S / xpbd.FRAME_DT)) if target >= state.frame else 0
        state.previous_targets = None
    while state.frame < target:
        state.frame += 1
        _step(xp, state, params, state.frame * xpbd.FRAME_DT)


def grab(xp: ModuleType, state: SoftTissueState, point_model, radius_m: float) -> None:
    """Hold the lattice nodes within `radius_m` of `point_model` (model space, metres)."""
    state.grab_handle = _select(xp, state.lattice, np.asarray(point_model, np.float64), radius_m)


def drag(state: SoftTissueState, offset_model) -> None:
    """Move the held nodes to their rest positions plus `offset_model` (3,), metres."""
    if state.grab_handle is not None:
        state.grab_handle.offset = np.asarray(offset_model, np.float64)


def release(state: SoftTissueState) -> None:
    state.grab_handle = None


def _step(xp: ModuleType, state: SoftTissueState, params: SoftTissue, time_s: float) -> None:
    handles = []
    if state.script is not None:
        depth = params.poke_depth_m * bump(time_s, params.poke_start_s, params.poke_duration_s)
        if depth > 0.0:
            state.script.offset = state.script_direction * depth
            handles.append(state.script)
    if state.grab_handle is not None:
        handles.append(state.grab_handle)
    body = state.body
    body.inv_mass[:] = 1.0
    if not handles:
        state.previous_targets = None
        xpbd.step(xp, body)
        return
    nodes = xp.concatenate([h.nodes for h in handles])
    targets = xp.concatenate([h.rest + xp.asarray(h.offset, xp.float32) for h in handles])
    start = state.previous_targets
    if start is None or start.shape != targets.shape:
        start = body.x[nodes]
    body.inv_mass[nodes] = 0.0
    xpbd.step(xp, body, nodes, start, targets)
    state.previous_targets = targets


def _select(xp: ModuleType, lattice: Lattice, point: np.ndarray, radius: float) -> Handle:
    distance = np.linalg.norm(lattice.nodes - point, axis=1)
    chosen = np.flatnonzero(distance <= radius)
    if not len(chosen):
        chosen = np.array([int(np.argmin(distance))])
    return Handle(xp.asarray(chosen.astype(np.int32)), xp.asarray(lattice.nodes[chosen], xp.float32))


def _model_length(length_m: float, ctx: DeformContext) -> float:
    """A scene-space length in model units (uniform-scale approximation: the mean axis scale)."""
    scale = float(np.cbrt(abs(np.linalg.det(ctx.model_matrix[:3, :3]))))
    return length_m / max(scale, 1e-12)
