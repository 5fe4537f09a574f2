"""Controller input through the OpenXR action system: one action set, suggested bindings for five
interaction profiles, grip and aim pose spaces, reading `HandInput`s, and haptic pulses.

Which button does what (the runtime may let the user rebind):
  simple controller: select = trigger (point/select, clip, poke), menu = next step; no grab.
  Oculus Touch: squeeze = grab, trigger, A = next step, B = previous step, X = mode, Y = timing,
                thumbstick click = recenter.
  Valve Index: squeeze = grab, trigger, A = next, B = previous (right hand); A = mode, B = timing
               (left hand); thumbstick click = recenter.
  HTC Vive: squeeze click = grab, trigger, menu = next (right) / previous (left), trackpad click = mode.
  WMR motion controller: squeeze click = grab, trigger, menu = next (right) / previous (left),
               thumbstick click = mode, trackpad click = timing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from renderer.interaction.grab import pose_matrix
from renderer.interaction.xr_controls import HANDS, HandInput

# name -> OpenXR action type name
ACTIONS = {
    "grip_pose": "POSE_INPUT", "aim_pose": "POSE_INPUT", "squeeze": "FLOAT_INPUT", "trigger": "FLOAT_INPUT",
    "next_step": "BOOLEAN_INPUT", "previous_step": "BOOLEAN_INPUT", "mode": "BOOLEAN_INPUT",
    "timing": "BOOLEAN_INPUT", "recenter": "BOOLEAN_INPUT", "haptic": "VIBRATION_OUTPUT",
}  # fmt: skip

_BOTH = {"grip_pose": "input/grip/pose", "aim_pose": "input/aim/pose", "haptic": "output/haptic"}

# profile -> list of (action, hand or None for both, input path under /user/hand/<hand>/)
BINDINGS: dict[str, list[tuple[str, str | None, str]]] = {
    "/interaction_profiles/khr/simple_controller": [
        ("trigger", None, "input/select/click"), ("next_step", None, "input/menu/click"),
    ],
    "/interaction_profiles/oculus/touch_controller": [
        ("squeeze", None, "input/squeeze/value"), ("trigger", None, "input/trigger/value"),
        ("next_step", "right", "input/a/click"), ("previous_step", "right", "input/b/click"),
        ("mode", "left", "input/x/click"), ("timing", "left", "input/y/click"),
        ("recenter", None, "input/thumbstick/click"),
    ],
    "/interaction_profiles/valve/index_controller": [
        ("squeeze", None, "input/squeeze/value"), ("trigger", None, "input/trigger/value"),
        ("next_step", "right", "input/a/click"), ("previous_step", "right", "input/b/click"),
        ("mode", "left", "input/a/click"), ("timing", "left", "input/b/click"),
        ("recenter", None, "input/thumbstick/click"),
    ],
    "/interaction_profiles/htc/vive_controller": [
        ("squeeze", None, "input/squeeze/click"), ("trigger", None, "input/trigger/value"),
        ("next_step", "right", "input/menu/click"), ("previous_step", "left", "input/menu/click"),
        ("mode", None, "input/trackpad/click"),
    ],
    "/interaction_profiles/microsoft/motion_controller": [
        ("squeeze", None, "input/squeeze/click"), ("trigger", None, "input/trigger/value"),
        ("next_step", "right", "input/menu/click"), ("previous_step", "left", "input/menu/click"),
        ("mode", None, "input/thumbstick/click"), ("timing", None, "input/trackpad/click"),
    ],
}  # fmt: skip


def binding_paths(profile: str) -> list[tuple[str, str]]:
    """(action, full input path) pairs suggested for `profile` (both hands expanded)."""
    out = []
    for action, hand, path in [(a, None, p) for a, p in _BOTH.items()] + BINDINGS[profile]:
        for h in (HANDS if hand is None else (hand,)):
            out.append((action, f"/user/hand/{h}/{path}"))
    return out


@dataclass
class HandReading:
    """What `read` returns: the `HandInput` and whether recenter was pressed this frame."""

    hands: dict[str, HandInput]
    recenter: bool
    profiles: dict[str, str | None]


class XrActions:
    def __init__(self, xr, instance, session):
        self.xr, self.instance, self.session = xr, instance, session
        self.hand_paths = {h: xr.string_to_path(instance, f"/user/hand/{h}") for h in HANDS}
        self.action_set = xr.create_action_set(instance, xr.ActionSetCreateInfo(
            action_set_name="prosector", localized_action_set_name="Prosector", priority=0))  # fmt: skip
        self.actions: dict[str, Any] = {}
        for name, kind in ACTIONS.items():
            self.actions[name] = xr.create_action(self.action_set, xr.ActionCreateInfo(
                action_type=getattr(xr.ActionType, kind), action_name=name.replace("_", "-"),
                localized_action_name=name.replace("_", " "), subaction_paths=list(self.hand_paths.values())))
        self.suggested: list[str] = []
        for profile in BINDINGS:
            bindings = [xr.ActionSuggestedBinding(self.actions[a], xr.string_to_path(instance, p))
                        for a, p in binding_paths(profile)]  # fmt: skip
            try:
                xr.suggest_interaction_profile_bindings(instance, xr.InteractionProfileSuggestedBinding(
                    interaction_profile=xr.string_to_path(instance, profile), suggested_bindings=bindings))
                self.suggested.append(profile)
            except xr.XrException:
                pass  # a runtime that does not know a profile rejects only that profile's bindings
        xr.attach_session_action_sets(session, xr.SessionActionSetsAttachInfo(action_sets=[self.action_set]))
        self.spaces = {(pose, h): xr.create_action_space(session, xr.ActionSpaceCreateInfo(
            action=self.actions[pose], subaction_path=p, pose_in_action_space=xr.Posef()))
            for pose in ("grip_pose", "aim_pose") for h, p in self.hand_paths.items()}  # fmt: skip
        self._recenter_was = False

    def sync(self) -> bool:
        """xrSyncActions; False when the session is not focused (no input this frame)."""
        xr = self.xr
        try:
            xr.sync_actions(self.session, xr.ActionsSyncInfo(
                active_action_sets=[xr.ActiveActionSet(self.action_set, xr.NULL_PATH)]))  # fmt: skip
        except xr.SessionNotFocused:
            return False
        return True

    def read(self, space, display_time) -> HandReading:
        xr = self.xr
        hands, recenter = {}, False
        for hand, sub in self.hand_paths.items():
            values = {}
            for name in ("squeeze", "trigger"):
                state = xr.get_action_state_float(self.session, xr.ActionStateGetInfo(self.actions[name], sub))
                values[name] = float(state.current_state) if state.is_active else 0.0
            for name in ("next_step", "previous_step", "mode", "timing", "recenter"):
                state = xr.get_action_state_boolean(self.session, xr.ActionStateGetInfo(self.actions[name], sub))
                values[name] = bool(state.is_active and state.current_state)
            recenter |= values.pop("recenter")
            hands[hand] = HandInput(grip=self._locate("grip_pose", hand, space, display_time),
                                    aim=self._locate("aim_pose", hand, space, display_time), **values)  # fmt: skip
        pressed = recenter and not self._recenter_was
        self._recenter_was = recenter
        return HandReading(hands, pressed, self.profiles())

    def profiles(self) -> dict[str, str | None]:
        xr = self.xr
        out = {}
        for hand, sub in self.hand_paths.items():
            path = xr.get_current_interaction_profile(self.session, sub).interaction_profile
            out[hand] = xr.path_to_string(self.instance, path) if path else None
        return out

    def _locate(self, pose: str, hand: str, space, display_time) -> np.ndarray | None:
        xr = self.xr
        active = xr.get_action_state_pose(self.session, xr.ActionStateGetInfo(self.actions[pose],
                                                                              self.hand_paths[hand]))  # fmt: skip
        if not active.is_active:
            return None
        location = xr.locate_space(self.spaces[(pose, hand)], space, display_time)
        need = xr.SpaceLocationFlags.POSITION_VALID_BIT | xr.SpaceLocationFlags.ORIENTATION_VALID_BIT
        if (location.location_flags & need) != need:
            return None
        p, q = location.pose.position, location.pose.orientation
        return pose_matrix((p.x, p.y, p.z), (q.x, q.y, q.z, q.w))

    def haptic(self, hand: str, amplitude: float = 0.6, duration_s: float = 0.05) -> None:
        xr = self.xr
        vibration = xr.HapticVibration(duration=int(duration_s * 1e9), frequency=xr.FREQUENCY_UNSPECIFIED,
                                       amplitude=amplitude)  # fmt: skip
        xr.apply_haptic_feedback(self.session, xr.HapticActionInfo(self.actions["haptic"], self.hand_paths[hand]),
                                 cast_header(xr, vibration))  # fmt: skip

    def destroy(self) -> None:
        xr = self.xr
        for space in self.spaces.values():
            try:
                xr.destroy_space(space)
            except xr.XrException:
                pass
        try:
            xr.destroy_action_set(self.action_set)
        except xr.XrException:
            pass


def cast_header(xr, vibration):
    """xrApplyHapticFeedback takes the vibration as an XrHapticBaseHeader pointer."""
    from ctypes import POINTER, cast, pointer

    return cast(pointer(vibration), POINTER(xr.HapticBaseHeader)).contents
