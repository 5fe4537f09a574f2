"""The classroom's messages: what a teacher's view publishes and a student's view applies.

Every message is one msgpack map (never pickle: peers are untrusted) with a `t` (type) key. Decoding
checks types, sizes and ranges, so a malformed or hostile message is rejected with a reason and the
relay can drop and log it. Two kinds of data travel differently:

* **state** (step, language, highlight, clip planes, model placement): reliable and ordered; each
  carries the room's sequence number, and the newest full state is kept by the relay for followers
  that join late or come back after a reconnect;
* **pose** (teacher's head and pointer ray): lossy; a relay keeps only the newest one per sender
  and drops older ones when a link backs up.

Units: metres, scene space (Y up); matrices are row-major 4x4 lists.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import asdict, dataclass, field

import msgpack  # compact, typed, no code execution on decode (unlike pickle)

from renderer.limits import MAX_CLIP_PLANES  # what the shaders cut with

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024  # state and poses are small; lesson bundles travel in chunks of this size
BUNDLE_CHUNK_BYTES = 48 * 1024
MAX_BUNDLE_BYTES = 256 * 2**20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,127}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
ROLES = ("lead", "follow")


class ProtocolError(ValueError):
    """A message that is not one of ours, or out of bounds; the text says which field."""


@dataclass(frozen=True)
class LessonState:
    """What every follower shows: the lesson step (0-based, None: before any step), the language,
    highlighted parts, the teacher's own clip planes ((K, 4) [nx, ny, nz, d], keep n.p + d >= 0),
    and the model's placement (4x4, scene -> room) when the teacher moved it."""

    step: int | None = None
    language: str | None = None
    highlight: tuple[str, ...] = ()
    clip_planes: tuple[tuple[float, float, float, float], ...] = ()
    placement: tuple[float, ...] | None = None  # 16 floats, row-major

    def to_wire(self) -> dict:
        data = asdict(self)
        data["highlight"] = list(self.highlight)
        data["clip_planes"] = [list(p) for p in self.clip_planes]
        data["placement"] = list(self.placement) if self.placement is not None else None
        return data

    @staticmethod
    def from_wire(data) -> LessonState:
        if not isinstance(data, dict):
            raise ProtocolError("state must be a map")
        step = data.get("step")
        if step is not None and not (isinstance(step, int) and 0 <= step < 10_000):
            raise ProtocolError("state.step must be a whole number from 0, or nil")
        language = data.get("language")
        if language is not None and not (isinstance(language, str) and _LANG.match(language)):
            raise ProtocolError("state.language must be a language code such as en or zh")
        highlight = data.get("highlight", [])
        if not (isinstance(highlight, list) and len(highlight) <= 512 and all(isinstance(h, str) and _ID.match(h)
                                                                             for h in highlight)):  # fmt: skip
            raise ProtocolError("state.highlight must be a list of part ids")
        planes = data.get("clip_planes", [])
        if not (isinstance(planes, list) and len(planes) <= MAX_CLIP_PLANES):
            raise ProtocolError(f"state.clip_planes must be a list of at most {MAX_CLIP_PLANES} planes")
        clip = tuple(_floats(p, 4, "state.clip_planes[]") for p in planes)
        placement = data.get("placement")
        placement = _floats(placement, 16, "state.placement") if placement is not None else None
        return LessonState(step, language, tuple(highlight), clip, placement)


@dataclass(frozen=True)
class Pose:
    """The teacher's head (eye position and look-at target, metres, scene space) and pointer ray
    (origin and unit direction, scene space; None when not pointing)."""

    head_eye: tuple[float, float, float]
    head_target: tuple[float, float, float]
    pointer_origin: tuple[float, float, float] | None = None
    pointer_direction: tuple[float, float, float] | None = None

    def to_wire(self) -> dict:
        return {k: (list(v) if v is not None else None) for k, v in asdict(self).items()}

    @staticmethod
    def from_wire(data) -> Pose:
        if not isinstance(data, dict):
            raise ProtocolError("pose must be a map")
        eye = _floats(data.get("head_eye"), 3, "pose.head_eye")
        target = _floats(data.get("head_target"), 3, "pose.head_target")
        origin, direction = data.get("pointer_origin"), data.get("pointer_direction")
        if (origin is None) != (direction is None):
            raise ProtocolError("pose.pointer_origin and pose.pointer_direction go together")
        if origin is not None:
            origin = _floats(origin, 3, "pose.pointer_origin")
            direction = _floats(direction, 3, "pose.pointer_direction")
        return Pose(eye, target, origin, direction)


@dataclass
class Message:
    """One decoded message: `type` plus its checked fields."""

    type: str
    fields: dict = field(default_factory=dict)


def encode(message_type: str, **fields) -> bytes:
    """msgpack bytes of a message; raises ProtocolError when it would be too large."""
    data = msgpack.packb({"t": message_type, **fields}, use_bin_type=True)
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"a {message_type} message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    return data


def decode(data: bytes | str) -> Message:
    """Check and decode one message from a peer. Raises ProtocolError with the reason."""
    if isinstance(data, str):
        raise ProtocolError("text frames are not part of the protocol (binary msgpack only)")
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        raw = msgpack.unpackb(data, raw=False, strict_map_key=True)
    except Exception as exc:  # msgpack raises several types for corrupt input
        raise ProtocolError(f"not msgpack: {type(exc).__name__}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("t"), str):
        raise ProtocolError("a message is a map with a type `t`")
    kind = raw.pop("t")
    check = _CHECKS.get(kind)
    if check is None:
        raise ProtocolError(f"unknown message type {kind[:32]!r}")
    return Message(kind, check(raw))


def addressee(data: bytes) -> str | None:
    """The `to` field of an already checked message (bundle traffic is addressed to one client)."""
    try:
        to = msgpack.unpackb(data, raw=False).get("to")
    except Exception:
        return None
    return to if isinstance(to, str) else None


def now_ms() -> float:
    """Wall-clock milliseconds, for latency stamps on messages (all peers of a test share a clock)."""
    return time.time() * 1000.0


def _floats(value, count: int, what: str) -> tuple[float, ...]:
    if not (isinstance(value, list | tuple) and len(value) == count):
        raise ProtocolError(f"{what} must be {count} numbers")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or abs(v) > 1e6:
            raise ProtocolError(f"{what} must be {count} finite numbers")
        out.append(float(v))
    return tuple(out)


def _text(raw: dict, key: str, pattern: re.Pattern, what: str) -> str:
    value = raw.get(key)
    if not (isinstance(value, str) and pattern.match(value)):
        raise ProtocolError(f"{key} must be {what}")
    return value


def _check_hello(raw: dict) -> dict:
    version = raw.get("version")
    if not isinstance(version, int):
        raise ProtocolError("hello.version must be a whole number")
    role = raw.get("role")
    if role not in ROLES:
        raise ProtocolError(f"hello.role must be one of {', '.join(ROLES)}")
    token = raw.get("token")
    if not (isinstance(token, str) and 0 < len(token) <= 256):
        raise ProtocolError("hello.token must be a non-empty text of at most 256 characters")
    client = raw.get("client", "")
    if not (isinstance(client, str) and len(client) <= 64):
        raise ProtocolError("hello.client must be a short text")
    return {"version": version, "role": role, "room": _text(raw, "room", _NAME, "a room name (letters, digits, ._-)"),
            "token": token, "client": client}


def _check_state(raw: dict) -> dict:
    sent = raw.get("sent_ms")
    if sent is not None and not (isinstance(sent, int | float) and math.isfinite(sent)):
        raise ProtocolError("state.sent_ms must be a number")
    seq = raw.get("seq", 0)
    if not (isinstance(seq, int) and seq >= 0):
        raise ProtocolError("state.seq must be a whole number from 0")
    bundle = raw.get("bundle")
    if bundle is not None and not (isinstance(bundle, str) and re.fullmatch(r"[0-9a-f]{64}", bundle)):
        raise ProtocolError("state.bundle must be a SHA-256 hex digest")
    return {"state": LessonState.from_wire(raw.get("state")), "seq": seq, "sent_ms": sent, "bundle": bundle}


def _check_pose(raw: dict) -> dict:
    sent = raw.get("sent_ms")
    if sent is not None and not (isinstance(sent, int | float) and math.isfinite(sent)):
        raise ProtocolError("pose.sent_ms must be a number")
    return {"pose": Pose.from_wire(raw.get("pose")), "sent_ms": sent}


def _check_bundle_request(raw: dict) -> dict:
    digest = raw.get("bundle")
    if not (isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest)):
        raise ProtocolError("bundle_request.bundle must be a SHA-256 hex digest")
    return {"bundle": digest}


def _check_bundle_chunk(raw: dict) -> dict:
    digest = _check_bundle_request(raw)["bundle"]
    index, count, data = raw.get("index"), raw.get("count"), raw.get("data")
    if not (isinstance(count, int) and 0 < count <= MAX_BUNDLE_BYTES // BUNDLE_CHUNK_BYTES + 1):
        raise ProtocolError("bundle_chunk.count out of range")
    if not (isinstance(index, int) and 0 <= index < count):
        raise ProtocolError("bundle_chunk.index out of range")
    if not (isinstance(data, bytes) and len(data) <= BUNDLE_CHUNK_BYTES):
        raise ProtocolError("bundle_chunk.data must be bytes of at most one chunk")
    return {"bundle": digest, "index": index, "count": count, "data": data}


def _check_control(raw: dict) -> dict:
    holder = raw.get("holder")
    if holder is not None and not (isinstance(holder, str) and len(holder) <= 64):
        raise ProtocolError("control.holder must be a client name or nil")
    return {"holder": holder}


def _check_welcome(raw: dict) -> dict:
    client_id = raw.get("id")
    if not isinstance(client_id, str):
        raise ProtocolError("welcome.id must be a text")
    return {"id": client_id, "version": raw.get("version"), "holder": raw.get("holder")}


def _check_error(raw: dict) -> dict:
    reason = raw.get("reason")
    return {"reason": reason[:500] if isinstance(reason, str) else "unknown"}


_CHECKS = {
    "hello": _check_hello,
    "welcome": _check_welcome,
    "state": _check_state,
    "pose": _check_pose,
    "bundle_request": _check_bundle_request,
    "bundle_chunk": _check_bundle_chunk,
    "control": _check_control,
    "error": _check_error,
}
