"""Recorded head and controller input, replayed through Monado's remote driver into `prosector xr`:
grab and turn, point and label, next step. The assertions read the app's own event log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import recording
from monado import VALIDATION_LAYER
from prosector_xr import REPO, ProsectorXr, validation_errors

from renderer.interaction.grab import one_hand, pose_matrix

RECORDINGS = Path(__file__).resolve().parent / "recordings"


def run_recording(monado_remote, remote_rig, tmp_path, name, *args):
    env = {**monado_remote.client_env(), "XR_ENABLE_API_LAYERS": VALIDATION_LAYER}
    rec = recording.load(RECORDINGS / f"{name}.yaml")
    first_state = recording.states(rec)[0][0]
    remote_rig.send(first_state)  # the head where the recording starts, before the model is placed
    app = ProsectorXr(tmp_path, env, "--binding", "egl", "--no-governor", *args)
    app.wait_for(lambda ev: any(e["event"] == "placed" for e in ev), 60, "placement")
    app.wait_frames(app.events("placed")[0]["frame"] + 3)
    sent = recording.play(remote_rig, rec)
    app.wait_frames(app.events()[-1].get("frame", 0) + 3)
    assert app.stop() == 0, app.output()[-4000:]
    assert validation_errors(app.output()) == []
    return app, sent


def _pose(state) -> np.ndarray:
    return pose_matrix(state.pose.position, state.pose.orientation)


def test_grab_and_turn(monado_remote, remote_rig, tmp_path):
    app, sent = run_recording(monado_remote, remote_rig, tmp_path, "grab_and_turn")
    grabs = app.events("grab")
    assert [g["value"] for g in grabs] == [1, 0]
    start = np.array(grabs[0]["placement"])
    expected = one_hand(start, _pose(sent[1].right), _pose(sent[-1].right))
    final = app.summary()["placement"]
    assert np.allclose(final, expected, atol=1e-4)
    turned = final[:3, :3] @ np.linalg.inv(start[:3, :3])  # 90 degrees about +Y (counter-clockwise from above)
    assert np.allclose(turned, [[0, 0, 1], [0, 1, 0], [-1, 0, 0]], atol=1e-4)
    hand = np.array(sent[1].right.pose.position)
    assert np.allclose(final[:3, :3] @ np.linalg.solve(start[:3, :3], start[:3, 3] - hand) + hand, final[:3, 3],
                       atol=1e-4)  # turned about the hand, not about the model's origin


@pytest.mark.parametrize("language, label", [("zh", "左大脑半球"), ("en", "Left cerebral hemisphere")])
def test_point_and_label(monado_remote, remote_rig, tmp_path, language, label):
    app, _ = run_recording(monado_remote, remote_rig, tmp_path, "point_and_label", "--lang", language, "--step", "1")
    selections = app.events("select")
    assert [(s["part"], s["label"], s["language"]) for s in selections] == [("cortex_left", label, language)]
    assert [h["hand"] for h in app.events("haptic")] == ["right"]  # a pulse on selection
    summary = app.summary()
    assert summary["selected"] == "cortex_left" and summary["label"] == label
    point = np.array(selections[0]["point"])
    assert point[0] > 0  # on the patient's left (+X)


def test_next_step(monado_remote, remote_rig, tmp_path):
    app, _ = run_recording(monado_remote, remote_rig, tmp_path, "next_step", "--step", "1")
    assert [e["step"] for e in app.events("step")] == [1, 2, 1]
    assert app.summary()["step"] == 1
    assert app.events("step")[1]["title"] == "Two hemispheres"


SOFT_SCENE = Path(__file__).resolve().parents[1] / "data/xr/soft-poke.yaml"


def _liver_front_xr(placement: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The liver's centre and the front of its surface straight ahead of that centre (toward the user,
    +Z), in XR stage space: where the test's controller aims and pokes."""
    from renderer.scene.load import load_scene

    loaded = load_scene(SOFT_SCENE, asset_roots=[REPO / "assets"])  # the meshes as the app loads them
    positions = loaded.meshes["liver"].positions.astype(np.float64)
    centre = (positions.min(axis=0) + positions.max(axis=0)) / 2.0
    near_axis = np.linalg.norm(positions[:, :2] - centre[:2], axis=1) < 0.01
    front = np.array([centre[0], centre[1], positions[near_axis, 2].max()])
    to_xr = lambda p: placement[:3, :3] @ p + placement[:3, 3]  # noqa: E731
    return to_xr(centre), to_xr(front)


def test_poke_presses_soft_tissue_in_and_it_recovers(monado_remote, remote_rig, tmp_path):
    """Mode button twice (point -> clip -> poke), the trigger held 3 cm in front of the liver, the
    hand pushed 2 cm in: the tissue follows the hand; released, it springs back."""
    env = {**monado_remote.client_env(), "XR_ENABLE_API_LAYERS": VALIDATION_LAYER}
    head = {"head": {"position": [0.0, 1.6, 0.0]}}
    remote_rig.send(recording.states({"entries": [head]})[0][0])
    app = ProsectorXr(tmp_path, env, "--binding", "egl", "--no-governor", scene=SOFT_SCENE)
    app.wait_for(lambda ev: any(e["event"] == "placed" for e in ev), 60, "placement")
    placement = np.array(app.events("placed")[0]["placement"])
    app.wait_frames(app.events("placed")[0]["frame"] + 3)
    centre, front = _liver_front_xr(placement)
    start = front + np.array([0.0, 0.0, 0.03])
    pushed = start - np.array([0.0, 0.0, 0.02])
    aim = {"look_at": centre.tolist()}
    rec = {"hold_s": 1.5, "entries": [  # long holds: a loaded machine renders a frame per 0.5-1.5 s
        {**head, "left": {"position": [-0.3, 1.3, -0.3]}, "right": {"position": start.tolist(), **aim}},
        {"left": {"a_click": True}}, {"left": {"a_click": False}},  # point -> clip
        {"left": {"a_click": True}}, {"left": {"a_click": False}},  # clip -> poke
        {"right": {"trigger": 1.0, "trigger_click": True}},
        {"right": {"position": pushed.tolist(), **aim}, "hold_s": 1.5},
        {"right": {"trigger": 0.0, "trigger_click": False}, "hold_s": 3.0},
    ]}  # fmt: skip
    recording.play(remote_rig, rec)
    # 60 frames after the release: at least 3 s of tissue time (frames come at 20 Hz or slower, and the
    # deformation clock advances min(frame time, 0.1 s) per frame), enough to recover
    released = app.wait_for(lambda ev: [e for e in ev if e["event"] == "poke_end"], 30, "the poke's end")
    app.wait_frames(released[0]["frame"] + 60, timeout_s=150)
    assert app.stop() == 0, app.output()[-4000:]
    assert validation_errors(app.output()) == []
    assert [e["value"] for e in app.events("mode")] == ["clip", "poke"]
    assert [e["part"] for e in app.events("poke_start")] == ["liver"]
    pressed = app.events("poke_end")
    assert len(pressed) == 1 and 0.012 < pressed[0]["displacement_m"] < 0.03  # followed the 2 cm push
    assert app.summary()["soft_tissue_displacement_m"]["liver"] < 0.003  # and recovered after release
