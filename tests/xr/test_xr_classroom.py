"""A headset follows the teacher (issue 18): `prosector xr --follow` against Monado, with a relay on
loopback and a lead link in this process. The assertions read the app's event log."""

from __future__ import annotations

from renderer.classroom.client import ClassroomLink
from renderer.classroom.protocol import LessonState
from tests.classroom_helpers import RelayThread
from tests.xr.prosector_xr import ProsectorXr


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
