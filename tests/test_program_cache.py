"""The on-disk cache of linked GL programs (renderer/gl/program_cache.py), on the real Mesa driver:
programs loaded from it draw the same pixels as compiled ones; corrupt or refused entries are
ignored and rewritten; an unusable folder only means compiling."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from renderer.gl import program_cache
from renderer.scene.load import load_scene
from tests.conftest import SCENES

SIZE = (96, 72)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("PROSECTOR_CACHE_DIR", str(folder))
    monkeypatch.delenv("PROSECTOR_NO_CACHE", raising=False)
    return folder / "programs"


@pytest.fixture(scope="module")
def brain():
    return load_scene(SCENES / "brain.yaml")


def _render(loaded) -> tuple[np.ndarray, program_cache.ProgramBinaryCache]:
    from renderer.headless import HeadlessRenderer

    with HeadlessRenderer() as headless:
        headless.load(loaded)
        image = headless.render(*SIZE)
        return image, headless.renderer.shaders.binary_cache


def test_cached_programs_render_identical_pixels(cache, brain):
    compiled, first = _render(brain)
    if not first.enabled:
        pytest.skip("this driver offers no program binary formats")
    assert first.hits == 0 and first.stores == first.misses > 0
    assert len(list(cache.glob("*.bin"))) == first.stores
    loaded, second = _render(brain)
    assert second.misses == 0 and second.hits == first.stores
    np.testing.assert_array_equal(loaded, compiled)


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "driver refuses"])
def test_corrupt_entries_are_ignored_and_rewritten(cache, brain, damage):
    reference, first = _render(brain)
    if not first.enabled:
        pytest.skip("this driver offers no program binary formats")
    entries = sorted(cache.glob("*.bin"))
    originals = {path: path.read_bytes() for path in entries}
    for path, blob in originals.items():
        if damage == "flipped byte":
            blob = blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:]
        elif damage == "truncated":
            blob = blob[: len(blob) // 2]
        else:  # a consistent entry (our checksum matches) whose payload the driver must reject
            magic, binary_format, _ = program_cache._HEADER.unpack_from(blob)
            payload = bytes(len(blob) - program_cache._HEADER.size)
            blob = program_cache._HEADER.pack(magic, binary_format, hashlib.blake2b(payload, digest_size=32).digest())
            blob += payload
        path.write_bytes(blob)
    image, second = _render(brain)
    assert second.hits == 0 and second.misses == len(entries) and second.stores == len(entries)
    np.testing.assert_array_equal(image, reference)
    for path in entries:  # rewritten from the compiled programs, and loadable again
        assert program_cache._checked_payload(path.read_bytes()) is not None
    _, third = _render(brain)
    assert third.hits == len(entries) and third.misses == 0


def test_unusable_cache_folder_still_renders(tmp_path, monkeypatch, brain):
    blocker = tmp_path / "a-file"
    blocker.write_text("no folder can be made under a file")
    monkeypatch.setenv("PROSECTOR_CACHE_DIR", str(blocker / "cache"))
    image, cache = _render(brain)
    assert not cache.enabled and cache.hits == cache.stores == 0
    monkeypatch.setenv("PROSECTOR_NO_CACHE", "1")
    again, _ = _render(brain)
    np.testing.assert_array_equal(image, again)
    assert image.reshape(-1, 3).std(axis=0).max() > 5  # a real picture, not a blank frame


def test_key_covers_driver_stage_and_every_byte_of_source(cache, headless):
    binaries = program_cache.ProgramBinaryCache()
    if not binaries.enabled:
        pytest.skip("this driver offers no program binary formats")
    base = binaries.key([(1, "#version 450 core\n#define A 1\nvoid main() {}\n")])
    assert base == binaries.key([(1, "#version 450 core\n#define A 1\nvoid main() {}\n")])
    assert base != binaries.key([(1, "#version 450 core\n#define A 2\nvoid main() {}\n")])
    assert base != binaries.key([(2, "#version 450 core\n#define A 1\nvoid main() {}\n")])
    binaries._driver += "\0another driver version"
    assert base != binaries.key([(1, "#version 450 core\n#define A 1\nvoid main() {}\n")])
