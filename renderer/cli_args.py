"""Argument types for the command line, each failing with a message that shows a correct example."""

from __future__ import annotations

import argparse
import math
from pathlib import Path


def size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080); 16..8192 per side."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise argparse.ArgumentTypeError(f"size {text!r}: each side must be between 16 and 8192 pixels")
    return width, height


def vec3(text: str) -> tuple[float, float, float]:
    """'0,0.1,0.5' -> (0.0, 0.1, 0.5), metres."""
    try:
        values = tuple(float(p) for p in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y,Z in metres, e.g. 0,0.1,0.6") from None
    if len(values) != 3 or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y,Z in metres, e.g. 0,0.1,0.6")
    return values  # type: ignore[return-value]


def fov(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"field of view {text!r} is not a number of degrees, e.g. 35") from None
    if not 1.0 < value < 170.0:
        raise argparse.ArgumentTypeError("the vertical field of view must lie between 1 and 170 degrees")
    return value


def ipd(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"IPD {text!r} is not a distance in metres, e.g. 0.063") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError("the IPD is in metres and must lie in (0, 1], e.g. 0.063")
    return value


def ao_radius(text: str) -> float:
    """A reach in metres, or 'unbounded' / 'inf' (the whole scene) -> math.inf."""
    if text.strip().lower() in ("unbounded", "inf", "infinite", "none"):
        return math.inf
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"AO radius {text!r} is not metres or 'unbounded', e.g. 0.02") from None
    if not (math.isfinite(value) and value > 0.0):
        raise argparse.ArgumentTypeError("the AO radius must be a positive number of metres, or 'unbounded'")
    return value


def samples(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of samples, e.g. 64") from None
    if not 1 <= value <= 4096:
        raise argparse.ArgumentTypeError("the number of samples must lie between 1 and 4096")
    return value


def step(text: str) -> int:
    """Lesson step number, counted from 1 as teachers do; 0 is the scene as declared, before any step."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"step {text!r} is not a whole number, e.g. --step 2") from None
    if value < 0:
        raise argparse.ArgumentTypeError("steps are numbered from 1 (0: the scene before any step)")
    return value


def language(text: str) -> str:
    from renderer.scene.fields import LANGUAGE

    if not LANGUAGE.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a language code such as en, zh, es, fr, pt-BR")
    return text


def seconds(text: str) -> float:
    """'0.35' -> 0.35 seconds; 0..86400."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"time {text!r} is not a number of seconds, e.g. 0.35") from None
    if not 0.0 <= value <= 86400.0:
        raise argparse.ArgumentTypeError("the time is in seconds and must lie between 0 and 86400, e.g. 0.35")
    return value


def frame_count(text: str) -> int:
    """How many frames a scripted preview draws before it exits (1..100000)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"frame count {text!r} is not a whole number, e.g. --frames 3") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError("--frames must lie between 1 and 100000")
    return value


def asset_root_option(parser: argparse.ArgumentParser) -> None:
    """`--asset-root DIR` (repeatable), for every command that reads a scene's assets."""
    parser.add_argument("--asset-root", type=Path, action="append", default=[], metavar="DIR",
                        help="also allow assets from this folder (repeatable)")  # fmt: skip


def classroom_options(parser: argparse.ArgumentParser, lead_help: str, follow_help: str):
    """`--lead/--follow URL --room --token --ca`, the same on every app that can join a classroom;
    returns the group so an app can add its own (the window's `--view`)."""
    classroom = parser.add_argument_group("classroom (docs/classroom.md)")
    classroom.add_argument("--lead", metavar="URL", help=lead_help)
    classroom.add_argument("--follow", metavar="URL", help=follow_help)
    classroom.add_argument("--room", help="the classroom's room name")
    classroom.add_argument("--token", help="the room's token")
    classroom.add_argument("--ca", type=Path, help="CA certificate of a self-signed relay")
    return classroom
