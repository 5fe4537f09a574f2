"""Recorded head and controller input, replayed through Monado's remote driver.

A recording is a YAML file (metres, STAGE space, quaternions (x, y, z, w)):

    hold_s: 0.4                 # default time each entry is held (inputs are sampled, not queued)
    entries:
      - head: {position: [0, 1.6, 0]}
        right: {position: [0.2, 1.3, -0.3], squeeze: 1.0}
      - right: {rotate_y_deg: 30}          # turn the controller about its own position, vertical axis
      - right: {look_at: [0.0, 1.45, -0.6], trigger: 1.0}
        hold_s: 0.6

Each entry changes only what it names; everything else keeps its last value. Controller keys are
the fields of `monado.ControllerState` (trigger, squeeze, a_click, b_click, ...) plus `position`,
`orientation`, `look_at` (point the controller's -Z at a point) and `rotate_y_deg`.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import yaml
from monado import ControllerState, HeadState, Pose, RemoteRig, RigState

from renderer import maths


def quaternion_from_matrix(m: np.ndarray) -> tuple[float, float, float, float]:
    """(x, y, z, w) of a 3x3 rotation (Shepperd's method, w >= 0)."""
    trace = m[0, 0] + m[1, 1] + m[2, 2]
    if trace > 0:
        s = math.sqrt(trace + 1.0) * 2
        q = ((m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, 0.25 * s)
    else:
        i = int(np.argmax([m[0, 0], m[1, 1], m[2, 2]]))
        j, k = (i + 1) % 3, (i + 2) % 3
        s = math.sqrt(1.0 + m[i, i] - m[j, j] - m[k, k]) * 2
        v = [0.0, 0.0, 0.0]
        v[i] = 0.25 * s
        v[j] = (m[j, i] + m[i, j]) / s
        v[k] = (m[k, i] + m[i, k]) / s
        q = (*v, (m[k, j] - m[j, k]) / s)
    q = np.array(q) * (1 if q[3] >= 0 else -1)
    return tuple(float(x) for x in q / np.linalg.norm(q))


def look_at_orientation(position, target) -> tuple[float, float, float, float]:
    """Orientation whose -Z points from `position` to `target` (up kept near +Y)."""
    view = maths.look_at(position, target)  # rows: right, up, -forward (world -> view)
    return quaternion_from_matrix(view[:3, :3].T)


def _pose_update(pose: Pose, spec: dict) -> Pose:
    position = tuple(float(v) for v in spec.get("position", pose.position))
    orientation = tuple(float(v) for v in spec.get("orientation", pose.orientation))
    if "look_at" in spec:
        orientation = look_at_orientation(position, spec["look_at"])
    if "rotate_y_deg" in spec:
        current = maths.quaternion_matrix(orientation)[:3, :3]
        turn = maths.rotation_euler_deg((0.0, float(spec["rotate_y_deg"]), 0.0))[:3, :3]
        orientation = quaternion_from_matrix(turn @ current)
    return Pose(position=position, orientation=orientation)


def apply_entry(state: RigState, entry: dict) -> RigState:
    head = state.head
    if "head" in entry:
        head = HeadState(pose=_pose_update(head.pose, entry["head"]), views=head.views)
    hands = {}
    for side in ("left", "right"):
        if side not in entry:
            continue
        spec = dict(entry[side])
        current: ControllerState = getattr(state, side)
        pose = _pose_update(current.pose, spec)
        fields = {k: v for k, v in spec.items() if k not in ("position", "orientation", "look_at", "rotate_y_deg")}
        hands[side] = dataclasses.replace(current, pose=pose, **fields)
    return dataclasses.replace(state, head=head, **hands)


def load(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text())


def states(recording: dict) -> list[tuple[RigState, float]]:
    """The rig states of a recording and how long each is held (seconds), from Monado's reset state."""
    state, out = RigState(), []
    for entry in recording["entries"]:
        state = apply_entry(state, entry)
        out.append((state, float(entry.get("hold_s", recording.get("hold_s", 0.4)))))
    return out


def play(rig: RemoteRig, recording: dict) -> list[RigState]:
    """Send each state and hold it; returns the states sent."""
    sent = []
    for state, hold in states(recording):
        rig.send(state)
        sent.append(state)
        time.sleep(hold)
    return sent
