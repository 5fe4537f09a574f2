"""What the hands do in the headset, as pure logic: controller input in, model placement, tool
state and events out. The OpenXR action system fills `HandInput`; the app performs the events.

Tools: squeeze (grip) grabs the model -- one hand moves and turns it, two hands also scale it.
The trigger acts by mode, cycled with the mode button: `point` (a ray; hovering highlights, the
trigger selects a structure and shows its label), `clip` (a clipping plane held in the hand; the
trigger leaves it where it is, or picks it up again) and `poke` (the trigger presses into soft
tissue at the controller's tip and drags it). Step buttons go to the next/previous lesson step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from renderer.interaction.grab import one_hand, placement_scale, rigid_inverse, two_hands
from renderer.interaction.ray import RayHit

HANDS = ("left", "right")
MODES = ("point", "clip", "poke")
PRESS, RELEASE = 0.6, 0.35  # analog hysteresis: a half-released trigger does not flicker
POKE_REACH_M = 0.06  # how far beyond the controller tip tissue can be caught (XR metres)
POKE_RADIUS_M = 0.015  # radius of tissue held by a poke (XR metres)
BUTTONS = ("next_step", "previous_step", "mode", "timing")


@dataclass(frozen=True)
class HandInput:
    """One hand at this frame. Poses are 4x4 rigid transforms in the XR reference space (None when
    not tracked); analog values 0..1; buttons are the current boolean states."""

    grip: np.ndarray | None = None
    aim: np.ndarray | None = None
    squeeze: float = 0.0
    trigger: float = 0.0
    next_step: bool = False
    previous_step: bool = False
    mode: bool = False
    timing: bool = False


@dataclass(frozen=True)
class Event:
    """Something for the app to do. kind: step (value +1/-1), select (part_id, point_m, or None to
    clear), haptic (hand), mode (value), timing (value), poke_start (part_id, point_m, radius_m),
    poke_drag (part_id, offset_m), poke_end (part_id), grab (value: number of hands). Points and
    offsets are in scene space."""

    kind: str
    hand: str | None = None
    value: object = None
    part_id: str | None = None
    point_m: np.ndarray | None = None
    radius_m: float = 0.0


def forward(pose: np.ndarray) -> np.ndarray:
    """The pose's pointing direction (-Z of its frame), unit, in XR space."""
    return -pose[:3, 2] / (np.linalg.norm(pose[:3, 2]) or 1.0)


@dataclass
class XrControls:
    """placement: (4, 4) scene -> XR space. clip_plane: (4,) scene space [n, d] (keep n.p + d >= 0)
    while a plane is held or left in place, else None."""

    placement: np.ndarray
    mode: str = "point"
    show_timing: bool = False
    hover: dict[str, RayHit | None] = field(default_factory=lambda: {h: None for h in HANDS})
    selected: RayHit | None = None
    clip_plane: np.ndarray | None = None
    clip_frozen: bool = False
    grabbing: tuple[str, ...] = ()
    _grab_anchor: tuple[np.ndarray, dict[str, np.ndarray]] | None = None
    _held: dict[str, bool] = field(default_factory=dict)
    _buttons: dict[tuple[str, str], bool] = field(default_factory=dict)
    _poke: tuple[str, str, np.ndarray] | None = None  # hand, part, tip in scene space at the start

    # ------------------------------------------------------------------------------------------ update

    def update(self, hands: dict[str, HandInput], cast: Callable[[np.ndarray, np.ndarray, float], RayHit | None],
               soft_parts: set[str] = frozenset()) -> list[Event]:  # fmt: skip
        """Advance one frame. `cast(origin, direction, max_distance)` casts a ray in scene space."""
        events: list[Event] = []
        self._update_grab(hands, events)
        for hand in HANDS:
            events += self._update_buttons(hand, hands.get(hand, HandInput()))
        for hand in HANDS:
            self._update_tool(hand, hands.get(hand, HandInput()), cast, soft_parts, events)
        return events

    def release_all(self) -> list[Event]:
        """Focus lost: let go of everything (grabs, pokes, held triggers)."""
        events = []
        if self._poke is not None:
            events.append(Event("poke_end", self._poke[0], part_id=self._poke[1]))
            self._poke = None
        self.grabbing, self._grab_anchor = (), None
        self._held.clear()
        self._buttons.clear()
        self.hover = {h: None for h in HANDS}
        return events

    # ------------------------------------------------------------------------------------------ grab

    def _pressed(self, key: str, value: float) -> bool:
        was = self._held.get(key, False)
        now = value >= PRESS if not was else value > RELEASE
        self._held[key] = now
        return now

    def _update_grab(self, hands: dict[str, HandInput], events: list[Event]) -> None:
        holding = tuple(h for h in HANDS if hands.get(h) is not None and hands[h].grip is not None
                        and self._pressed(f"{h}.squeeze", hands[h].squeeze))  # fmt: skip
        if holding != self.grabbing:
            self.grabbing = holding
            self._grab_anchor = (self.placement.copy(), {h: hands[h].grip.copy() for h in holding}) if holding else None
            events.append(Event("grab", value=len(holding)))
            return
        if not holding:
            return
        start, poses = self._grab_anchor
        if len(holding) == 1:
            hand = holding[0]
            self.placement = one_hand(start, poses[hand], hands[hand].grip)
        else:
            self.placement = two_hands(start, poses["left"][:3, 3], poses["right"][:3, 3],
                                       hands["left"].grip[:3, 3], hands["right"].grip[:3, 3])  # fmt: skip

    # ------------------------------------------------------------------------------------------ buttons

    def _edge(self, hand: str, name: str, value: bool) -> bool:
        was = self._buttons.get((hand, name), False)
        self._buttons[(hand, name)] = value
        return value and not was

    def _update_buttons(self, hand: str, state: HandInput) -> list[Event]:
        events = []
        if self._edge(hand, "next_step", state.next_step):
            events.append(Event("step", hand, +1))
        if self._edge(hand, "previous_step", state.previous_step):
            events.append(Event("step", hand, -1))
        if self._edge(hand, "mode", state.mode):
            events += self._set_mode(MODES[(MODES.index(self.mode) + 1) % len(MODES)], hand)
        if self._edge(hand, "timing", state.timing):
            self.show_timing = not self.show_timing
            events.append(Event("timing", hand, self.show_timing))
        return events

    def _set_mode(self, mode: str, hand: str) -> list[Event]:
        events = []
        if self._poke is not None:
            events.append(Event("poke_end", self._poke[0], part_id=self._poke[1]))
            self._poke = None
        if self.mode == "clip" and not self.clip_frozen:
            self.clip_plane = None
        self.mode = mode
        self.hover = {h: None for h in HANDS}
        return events + [Event("mode", hand, mode)]

    # ------------------------------------------------------------------------------------------ tools

    def to_scene(self, pose: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Origin and unit pointing direction of an XR-space pose, in scene space."""
        inverse = np.linalg.inv(self.placement)
        origin = inverse[:3, :3] @ pose[:3, 3] + inverse[:3, 3]
        direction = inverse[:3, :3] @ forward(pose)
        return origin, direction / (np.linalg.norm(direction) or 1.0)

    def _update_tool(self, hand: str, state: HandInput, cast, soft_parts: set[str], events: list[Event]) -> None:
        pose = state.aim if state.aim is not None else state.grip
        trigger_was = self._held.get(f"{hand}.trigger", False)
        trigger = self._pressed(f"{hand}.trigger", state.trigger)
        pressed, released = trigger and not trigger_was, trigger_was and not trigger
        if pose is None or hand in self.grabbing:
            self.hover[hand] = None
            if self._poke is not None and self._poke[0] == hand and (pose is None or released):
                events.append(Event("poke_end", hand, part_id=self._poke[1]))
                self._poke = None
            return
        if self.mode == "point":
            origin, direction = self.to_scene(pose)
            self.hover[hand] = cast(origin, direction, np.inf)
            if pressed:
                self.selected = self.hover[hand]
                events.append(Event("select", hand, part_id=self.selected.part_id if self.selected else None,
                                    point_m=self.selected.point_m if self.selected else None))  # fmt: skip
                if self.selected is not None:
                    events.append(Event("haptic", hand))
        elif self.mode == "clip":
            if pressed:
                self.clip_frozen = not self.clip_frozen
                events.append(Event("haptic", hand))
            if not self.clip_frozen:
                self.clip_plane = self.plane_in_scene(pose)
        elif self.mode == "poke":
            self._update_poke(hand, pose, pressed, released, cast, soft_parts, events)

    def plane_in_scene(self, pose: np.ndarray) -> np.ndarray:
        """The plane through the controller, facing where it points, as scene-space [n, d]: what lies
        between the hand and the user is cut away, what lies beyond the hand is kept."""
        normal = forward(pose)
        plane_xr = np.append(normal, -float(normal @ pose[:3, 3]))
        plane = plane_xr @ self.placement  # a plane is a row vector: L_scene = L_xr . P
        return plane / (np.linalg.norm(plane[:3]) or 1.0)

    def _update_poke(self, hand, pose, pressed, released, cast, soft_parts, events) -> None:
        origin, direction = self.to_scene(pose)
        scale = placement_scale(self.placement)
        if pressed and self._poke is None:
            hit = cast(origin, direction, POKE_REACH_M / scale)
            if hit is not None and hit.part_id in soft_parts:
                self._poke = (hand, hit.part_id, origin.copy())
                events.append(Event("poke_start", hand, part_id=hit.part_id, point_m=hit.point_m,
                                    radius_m=POKE_RADIUS_M / scale))  # fmt: skip
                events.append(Event("haptic", hand))
        elif self._poke is not None and self._poke[0] == hand:
            if released:
                events.append(Event("poke_end", hand, part_id=self._poke[1]))
                self._poke = None
            else:
                events.append(Event("poke_drag", hand, part_id=self._poke[1], point_m=origin - self._poke[2]))

    # ------------------------------------------------------------------------------------------ queries

    @property
    def poking(self) -> str | None:
        return self._poke[1] if self._poke else None


__all__ = ["HANDS", "MODES", "Event", "HandInput", "XrControls", "forward", "rigid_inverse"]
