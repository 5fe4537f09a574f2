"""The preview window in a classroom: as the lead it publishes what the teacher shows (step,
language, highlighted parts, the viewer's own section plane) when it changes, and its camera as
the teacher's head pose; as a follower it shows the teacher's state, and with `--view teacher`
looks through the teacher's eyes."""

from __future__ import annotations

from renderer.classroom.client import ClassroomLink
from renderer.classroom.lead import LeadPublisher
from renderer.classroom.protocol import LessonState, Pose
from renderer.interaction.orbit import OrbitCamera
from renderer.interaction.preview_state import PreviewState, scene_languages, viewer_plane_equation


def lesson_state_of(preview: PreviewState, orbit: OrbitCamera | None) -> LessonState:
    """What the teacher's window shows, as the classroom's lesson state."""
    planes = ()
    if preview.viewer_plane and orbit is not None:
        planes = (tuple(float(v) for v in viewer_plane_equation(orbit, preview.viewer_plane_offset_m)),)
    highlight = tuple(sorted(part for part, on in preview.highlighted.items() if on))
    return LessonState(step=preview.step, language=preview.language, highlight=highlight, clip_planes=planes)


class PreviewClassroom:
    """Call `tick(app)` once per loop iteration of the preview (renderer.preview.app.PreviewApp)."""

    def __init__(self, link: ClassroomLink, view: str = "free"):
        self.link, self.view = link, view
        self.lead = LeadPublisher(link)
        self._applied = 0
        self._pose_seen: Pose | None = None

    def tick(self, app) -> None:
        if app.loaded is None:
            return
        if self.link.role == "lead":
            self._lead(app)
        else:
            self._follow(app)

    def _lead(self, app) -> None:
        """The teacher's camera is their head pose (a window has no pointer)."""
        pose = None
        if app.orbit is not None:
            eye, target = (tuple(float(v) for v in p) for p in (app.orbit.eye_m, app.orbit.target_m))
            pose = Pose(eye, target)
        self.lead.publish(lesson_state_of(app.preview, app.orbit), pose)

    def _follow(self, app) -> None:
        received = self.link.latest()
        if received is not None and received.seq != self._applied:
            self._applied = received.seq
            lesson, scene = received.state, app.loaded.scene
            if lesson.language in scene_languages(scene):
                app.preview.language = lesson.language
            app.preview.highlighted = {part: True for part in lesson.highlight if part in scene.parts}
            if lesson.step is not None:
                app.go_to_step(lesson.step)
            app.state_dirty = True
        pose = self.link.latest_pose()
        if self.view == "teacher" and pose is not None and pose != self._pose_seen and app.orbit is not None:
            self._pose_seen = pose
            camera = app.orbit.to_camera().model_copy(update={"eye_m": pose.head_eye, "target_m": pose.head_target})
            app.orbit = OrbitCamera.from_camera(camera)
            app.transition = None
            app.scene_dirty = True

    def close(self) -> None:
        self.link.close()
