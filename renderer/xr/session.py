"""The OpenXR session: creation with the graphics binding, the reference space the app works in
(STAGE or LOCAL, with recentering), the VIEW space, and the session's events.
"""

from __future__ import annotations

import math
from ctypes import POINTER, byref, c_void_p, cast, pointer
from dataclasses import dataclass
from typing import Any

from renderer.gl.xr_binding import XrGraphics
from renderer.interaction.grab import pose_matrix
from renderer.xr.instance import XrInstance
from renderer.xr.runtime_info import unavailable

SPACES = ("stage", "local")


@dataclass
class SessionEvent:
    """kind: 'state' (value: the XrSessionState name), 'instance_loss', 'space_change', 'other'."""

    kind: str
    value: str | None = None


class XrSession:
    """One session. `space` is the app's reference space (all poses the app sees are in it)."""

    def __init__(self, instance: XrInstance, graphics: XrGraphics, space_kind: str = "stage"):
        xr = self.xr = instance.xr
        self.instance = instance
        graphics.context.make_current()
        info = xr.SessionCreateInfo(system_id=instance.system, next=cast(pointer(graphics.binding), c_void_p))
        try:
            self.handle = xr.create_session(instance.handle, info)
        except xr.XrException as exc:
            raise unavailable(f"the OpenXR runtime refused the session ({type(exc).__name__})") from None
        available = set(xr.enumerate_reference_spaces(self.handle))
        wanted = xr.ReferenceSpaceType.STAGE if space_kind == "stage" else xr.ReferenceSpaceType.LOCAL
        if wanted not in available:  # a seated-only runtime has no STAGE
            wanted = xr.ReferenceSpaceType.LOCAL
        self.space_type = wanted
        self.space_name = "stage" if wanted == xr.ReferenceSpaceType.STAGE else "local"
        self.space = self._reference_space(wanted, xr.Posef())
        self.view_space = self._reference_space(xr.ReferenceSpaceType.VIEW, xr.Posef())

    def _reference_space(self, kind, pose) -> Any:
        xr = self.xr
        return xr.create_reference_space(self.handle, xr.ReferenceSpaceCreateInfo(
            reference_space_type=kind, pose_in_reference_space=pose))  # fmt: skip

    def head_pose(self, display_time):
        """The head (VIEW space) in the app's space as a 4x4, or None when not tracked."""
        xr = self.xr
        location = xr.locate_space(self.view_space, self.space, display_time)
        valid = xr.SpaceLocationFlags.POSITION_VALID_BIT | xr.SpaceLocationFlags.ORIENTATION_VALID_BIT
        if (location.location_flags & valid) != valid:
            return None
        p, q = location.pose.position, location.pose.orientation
        return pose_matrix((p.x, p.y, p.z), (q.x, q.y, q.z, q.w))

    def recenter(self, display_time) -> None:
        """Make the user's current position (on the floor) and facing direction the space's origin
        and -Z. Roll and pitch are kept out, so the floor stays level."""
        xr = self.xr
        location = xr.locate_space(self.view_space, self.space, display_time)
        valid = xr.SpaceLocationFlags.POSITION_VALID_BIT | xr.SpaceLocationFlags.ORIENTATION_VALID_BIT
        if (location.location_flags & valid) != valid:
            return
        q, p = location.pose.orientation, location.pose.position
        # yaw of the head's forward (-Z) direction projected on the floor
        fx = -(2 * (q.x * q.z + q.y * q.w))
        fz = -(1 - 2 * (q.x * q.x + q.y * q.y))
        yaw = math.atan2(-fx, -fz)
        pose = xr.Posef(orientation=xr.Quaternionf(0.0, math.sin(yaw / 2), 0.0, math.cos(yaw / 2)),
                        position=xr.Vector3f(p.x, 0.0 if self.space_name == "stage" else p.y, p.z))  # fmt: skip
        new_space = self._reference_space(self.space_type, pose)
        xr.destroy_space(self.space)
        self.space = new_space

    def poll(self) -> list[SessionEvent]:
        """Drain the instance's event queue."""
        xr = self.xr
        out = []
        while True:
            try:
                event = xr.poll_event(self.instance.handle)
            except xr.EventUnavailable:
                return out
            kind = xr.StructureType(event.type)
            if kind == xr.StructureType.EVENT_DATA_SESSION_STATE_CHANGED:
                changed = cast(byref(event), POINTER(xr.EventDataSessionStateChanged)).contents
                out.append(SessionEvent("state", xr.SessionState(changed.state).name))
            elif kind == xr.StructureType.EVENT_DATA_INSTANCE_LOSS_PENDING:
                out.append(SessionEvent("instance_loss"))
            elif kind == xr.StructureType.EVENT_DATA_REFERENCE_SPACE_CHANGE_PENDING:
                out.append(SessionEvent("space_change"))
            else:
                out.append(SessionEvent("other", kind.name))

    def begin(self) -> None:
        self.xr.begin_session(self.handle, self.xr.SessionBeginInfo(self.xr.ViewConfigurationType.PRIMARY_STEREO))

    def end(self) -> None:
        self.xr.end_session(self.handle)

    def request_exit(self) -> None:
        self.xr.request_exit_session(self.handle)

    def destroy(self) -> None:
        xr = self.xr
        for space in (self.space, self.view_space):
            try:
                xr.destroy_space(space)
            except xr.XrException:
                pass
        try:
            xr.destroy_session(self.handle)
        except xr.XrException:
            pass
