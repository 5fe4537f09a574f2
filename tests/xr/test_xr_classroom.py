"""The headset in a classroom, against Monado with a relay on loopback: it follows a teacher (issue 18,
`prosector xr --follow`, a lead link in this process) and it leads (issue 15, `prosector xr --lead`,
followers in this process and a headless one). The assertions read the app's event log and what
the followers receive."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np

from renderer.classroom.client import ClassroomLink
from renderer.classroom.follower import followed_step
from renderer.classroom.protocol import LessonState
from renderer.classroom.session import receive_lesson
from tests.classroom_helpers import RelayThread
from tests.xr.prosector_xr import REPO, ProsectorXr


def test_headset_follows_the_teachers_step_and_language(monado, tmp_path):
    with RelayThread(token="xr-class") as relay:
        lead = ClassroomLink(relay.url, "anatomy", "xr-class", "lead").start()
        try:
            lead.wait_connected(20)
            lead.publish_state(LessonState(step=2, language="zh"))
            app = ProsectorXr(tmp_path, monado.client_env(), "--binding", "egl", "--follow", relay.url,
                              "--room", "anatomy", "--token", "xr-class")  # fmt: skip
            app.wait_state("FOCUSED")
            followed = app.wait_for(lambda ev: [e for e in ev if e["event"] == "step" and e.get("source") == "teacher"],
                                    90, "the teacher's step")  # fmt: skip
            assert followed[0]["step"] == 2
            lead.publish_state(LessonState(step=0, language="zh"))
            app.wait_for(lambda ev: [e for e in ev if e["event"] == "step" and e.get("source") == "teacher"
                                     and e["step"] == 0], 60, "the teacher's next step")  # fmt: skip
            assert app.stop() == 0, app.output()[-4000:]
            summary = app.summary()
            assert summary["step"] == 0 and summary["language"] == "zh"
            assert "Traceback" not in app.output()
        finally:
            lead.close()


def _wait_for_lesson_step(link: ClassroomLink, step: int, timeout_s: float):
    """The newest lesson state the follower link received, once it shows `step` (0-based)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        received = link.latest()
        if received is not None and received.state.step == step:
            return received
        time.sleep(0.05)
    raise AssertionError(f"the follower never saw step {step + 1}; last: {link.latest()}")


def test_headset_leads_and_followers_see_its_step(monado_remote, remote_rig, tmp_path):
    """`prosector xr --lead`: the headset's step, placement and head pose reach a follower link, the
    A button's next step reaches it too, and a headless follower (`prosector classroom follow`)
    renders the step the headset shows."""
    with RelayThread(token="xr-lead") as relay:
        app = ProsectorXr(tmp_path, monado_remote.client_env(), "--binding", "egl", "--no-governor", "--step", "1",
                          "--lead", relay.url, "--room", "anatomy", "--token", "xr-lead",
                          scene=REPO / "scenes/brain-lesson.yaml")  # a lead's lesson travels: no include from outside
        follower = ClassroomLink(relay.url, "anatomy", "xr-lead", "follow").start()
        try:
            app.wait_for(lambda ev: any(e["event"] == "placed" for e in ev), 90, "placement")
            follower.wait_connected(20)
            loaded, first = receive_lesson(follower, 60, tmp_path / "cache")
            assert followed_step(loaded, first.state) == 0  # --step 1
            assert first.state.placement is not None and len(first.state.placement) == 16
            remote_rig.set_controller("right", a_click=True)  # next step on the headset
            received = _wait_for_lesson_step(follower, 1, 60)
            remote_rig.set_controller("right", a_click=False)
            placed = np.array(app.events("placed")[-1]["placement"])
            assert np.allclose(np.array(received.state.placement).reshape(4, 4), placed, atol=1e-5)
            pose = follower.latest_pose()
            assert pose is not None and pose.pointer_origin is not None  # the head and the right hand
            head = np.array(app.events("placed")[-1]["head"])
            eye_scene = np.linalg.solve(placed, np.append(head[:3, 3], 1.0))[:3]
            assert np.allclose(pose.head_eye, eye_scene, atol=0.05)  # the head, in scene space
            shot = tmp_path / "follower.png"
            headless = subprocess.run([sys.executable, "-m", "renderer.cli", "classroom", "follow", "--relay",
                                       relay.url, "--room", "anatomy", "--token", "xr-lead", "--screenshot", str(shot),
                                       "--size", "160x120", "--cache", str(tmp_path / "cache")],
                                      cwd=REPO, env=monado_remote.client_env(), capture_output=True, text=True,
                                      timeout=180)  # fmt: skip
            assert headless.returncode == 0, headless.stdout + headless.stderr
            assert "following step 2" in headless.stdout, headless.stdout
            assert shot.stat().st_size > 0
            assert app.stop() == 0, app.output()[-4000:]
            assert app.summary()["step"] == 1
            steps = [e["step"] for e in app.events("lead")]  # also sent when the hover highlight changes
            assert [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]] == [0, 1]
            assert "Traceback" not in app.output()
        finally:
            follower.close()
            if app.proc.poll() is None:
                app.stop()
