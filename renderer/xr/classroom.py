"""The headset in a classroom. Leading (`prosector xr --lead`): what the headset shows -- step,
language, highlighted (hovered) parts, the plane held in the hand, the model's placement -- goes out
as the lesson state, the head and the pointing hand as the pose, through the same publisher as the
preview's lead. Following (`--follow`): the teacher's state is shown when it changes.

Spaces: the protocol's poses are in scene space; the headset's are in XR space, so they go through
the inverse of `placement` (scene -> XR)."""

from __future__ import annotations

import numpy as np

from renderer.classroom.follower import followed_state, followed_step
from renderer.classroom.lead import LeadPublisher
from renderer.classroom.protocol import LessonState, Pose
from renderer.interaction.xr_controls import HandInput, XrControls, forward

LOOK_DISTANCE_M = 1.0  # the head's look-at target: this far ahead of the eyes, in XR metres
POINTING_HANDS = ("right", "left")  # the teacher's pointer: the right hand's aim, else the left's


def headset_lesson_state(step: int | None, language: str | None, controls: XrControls) -> LessonState:
    """The lesson state of what the headset shows."""
    hovered = sorted({h.part_id for h in controls.hover.values() if h is not None})
    planes = () if controls.clip_plane is None else (tuple(float(v) for v in controls.clip_plane),)
    placement = tuple(float(v) for v in np.asarray(controls.placement, dtype=np.float64).reshape(16))
    return LessonState(step=step, language=language, highlight=tuple(hovered), clip_planes=planes,
                       placement=placement)  # fmt: skip


def headset_pose(head: np.ndarray, hands: dict[str, HandInput], placement: np.ndarray) -> Pose:
    """Head (4, 4, XR space) and the pointing hand's aim as the protocol's scene-space pose."""
    to_scene = np.linalg.inv(placement)
    eye = to_scene[:3, :3] @ head[:3, 3] + to_scene[:3, 3]
    target = eye + to_scene[:3, :3] @ forward(head) * LOOK_DISTANCE_M
    origin = direction = None
    for hand in POINTING_HANDS:
        state = hands.get(hand)
        aim = None if state is None else (state.aim if state.aim is not None else state.grip)
        if aim is not None:
            origin = to_scene[:3, :3] @ aim[:3, 3] + to_scene[:3, 3]
            direction = to_scene[:3, :3] @ forward(aim)
            direction = direction / (np.linalg.norm(direction) or 1.0)
            break
    as_tuple = (lambda v: None if v is None else tuple(float(x) for x in v))  # noqa: E731
    return Pose(as_tuple(eye), as_tuple(target), as_tuple(origin), as_tuple(direction))


class HeadsetClassroom:
    """Call `tick(app, head)` once per frame of renderer.xr.app.XrApp (`head`: the head pose, (4, 4)
    XR space, or None when not tracked)."""

    def __init__(self, link):
        self.link = link
        self.lead = LeadPublisher(link) if link.role == "lead" else None
        self._followed = 0  # the classroom state last shown (ClassroomLink's count)

    def tick(self, app, head: np.ndarray | None) -> None:
        if self.lead is not None:
            state = headset_lesson_state(app.step, app.language, app.controls)
            pose = headset_pose(head, app.hands, app.controls.placement) if head is not None else None
            if self.lead.publish(state, pose):
                app.log.write("lead", step=state.step, highlight=list(state.highlight),
                              clip=len(state.clip_planes), frame=app.rendered)  # fmt: skip
            return
        received = self.link.latest()
        if received is None or received.seq == self._followed:
            return
        self._followed = received.seq
        app.base_state = followed_state(app.loaded, received.state)
        app.step, app.language = followed_step(app.loaded, received.state), app.base_state.language
        app.log.write("step", step=app.step, title=app.base_state.title, frame=app.rendered, source="teacher")

    def close(self) -> None:
        self.link.close()
