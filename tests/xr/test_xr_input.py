"""Recorded head and controller input, replayed through Monado's remote driver into `prosector xr`:
grab and turn, point and label, next step. The assertions read the app's own event log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import recording
from monado import VALIDATION_LAYER
from prosector_xr import ProsectorXr, validation_errors

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
