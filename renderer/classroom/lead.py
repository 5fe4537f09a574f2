"""Leading a room, the same for every view a teacher leads from (the preview window, the headset):
the lesson state goes out when it changes (reliable, ordered), the head and pointer pose at most
30 times a second (lossy; the relay keeps only the newest)."""

from __future__ import annotations

import time

from renderer.classroom.client import ClassroomLink
from renderer.classroom.protocol import LessonState, Pose

POSE_INTERVAL_S = 1 / 30  # head poses at 30 Hz: smooth enough for follow-me, light on school links


class LeadPublisher:
    """Call `publish(state, pose)` once per frame of the leading view; it sends only what is new."""

    def __init__(self, link: ClassroomLink):
        self.link = link
        self.published: LessonState | None = None
        self._last_pose_s = float("-inf")
        self.states_sent = 0

    def publish(self, state: LessonState, pose: Pose | None = None, now_s: float | None = None) -> bool:
        """Send `state` if it differs from the last one sent, and `pose` if the last went out at least
        POSE_INTERVAL_S ago (`now_s`: time.monotonic() by default). Returns whether `state` was sent."""
        sent = state != self.published
        if sent:
            self.link.publish_state(state)
            self.published = state
            self.states_sent += 1
        now_s = time.monotonic() if now_s is None else now_s
        if pose is not None and now_s - self._last_pose_s >= POSE_INTERVAL_S:
            self._last_pose_s = now_s
            self.link.publish_pose(pose)
        return sent
