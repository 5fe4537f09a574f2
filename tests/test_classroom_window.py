"""A classroom of two windows under Xvfb (issue 18): the teacher's preview leads, a student's preview
follows through a loopback relay; keys pressed in the teacher's window move the student's."""

from __future__ import annotations

from tests.classroom_helpers import RelayThread
from tests.conftest import SCENES
from tests.test_preview_window import preview_factory  # noqa: F401  (the fixture)


def test_student_window_follows_the_teachers_steps(preview_factory):  # noqa: F811
    with RelayThread(token="class-token") as relay:
        room = ("--room", "anatomy-7", "--token", "class-token")
        teacher = preview_factory(str(SCENES / "brain-lesson.yaml"), "--size", "320x240", "--lead", relay.url, *room)
        teacher.wait_for("loaded ")
        student = preview_factory("--size", "320x240", "--follow", relay.url, *room)
        student.wait_for("loaded ")
        teacher.find_window()
        teacher.xdotool("windowfocus", "--sync", teacher.window)  # the student's window opened last, with the focus
        teacher.key("n", "n")  # step 3 in the teacher's window
        teacher.wait_for("step 3/")
        student.wait_for("step 3/", timeout_s=60)
        teacher.xdotool("windowfocus", "--sync", teacher.window)
        teacher.key("b")
        student.wait_for("step 2/", timeout_s=60)
        student.find_window()
        student.xdotool("windowfocus", "--sync", student.window)
        assert student.close() == 0
        teacher.xdotool("windowfocus", "--sync", teacher.window)
        assert teacher.close() == 0
        assert relay.relay.stats["refused_token"] == 0
