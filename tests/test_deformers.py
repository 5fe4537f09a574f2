"""NumPy reference tests of every deformer (and the same tests on CuPy when a GPU is present): rest shape
where promised, volume where promised, smooth in time, finite under extreme parameters."""

from __future__ import annotations

import numpy as np
import pytest
from deform_helpers import BACKENDS, assert_smooth, capsule, deformation, sample, volume

from renderer.deform.frames import DeformContext, DeformError
from renderer.deform.geometry import to_numpy, topology, vertex_normals
from renderer.scene import deformers as P
from renderer.scene.meshes import vertex_normals as reference_normals

TIMES = np.linspace(0.0, 3.0, 271)  # 1/90 s steps
DT = TIMES[1] - TIMES[0]


@pytest.fixture(scope="module")
def tube():
    return capsule()


@pytest.mark.parametrize("xp", BACKENDS)
def test_normals_match_the_loader_and_point_outward(xp, tube):
    positions, faces = tube
    normals = to_numpy(vertex_normals(xp, xp.asarray(positions), topology(xp, faces, len(positions))))
    expected = reference_normals(positions.astype(np.float64), faces.astype(np.int64))
    assert normals.dtype == np.float32
    np.testing.assert_allclose(normals, expected, atol=2e-5)
    assert (np.einsum("ij,ij->i", normals, positions) > 0).all()  # outward on a convex shape


@pytest.mark.parametrize("xp", BACKENDS)
def test_heartbeat_rests_between_beats_and_contracts_from_base_to_apex(xp, tube):
    positions, faces = tube
    spec = P.Heartbeat(kind="heartbeat", rate_bpm=60, contraction=0.2, base_m=(0, 0.1, 0), apex_m=(0, -0.1, 0))
    part = deformation(xp, spec, positions, faces)
    for t in (0.0, 1.0, 2.0, 0.95):  # whole beats, and late diastole
        np.testing.assert_allclose(to_numpy(part.positions(t)), positions, atol=1e-6)
    early = to_numpy(part.positions(0.06))  # the wave has reached the base, not yet the apex
    radius = np.linalg.norm(positions[:, [0, 2]], axis=1)
    moved = np.linalg.norm(early[:, [0, 2]], axis=1) / np.maximum(radius, 1e-9)
    base, apex = positions[:, 1] > 0.06, positions[:, 1] < -0.06
    assert moved[base].mean() < moved[apex].mean() < 1.0
    peak = to_numpy(part.positions(0.25))
    assert volume(peak, faces) < 0.8 * volume(positions, faces)  # the ventricles eject
    assert_smooth(sample(part, TIMES), DT, max_speed=0.5, max_accel=60.0)


@pytest.mark.parametrize("xp", BACKENDS)
def test_breathing_lung_expands_toward_the_diaphragm(xp, tube):
    positions, faces = tube
    spec = P.Breathing(kind="breathing", rate_per_min=15, depth=0.1)
    part = deformation(xp, spec, positions, faces)
    np.testing.assert_allclose(to_numpy(part.positions(0.0)), positions, atol=1e-7)
    np.testing.assert_allclose(to_numpy(part.positions(4.0)), positions, atol=1e-6)
    full = to_numpy(part.positions(2.0))
    assert volume(full, faces) > 1.1 * volume(positions, faces)
    shift = full[:, 1] - positions[:, 1]
    assert abs(shift[positions[:, 1].argmax()]) < 1e-6  # the apex stays
    assert shift[positions[:, 1].argmin()] == pytest.approx(-0.1 * 0.2, rel=1e-3)  # the base descends
    assert_smooth(sample(part, TIMES), DT, max_speed=0.05, max_accel=0.2)


@pytest.mark.parametrize("xp", BACKENDS)
def test_diaphragm_dome_descends_in_the_middle_not_at_the_rim(xp):
    import trimesh

    disc = trimesh.creation.cylinder(radius=0.14, height=0.006, sections=48)
    disc.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, (1, 0, 0)))
    positions, faces = np.asarray(disc.vertices, np.float32), np.asarray(disc.faces, np.int32)
    part = deformation(xp, P.Breathing(kind="breathing", depth=0.1, role="diaphragm"), positions, faces)
    full = to_numpy(part.positions(60.0 / 14.0 / 2.0))
    drop = positions[:, 1] - full[:, 1]
    r = np.linalg.norm(positions[:, [0, 2]], axis=1)
    assert drop[r < 0.01].min() > 0.9 * 0.1 * 0.14
    assert drop[r > 0.139].max() < 1e-4
    np.testing.assert_allclose(full[:, [0, 2]], positions[:, [0, 2]], atol=1e-7)


@pytest.mark.parametrize("xp", BACKENDS)
def test_muscle_shortens_bulges_and_keeps_its_volume(xp, tube):
    positions, faces = tube
    spec = P.MuscleContraction(kind="muscle_contraction", shortening=0.3, period_s=2.0,
                               origin_m=(0, 0.1, 0), insertion_m=(0, -0.1, 0))  # fmt: skip
    part = deformation(xp, spec, positions, faces)
    rest_volume = volume(positions, faces)
    frames = sample(part, TIMES)
    np.testing.assert_allclose(frames[0], positions, atol=1e-6)
    np.testing.assert_allclose(frames[180], positions, atol=2e-6)  # t = 2 s, one period
    volumes = np.array([volume(f, faces) for f in frames[::10]])
    np.testing.assert_allclose(volumes / rest_volume, 1.0, atol=2e-5)
    peak = frames[90]  # t = 1 s: full contraction
    assert peak[:, 1].min() == pytest.approx(-0.1 + 0.3 * 0.2, abs=1e-5)  # the insertion end moved up
    middle = np.abs(positions[:, 1]) < 0.01
    radius = np.linalg.norm(positions[middle][:, [0, 2]], axis=1)
    widen = np.linalg.norm(peak[middle][:, [0, 2]], axis=1) / radius
    assert widen.min() > 1.1
    assert_smooth(frames, DT, max_speed=0.1, max_accel=0.5)


def _elbow_bones(rotation=(0.0, 0.0, 90.0)):
    return [P.Bone(name="upper", head_m=(0, 0.1, 0), tail_m=(0, 0, 0)),
            P.Bone(name="fore", parent="upper", head_m=(0, 0, 0), tail_m=(0, -0.1, 0),
                   rotation_deg=rotation)]  # fmt: skip


@pytest.mark.parametrize("xp", BACKENDS)
@pytest.mark.parametrize("method", ["linear", "dual_quaternion"])
def test_skinning_bends_at_the_joint_and_carries_the_distal_part_rigidly(xp, tube, method):
    positions, faces = tube
    spec = P.Skinning(kind="skinning", method=method, bones=_elbow_bones(), period_s=2.0)
    part = deformation(xp, spec, positions, faces)
    np.testing.assert_allclose(to_numpy(part.positions(0.0)), positions, atol=1e-6)
    bent = to_numpy(part.positions(1.0)).astype(np.float64)  # full flexion: 90 degrees about Z
    tip = positions[:, 1] < -0.08
    turned = positions[tip] @ np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]], float).T
    np.testing.assert_allclose(bent[tip], turned, atol=2e-3)
    top = positions[:, 1] > 0.06
    np.testing.assert_allclose(bent[top], positions[top], atol=2e-3)
    assert_smooth(sample(part, TIMES), DT, max_speed=0.5, max_accel=5.0)


def test_dual_quaternions_keep_the_elbow_fuller_than_linear_blending(tube):
    positions, faces = tube
    rest = volume(positions, faces)
    kept = {}
    for method in ("linear", "dual_quaternion"):
        spec = P.Skinning(kind="skinning", method=method, bones=_elbow_bones((0, 0, 150)), period_s=2.0)
        kept[method] = volume(to_numpy(deformation(np, spec, positions, faces).positions(1.0)), faces) / rest
    assert kept["linear"] < kept["dual_quaternion"] <= 1.02
    assert kept["dual_quaternion"] > 0.95


def test_skinning_rejects_a_bone_cycle_with_a_clear_message(tube):
    bones = [P.Bone(name="a", parent="b", head_m=(0, 0, 0), tail_m=(0, 1, 0)),
             P.Bone(name="b", parent="a", head_m=(0, 1, 0), tail_m=(0, 2, 0))]  # fmt: skip
    with pytest.raises(DeformError, match="cycle"):
        deformation(np, P.Skinning(kind="skinning", bones=bones), *tube)


@pytest.mark.parametrize("xp", BACKENDS)
def test_exploded_view_moves_the_part_rigidly_away_from_the_centre(xp, tube):
    positions, faces = tube
    ctx = DeformContext("left", np.eye(4), np.array([-0.2, 0.0, 0.0]))
    part = deformation(xp, P.ExplodedView(kind="exploded_view", distance_m=0.05, duration_s=1.0), positions, faces, ctx)
    np.testing.assert_allclose(to_numpy(part.positions(0.0)), positions)
    for t in (1.0, 5.0):
        np.testing.assert_allclose(to_numpy(part.positions(t)) - positions, np.tile([0.05, 0, 0], (len(positions), 1)),
                                   atol=1e-6)  # fmt: skip
    assert_smooth(sample(part, TIMES), DT, max_speed=0.1, max_accel=1.0)


def test_exploded_view_follows_the_part_transform():
    positions, faces = capsule()
    model = np.diag([2.0, 2.0, 2.0, 1.0])
    model[:3, 3] = (1.0, 0.0, 0.0)
    ctx = DeformContext("p", model, np.zeros(3))
    part = deformation(np, P.ExplodedView(kind="exploded_view", distance_m=0.1), positions, faces, ctx)
    scene_offset = (to_numpy(part.positions(10.0)) - positions) * 2.0  # back to scene space
    np.testing.assert_allclose(scene_offset, np.tile([0.1, 0, 0], (len(positions), 1)), atol=1e-6)


EXTREMES = [
    P.Heartbeat(kind="heartbeat", rate_bpm=240, contraction=0.5),
    P.Breathing(kind="breathing", rate_per_min=60, depth=0.4, axis=(1, 1, 1)),
    P.Breathing(kind="breathing", rate_per_min=60, depth=0.4, role="diaphragm"),
    P.MuscleContraction(kind="muscle_contraction", shortening=0.6, period_s=0.06),
    P.Skinning(kind="skinning", method="dual_quaternion", bones=_elbow_bones((180, 180, 180)), period_s=0.06),
    P.Skinning(kind="skinning", method="linear", bones=_elbow_bones((180, 0, 180)), period_s=0.06),
    P.ExplodedView(kind="exploded_view", distance_m=10.0, duration_s=0.001),
]


@pytest.mark.parametrize("xp", BACKENDS)
@pytest.mark.parametrize("spec", EXTREMES, ids=lambda s: s.kind)
def test_no_nan_under_extreme_parameters(xp, tube, spec):
    positions, faces = tube
    part = deformation(xp, spec, positions, faces)
    for t in np.linspace(0.0, 7.3, 53).tolist() + [1e4, 86400.0]:
        moved, normals = part.evaluate(t)
        assert np.isfinite(to_numpy(moved)).all() and np.isfinite(to_numpy(normals)).all(), (spec.kind, t)


def test_muscle_on_a_degenerate_axis_is_a_clear_error(tube):
    spec = P.MuscleContraction(kind="muscle_contraction", origin_m=(0, 0, 0), insertion_m=(0, 0, 0))
    with pytest.raises(DeformError, match="no direction"):
        deformation(np, spec, *tube)


def test_deformers_chain_in_declaration_order(tube):
    positions, faces = tube
    muscle = P.MuscleContraction(kind="muscle_contraction", shortening=0.2, origin_m=(0, 0.1, 0),
                                 insertion_m=(0, -0.1, 0))  # fmt: skip
    explode = P.ExplodedView(kind="exploded_view", distance_m=0.05, direction=(0, 0, 1), duration_s=0.5)
    both = to_numpy(PartDeformation_(np, positions, faces, [muscle, explode]).positions(1.0))
    alone = to_numpy(deformation(np, muscle, positions, faces).positions(1.0))
    np.testing.assert_allclose(both, alone + np.array([0, 0, 0.05], np.float32), atol=1e-6)


def PartDeformation_(xp, positions, faces, specs):  # noqa: N802 - a local alias for readability
    from renderer.deform.pipeline import PartDeformation

    return PartDeformation(xp, positions, faces, specs, DeformContext())


def test_translation_only_chain_reuses_rest_normals_and_they_are_right():
    import trimesh

    from renderer.deform.frames import DeformContext
    from renderer.deform.geometry import topology, vertex_normals
    from renderer.deform.pipeline import PartDeformation
    from renderer.scene.deformers import ExplodedView

    sphere = trimesh.creation.icosphere(subdivisions=3, radius=0.05)
    rest = np.asarray(sphere.vertices, np.float32)
    faces = np.asarray(sphere.faces)
    spec = ExplodedView(kind="exploded_view", distance_m=0.1, direction=(1.0, 0.0, 0.0))
    part = PartDeformation(np, rest, faces, [spec], DeformContext())
    positions, normals = part.evaluate(10.0)
    assert np.abs(positions - rest).max() > 0.05
    np.testing.assert_allclose(normals, vertex_normals(np, positions, topology(np, faces, len(rest))), atol=1e-5)
