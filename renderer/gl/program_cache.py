"""A persistent cache of linked GL programs (`glGetProgramBinary` / `glProgramBinary`).

An entry is named by the driver (vendor, renderer, GL and GLSL version strings) and the full text of
every stage as compiled (after `#include` and `#define` expansion), so another driver, a driver
update or any edit to a shader misses it. A driver that offers no binary formats is simply not
cached. Each entry carries its own checksum: a truncated or garbled file is never handed to the
driver, and one the driver refuses anyway is deleted and the program compiled from source.
Entries live in `<cache folder>/programs` (renderer/cache_dir.py), bounded by
`PROSECTOR_PROGRAM_CACHE_MB` (default 256).
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import threading
from pathlib import Path

from OpenGL import GL

from renderer import cache_dir

log = logging.getLogger("prosector.cache")

_MAGIC = b"PSPB1\0"
_HEADER = struct.Struct("<6sI32s")  # magic, binary format enum, BLAKE2b-256 of the payload
_prune_lock = threading.Lock()
_pruned = False


class ProgramBinaryCache:
    """For one GL context. `load` fills a fresh program from an entry; `store` saves a linked one.
    `hits` / `misses` / `stores` count what happened (tests and the start-up profile read them)."""

    def __init__(self):
        self.folder: Path | None = None
        self.hits = self.misses = self.stores = 0
        formats = int(GL.glGetIntegerv(GL.GL_NUM_PROGRAM_BINARY_FORMATS))
        if formats <= 0:
            log.debug("driver offers no program binary formats: programs are compiled every run")
            return
        self.folder = cache_dir.cache_folder("programs")
        self._driver = "\0".join(_gl_string(name) for name in (GL.GL_VENDOR, GL.GL_RENDERER, GL.GL_VERSION,
                                                               GL.GL_SHADING_LANGUAGE_VERSION))  # fmt: skip

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def key(self, stages: list[tuple[int, str]]) -> str:
        """Entry name for stages [(GL stage enum, full source text)]."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(self._driver.encode() + b"\0")
        for stage, text in stages:
            digest.update(f"{stage}\0{len(text)}\0".encode() + text.encode())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}.bin"

    def prepare(self, program: int) -> None:
        """Before linking: ask the driver to keep the binary retrievable."""
        if self.enabled:
            GL.glProgramParameteri(program, GL.GL_PROGRAM_BINARY_RETRIEVABLE_HINT, GL.GL_TRUE)

    def load(self, program: int, key: str) -> bool:
        """Fill `program` (fresh, nothing attached) from the entry; True when it is linked."""
        if not self.enabled:
            return False
        path = self._path(key)
        try:
            blob = path.read_bytes()
        except OSError:
            self.misses += 1
            return False
        payload = _checked_payload(blob)
        if payload is None:
            log.debug("ignoring corrupt program cache entry %s", path)
            path.unlink(missing_ok=True)
            self.misses += 1
            return False
        binary_format, data = payload
        GL.glProgramBinary(program, binary_format, data, len(data))
        if not GL.glGetProgramiv(program, GL.GL_LINK_STATUS):
            log.debug("driver refused program cache entry %s", path)
            path.unlink(missing_ok=True)
            self.misses += 1
            return False
        cache_dir.touch(path)
        self.hits += 1
        return True

    def store(self, program: int, key: str) -> None:
        """Save a linked program's binary; failures (no space, read-only folder) only skip caching."""
        if not self.enabled:
            return
        length = int(GL.glGetProgramiv(program, GL.GL_PROGRAM_BINARY_LENGTH))
        if length <= 0:
            return
        written = GL.GLsizei(0)
        binary_format = GL.GLenum(0)
        data = (GL.GLubyte * length)()
        GL.glGetProgramBinary(program, length, written, binary_format, data)
        payload = bytes(data)[: written.value]
        if not payload:
            return
        header = _HEADER.pack(_MAGIC, binary_format.value, hashlib.blake2b(payload, digest_size=32).digest())
        _prune_once(self.folder)
        if cache_dir.write_entry(self._path(key), header + payload):
            self.stores += 1


def _checked_payload(blob: bytes) -> tuple[int, bytes] | None:
    if len(blob) <= _HEADER.size:
        return None
    magic, binary_format, checksum = _HEADER.unpack_from(blob)
    payload = blob[_HEADER.size:]
    if magic != _MAGIC or hashlib.blake2b(payload, digest_size=32).digest() != checksum:
        return None
    return binary_format, payload


def _gl_string(name: int) -> str:
    value = GL.glGetString(name)
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _max_bytes() -> int:
    try:
        return int(float(os.environ.get("PROSECTOR_PROGRAM_CACHE_MB", "256")) * 1024 * 1024)
    except ValueError:
        return 256 * 1024 * 1024


def _prune_once(folder: Path | None) -> None:
    global _pruned
    with _prune_lock:
        if _pruned or folder is None:
            return
        _pruned = True
    cache_dir.prune(folder, _max_bytes(), "*.bin")
