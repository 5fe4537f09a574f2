"""A follower joining a lesson: wait for the teacher's state, get the lesson bundle it names (from
the local cache, else from the teacher through the relay), unpack and load it."""

from __future__ import annotations

from pathlib import Path

from renderer.classroom.bundle import cached_scene, default_cache_dir, unpack_bundle
from renderer.classroom.client import ClassroomLink, ClassroomRefused, Received
from renderer.errors import ProsectorError
from renderer.scene.load import LoadedScene, load_scene


def receive_lesson(link: ClassroomLink, timeout_s: float,
                   cache_dir: Path | None = None) -> tuple[LoadedScene, Received]:  # fmt: skip
    """The loaded scene the room's teacher leads, and the first state received."""
    received = link.wait_for_state(0, timeout_s)
    if link.refused:
        raise ClassroomRefused(f"the relay refused this follower: {link.refused}")
    if received is None:
        raise ProsectorError(f"no lesson state from the room's teacher within {timeout_s:g} s; is the lead running?")
    if received.bundle is None:
        raise ProsectorError("the teacher offers no lesson bundle; update Prosector on the teacher's machine")
    cache_dir = cache_dir or default_cache_dir()
    cached = cache_dir / received.bundle
    scene = cached_scene(cached)
    if scene is None:
        scene = unpack_bundle(link.fetch_bundle(received.bundle, timeout_s), received.bundle, cache_dir)
    return load_scene(scene), received
