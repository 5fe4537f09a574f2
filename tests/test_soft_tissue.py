"""Soft tissue (XPBD on a lattice): gives under a poke, keeps its volume within 2 %, recovers, stays
stable at fixed 90 Hz substeps, replays deterministically; Warp runs the same step to the same result."""

from __future__ import annotations

import numpy as np
import pytest
from deform_helpers import BACKENDS, deformation, volume

from renderer.deform import soft_tissue, xpbd
from renderer.deform.frames import DeformContext
from renderer.deform.geometry import to_numpy
from renderer.deform.lattice import build_lattice
from renderer.scene import deformers as P


@pytest.fixture(scope="module")
def ball():
    import trimesh

    sphere = trimesh.creation.icosphere(subdivisions=3, radius=0.05)
    return np.asarray(sphere.vertices, np.float32), np.asarray(sphere.faces, np.int32)


def poke(depth=0.015, cells=10, **extra):
    return P.SoftTissue(kind="soft_tissue", lattice_cells=cells, poke_m=(0.0, 0.05, 0.0), poke_depth_m=depth,
                        poke_start_s=0.1, poke_duration_s=0.6, **extra)  # fmt: skip


def test_lattice_encloses_the_surface_and_embeds_it_exactly(ball):
    positions, faces = ball
    lattice = build_lattice(positions, faces, 10)
    d = lattice.nodes[lattice.tets[:, 1:]] - lattice.nodes[lattice.tets[:, :1]]
    tet_volumes = np.einsum("ij,ij->i", d[:, 0], np.cross(d[:, 1], d[:, 2])) / 6.0
    assert (tet_volumes > 0).all()
    assert tet_volumes.sum() > volume(positions, faces)  # interior filled, not just a shell
    embedded = (lattice.nodes[lattice.vertex_nodes] * lattice.vertex_weights[..., None]).sum(axis=1)
    np.testing.assert_allclose(embedded, positions, atol=1e-6)


@pytest.mark.parametrize("xp", BACKENDS)
def test_poke_dents_keeps_volume_within_2_percent_and_recovers(xp, ball):
    positions, faces = ball
    part = deformation(xp, poke(), positions, faces)
    rest_volume = volume(positions, faces)
    np.testing.assert_allclose(to_numpy(part.positions(0.05)), positions, atol=1e-7)  # before the poke
    worst, deepest = 0.0, 0.0
    for t in np.arange(0.0, 2.0, 1.0 / 30.0):
        moved = to_numpy(part.positions(float(t)))
        assert np.isfinite(moved).all()
        worst = max(worst, abs(volume(moved, faces) / rest_volume - 1.0))
        deepest = max(deepest, 0.05 - moved[:, 1].max())
    assert worst < 0.02, f"volume changed by {worst:.2%}"
    assert deepest > 0.5 * 0.015, "the poke should dent the top"
    recovered = to_numpy(part.positions(2.5))
    assert np.abs(recovered - positions).max() < 0.02 * 0.015  # within 2 % of the poke depth


def test_the_dent_is_local_and_the_tissue_bulges_elsewhere(ball):
    positions, faces = ball
    part = deformation(np, poke(), positions, faces)
    moved = to_numpy(part.positions(0.4))  # mid-poke
    shift = np.linalg.norm(moved - positions, axis=1)
    top, bottom = positions[:, 1] > 0.045, positions[:, 1] < -0.045
    # the finger dents the top; the body as a whole yields a little too, held by its tethers
    assert shift[top].max() > 2.5 * shift[bottom].max()
    radius = np.linalg.norm(moved, axis=1)
    assert radius[np.abs(positions[:, 1]) < 0.01].mean() > 0.05  # the equator bulges out a little


def test_replay_is_deterministic_whatever_the_frame_times(ball):
    positions, faces = ball
    stepwise = deformation(np, poke(), positions, faces)
    for t in np.arange(0.0, 0.5, 1.0 / 37.0):  # an odd display rate
        stepwise.positions(float(t))
    direct = deformation(np, poke(), positions, faces)
    np.testing.assert_array_equal(to_numpy(stepwise.positions(0.5)), to_numpy(direct.positions(0.5)))
    np.testing.assert_array_equal(to_numpy(stepwise.positions(0.3)), to_numpy(direct.positions(0.3)))  # backwards


@pytest.mark.parametrize("stiffness,substeps", [(1.0, 1), (0.0, 1), (1.0, 64), (0.0, 64)])
def test_stable_at_fixed_substeps_under_a_violent_poke(ball, stiffness, substeps):
    positions, faces = ball
    spec = poke(depth=0.2, cells=6, stiffness=stiffness, damping=0.0, substeps=substeps)  # deeper than the ball
    part = deformation(np, spec, positions, faces)
    for t in np.arange(0.0, 1.2, 1.0 / 15.0):
        moved = to_numpy(part.positions(float(t)))
        assert np.isfinite(moved).all()
        assert np.abs(moved).max() < 1.0  # nothing flies off


def test_grab_drag_release_moves_and_lets_go(ball):
    positions, faces = ball
    part = deformation(np, P.SoftTissue(kind="soft_tissue", lattice_cells=10), positions, faces)
    state = part.stage_state("soft_tissue")
    part.positions(0.0)
    soft_tissue.grab(np, state, (0.05, 0.0, 0.0), 0.01)
    soft_tissue.drag(state, (0.01, 0.0, 0.0))
    pulled = to_numpy(part.positions(0.3))
    assert pulled[:, 0].max() > 0.05 + 0.005
    soft_tissue.release(state)
    np.testing.assert_allclose(to_numpy(part.positions(3.0)), positions, atol=3e-4)


def test_warp_runs_the_same_step_to_the_same_result(ball):
    pytest.importorskip("warp")
    from renderer.deform.warp_soft_body import WarpSoftBody

    positions, faces = ball
    lattice = build_lattice(positions, faces, 8)
    material = xpbd.Material.from_knobs(0.5, 0.1)
    kick = np.random.default_rng(3).normal(0.0, 0.05, (len(lattice.nodes), 3)).astype(np.float32)
    ours = xpbd.make_body(np, lattice, material, 4)
    ours.v[:] = kick
    theirs = WarpSoftBody(xpbd.make_body(np, lattice, material, 4))
    theirs.v.assign(kick)
    for _ in range(5):
        xpbd.step(np, ours)
        theirs.step()
    moved = np.abs(ours.x - ours.rest).max()
    assert moved > 1e-4
    np.testing.assert_allclose(theirs.positions(), ours.x, atol=1e-3 * moved)


def test_model_transform_is_respected_for_the_scripted_poke(ball):
    positions, faces = ball
    model = np.eye(4)
    model[:3, 3] = (1.0, 0.0, 0.0)
    ctx = DeformContext("liver", model, np.zeros(3))
    spec = P.SoftTissue(kind="soft_tissue", lattice_cells=10, poke_m=(1.0, 0.05, 0.0), poke_depth_m=0.015,
                        poke_start_s=0.1, poke_duration_s=0.6)  # fmt: skip
    moved = to_numpy(deformation(np, spec, positions, faces, ctx).positions(0.4))
    assert 0.05 - moved[:, 1].max() > 0.005
