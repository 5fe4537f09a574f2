"""Background loading and file watching of the preview (no window: threads and files only)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from renderer.preview.reload import FileWatcher, SceneLoader

SCENE = """version: 1
parts:
  ball: {mesh: sphere.glb, material: MATERIAL}
  floor: {mesh: slab.glb, material: bone}
"""


def wait_for_outcome(loader: SceneLoader, timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        outcome = loader.poll()
        if outcome is not None:
            return outcome
        time.sleep(0.02)
    raise AssertionError("the background load did not finish")


def write(path: Path, material: str) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(SCENE.replace("MATERIAL", material))
    os.replace(temporary, path)


def test_loads_in_the_background_and_lists_the_files_to_watch(sphere_on_plane):
    path = sphere_on_plane.parent / "edit.yaml"
    write(path, "muscle")
    loader = SceneLoader(path)
    loader.start()
    assert loader.busy  # start() hands the work to a thread and returns
    outcome = wait_for_outcome(loader)
    assert outcome.problems == [] and set(outcome.loaded.meshes) == {"ball", "floor"}
    assert {p.name for p in outcome.files} == {"edit.yaml", "sphere.glb", "slab.glb"}
    assert not loader.busy and loader.poll() is None


def test_an_invalid_file_gives_positioned_problems_not_an_exception(sphere_on_plane):
    path = sphere_on_plane.parent / "edit.yaml"
    write(path, "musle")
    loader = SceneLoader(path)
    loader.start()
    outcome = wait_for_outcome(loader)
    assert outcome.loaded is None
    assert outcome.problems[0].startswith(f"{path}:3:") and "did you mean 'muscle'" in outcome.problems[0]
    assert path in outcome.files  # still watched, so fixing it reloads


def test_the_watcher_sees_a_save_once(sphere_on_plane):
    path = sphere_on_plane.parent / "edit.yaml"
    write(path, "muscle")
    watcher = FileWatcher()
    watcher.watch([path])
    assert not watcher.changed()
    write(path, "bone, opacity: 0.5")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # a distinct time even on coarse clocks
    assert watcher.changed() and not watcher.changed()
    path.unlink()
    assert watcher.changed()
