"""A persistent cache of parsed meshes under the cache folder (renderer/cache_dir.py).

Parsing a GLB with trimesh, welding and computing normals costs seconds for a large mesh, and
importing trimesh (with SciPy and NetworkX) about a second more; a cache hit is one file read.
Entries are raw arrays behind a small JSON header (`.mesh`), not `.npz`: NumPy parses every
`.npz` member's header with `ast`, which made 507 whole-body entries cost 3 s to open against
0.15 s for reading the bytes.

Safety: the cache wraps the checked read and never replaces it. Only a mesh that the reader
accepted is stored, and an entry is found by the digest of the file's *content* (BLAKE2b over every
byte of the path the scene's asset checks resolved), the read options and a digest of the reader's
own source, so an edited file, another unit or a changed reader misses the cache instead of seeing
stale data. To skip re-hashing unchanged files, a small index maps a resolved path to its digest
together with the file's size, mtime, ctime and inode; any write to the file changes its ctime.
Entries are checked before use (CRC-32 of the arrays, dtypes, shapes, index range, finite
positions); anything odd is deleted and the file read again. The folder is bounded
(`PROSECTOR_MESH_CACHE_MB`, default 2048): the least recently used entries go.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import threading
import zlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from renderer import cache_dir
from renderer.scene import limits
from renderer.scene.alpha_masks import AlphaMask
from renderer.scene.mesh_data import MeshData
from renderer.scene.safe_read import UnsafeFileError, hash_regular_file

log = logging.getLogger("prosector.cache")

FORMAT = "mesh-raw-1"
_MAGIC = b"PROSECTOR-MESH1\n"
_PREFIX = struct.Struct("<16sII")  # magic, header length, CRC-32 of the array bytes
_ALIGN = 64
_ARRAYS = {"positions": np.float32, "normals": np.float32, "indices": np.uint32, "uvs": np.float32,
           "mask_alpha": np.uint8}  # fmt: skip
_prune_lock = threading.Lock()
_pruned = False


def max_bytes() -> int:
    try:
        megabytes = float(os.environ.get("PROSECTOR_MESH_CACHE_MB", "2048"))
    except ValueError:
        megabytes = 2048.0
    return int(max(megabytes, 0.0) * 1024 * 1024)


def cached_read(path: Path, node: str | None, unit: str, up_axis: str, read: Callable[[], object]):
    """`read()` (the checked reader, returning a MeshData) unless the cache holds the same file's
    result for the same options. The returned mesh is named `read()` would name it."""
    folder = cache_dir.cache_folder("meshes")
    if folder is None or max_bytes() == 0:
        return read()
    try:
        key = entry_key(path, node, unit, up_axis)
    except OSError:
        return read()  # the reader reports what is wrong with the file
    entry = folder / key[:2] / f"{key}.mesh"
    name = path.stem if node is None else node
    mesh = _load_entry(entry, name)
    if mesh is not None:
        cache_dir.touch(entry)
        return mesh
    mesh = read()
    _store_entry(folder, entry, mesh)
    return mesh


def entry_key(path: Path, node: str | None, unit: str, up_axis: str) -> str:
    """Hex digest naming the entry: file content, suffix (it picks the parser), options, reader."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (FORMAT, _reader_digest(), path.suffix.lower(), repr(node), unit, up_axis, content_digest(path)):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def content_digest(path: Path) -> str:
    """BLAKE2b of the file's bytes, from the path index when the file is unchanged since it was hashed."""
    resolved = path.resolve()
    stat = resolved.stat()
    signature = f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ctime_ns} {stat.st_ino}"
    folder = cache_dir.cache_folder("meshes")
    index = None
    if folder is not None:
        index = folder / "paths" / f"{hashlib.blake2b(str(resolved).encode(), digest_size=16).hexdigest()}.txt"
        try:
            known_signature, known_digest = index.read_text().rsplit(" ", 1)
            if known_signature == signature and len(known_digest) == 40:
                return known_digest
        except (OSError, ValueError, UnicodeDecodeError):
            pass
    digest = hashlib.blake2b(digest_size=20)
    try:
        hash_regular_file(resolved, digest, limits.MAX_MESH_FILE_BYTES)
    except UnsafeFileError as exc:  # the checked reader, which the caller falls back to, words it for the scene
        raise OSError(str(exc)) from None
    value = digest.hexdigest()
    if index is not None and f"{os.stat(resolved).st_ctime_ns}" == signature.split()[2]:  # unchanged meanwhile
        cache_dir.write_entry(index, f"{signature} {value}".encode())
    return value


@lru_cache(maxsize=1)
def _reader_digest() -> str:
    """Digest of the modules whose code decides what a read returns: editing any of them (a new
    check, another weld) invalidates every entry, so the cache can never hide a reader change."""
    here = Path(__file__).resolve().parent
    sources = sorted({*here.glob("mesh*.py"), here / "alpha_masks.py", here / "limits.py", here / "safe_read.py",
                      here / "gltf_uris.py"})
    digest = hashlib.blake2b(digest_size=16)
    for source in sources:
        try:
            digest.update(source.name.encode() + source.read_bytes())
        except OSError:
            digest.update(source.name.encode())
    return digest.hexdigest()


def _load_entry(entry: Path, name: str):
    try:
        with open(entry, "rb") as handle:
            blob = bytearray(handle.read())  # mutable: the arrays below are views of it, writable like a fresh read
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.debug("cannot read mesh cache entry %s: %s", entry, exc)
        return None
    parsed = _parse(blob)
    if parsed is None:
        log.debug("ignoring corrupt mesh cache entry %s", entry)
        entry.unlink(missing_ok=True)
        return None
    arrays, meta = parsed
    mask = None
    if "mask_alpha" in arrays:
        mask = AlphaMask(arrays["mask_alpha"], float(meta["mask_cutoff"]), str(meta["mask_source"]))
    mesh = MeshData(name, arrays["positions"], arrays["normals"], arrays["indices"], arrays.get("uvs"), mask)
    mesh.__dict__["closed"] = bool(meta["closed"])  # fills the cached_property: no edge sort on a hit
    return mesh


def _parse(blob: bytearray) -> tuple[dict[str, np.ndarray], dict] | None:
    """Arrays and metadata of an entry, or None when anything about it is off."""
    try:
        magic, header_length, crc = _PREFIX.unpack_from(blob)
        if magic != _MAGIC:
            return None
        meta = json.loads(bytes(blob[_PREFIX.size:_PREFIX.size + header_length]))
        start = _aligned(_PREFIX.size + header_length)
        if zlib.crc32(memoryview(blob)[start:]) != crc:
            return None
        arrays = {}
        for name, (offset, shape) in meta["arrays"].items():
            dtype = np.dtype(_ARRAYS[name])
            if not (isinstance(offset, int) and all(isinstance(d, int) and d >= 0 for d in shape)):
                return None
            count = int(np.prod(shape))
            if offset < 0 or start + offset + count * dtype.itemsize > len(blob):
                return None
            arrays[name] = np.frombuffer(blob, dtype, count, start + offset).reshape(shape)
        if not isinstance(meta.get("closed"), bool):
            return None
        if "mask_alpha" in arrays and not (isinstance(meta.get("mask_cutoff"), float) and
                                           isinstance(meta.get("mask_source"), str)):  # fmt: skip
            return None
        return (arrays, meta) if _valid(arrays) else None
    except (struct.error, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def _valid(arrays: dict[str, np.ndarray]) -> bool:
    positions, normals, indices = arrays["positions"], arrays["normals"], arrays["indices"]
    count = len(positions)
    ok = (positions.ndim == 2 and positions.shape[1] == 3 and count > 0 and normals.shape == positions.shape
          and indices.ndim == 2 and indices.shape[1] == 3 and len(indices) > 0)  # fmt: skip
    if ok and "uvs" in arrays:
        ok = arrays["uvs"].shape == (count, 2)
    if ok and "mask_alpha" in arrays:
        ok = arrays["mask_alpha"].ndim == 2 and arrays["mask_alpha"].size > 0
    return bool(ok and int(indices.max()) < count and np.isfinite(positions).all())


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def _store_entry(folder: Path, entry: Path, mesh) -> None:
    arrays = {"positions": mesh.positions, "normals": mesh.normals, "indices": mesh.indices}
    meta: dict = {"closed": bool(mesh.closed), "arrays": {}}
    if mesh.uvs is not None:
        arrays["uvs"] = mesh.uvs
    if mesh.alpha_mask is not None:
        arrays["mask_alpha"] = mesh.alpha_mask.alpha
        meta["mask_cutoff"], meta["mask_source"] = float(mesh.alpha_mask.cutoff), str(mesh.alpha_mask.source)
    chunks, offset = [], 0
    for name, array in arrays.items():
        data = np.ascontiguousarray(array, dtype=_ARRAYS[name]).tobytes()
        meta["arrays"][name] = (offset, list(array.shape))
        padding = _aligned(len(data)) - len(data)
        chunks += [data, bytes(padding)]
        offset += len(data) + padding
    payload = b"".join(chunks)
    header = json.dumps(meta).encode()
    prefix = _PREFIX.pack(_MAGIC, len(header), zlib.crc32(payload))
    head = prefix + header
    _prune_once(folder)
    cache_dir.write_entry(entry, head + bytes(_aligned(len(head)) - len(head)) + payload)


def _prune_once(folder: Path) -> None:
    """Bound the folder once per process, before the first write (a scan of every entry)."""
    global _pruned
    with _prune_lock:
        if _pruned:
            return
        _pruned = True
    cache_dir.prune(folder, max_bytes(), "*.mesh")
    cache_dir.prune(folder / "paths", 16 * 1024 * 1024, "*.txt")
