"""A persistent cache of parsed meshes: `.npz` files under the cache folder (renderer/cache_dir.py).

Parsing a GLB with trimesh, welding and computing normals costs seconds for a large mesh, and
importing trimesh (with SciPy and NetworkX) about a second more; a cache hit is one `np.load`.

Safety: the cache wraps the checked read and never replaces it. Only a mesh that the reader
accepted is stored, and an entry is found by the digest of the file's *content* (BLAKE2b over every
byte, read from the path the scene's asset checks resolved) together with the read options and a
digest of the reader's own source, so an edited file, another unit or a changed reader misses
the cache instead of seeing stale data. Entries are loaded with `allow_pickle=False` and checked
(dtypes, shapes, index range, finite positions) before use; anything odd is deleted and re-read.
The folder is bounded (`PROSECTOR_MESH_CACHE_MB`, default 2048): the least recently used entries go.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from renderer import cache_dir

log = logging.getLogger("prosector.cache")

FORMAT = "mesh-npz-1"
_CHUNK = 1 << 20
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
    entry = folder / key[:2] / f"{key}.npz"
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
    for part in (FORMAT, _reader_digest(), path.suffix.lower(), repr(node), unit, up_axis):
        digest.update(part.encode() + b"\0")
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _reader_digest() -> str:
    """Digest of the modules whose code decides what a read returns: editing any of them (a new
    check, another weld) invalidates every entry, so the cache can never hide a reader change."""
    here = Path(__file__).resolve().parent
    sources = sorted({*here.glob("mesh*.py"), here / "alpha_masks.py", here / "limits.py"})
    digest = hashlib.blake2b(digest_size=16)
    for source in sources:
        try:
            digest.update(source.name.encode() + source.read_bytes())
        except OSError:
            digest.update(source.name.encode())
    return digest.hexdigest()


def _load_entry(entry: Path, name: str):
    from renderer.scene.alpha_masks import AlphaMask
    from renderer.scene.meshes import MeshData

    try:
        with np.load(entry, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        log.debug("ignoring unreadable mesh cache entry %s: %s", entry, exc)
        entry.unlink(missing_ok=True)
        return None
    if not _valid(arrays):
        log.debug("ignoring malformed mesh cache entry %s", entry)
        entry.unlink(missing_ok=True)
        return None
    mask = None
    if "mask_alpha" in arrays:
        mask = AlphaMask(arrays["mask_alpha"], float(arrays["mask_cutoff"]), str(arrays["mask_source"]))
    mesh = MeshData(name, arrays["positions"], arrays["normals"], arrays["indices"], arrays.get("uvs"), mask)
    mesh.__dict__["closed"] = bool(arrays["closed"])  # fills the cached_property: no edge sort on a hit
    return mesh


def _valid(arrays: dict[str, np.ndarray]) -> bool:
    try:
        positions, normals, indices = arrays["positions"], arrays["normals"], arrays["indices"]
        count = len(positions)
        ok = (
            positions.dtype == np.float32 and positions.ndim == 2 and positions.shape[1] == 3 and count > 0
            and normals.dtype == np.float32 and normals.shape == positions.shape
            and indices.dtype == np.uint32 and indices.ndim == 2 and indices.shape[1] == 3 and len(indices) > 0
            and arrays["closed"].shape == () and arrays["closed"].dtype == np.bool_
        )  # fmt: skip
        if ok and "uvs" in arrays:
            ok = arrays["uvs"].dtype == np.float32 and arrays["uvs"].shape == (count, 2)
        if ok and "mask_alpha" in arrays:
            alpha = arrays["mask_alpha"]
            ok = alpha.dtype == np.uint8 and alpha.ndim == 2 and alpha.size > 0 and arrays["mask_cutoff"].shape == ()
            ok = ok and arrays["mask_source"].dtype.kind == "U"
        return bool(ok and int(indices.max()) < count and np.isfinite(positions).all())
    except (KeyError, ValueError, TypeError, AttributeError):
        return False


def _store_entry(folder: Path, entry: Path, mesh) -> None:
    arrays = {"positions": mesh.positions, "normals": mesh.normals, "indices": mesh.indices,
              "closed": np.bool_(mesh.closed)}  # fmt: skip
    if mesh.uvs is not None:
        arrays["uvs"] = mesh.uvs
    if mesh.alpha_mask is not None:
        arrays["mask_alpha"] = np.ascontiguousarray(mesh.alpha_mask.alpha, dtype=np.uint8)
        arrays["mask_cutoff"] = np.float64(mesh.alpha_mask.cutoff)
        arrays["mask_source"] = np.str_(mesh.alpha_mask.source)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # uncompressed: loading is a copy, not a decode
    _prune_once(folder)
    cache_dir.write_entry(entry, buffer.getvalue())


def _prune_once(folder: Path) -> None:
    """Bound the folder once per process, before the first write (a scan of every entry)."""
    global _pruned
    with _prune_lock:
        if _pruned:
            return
        _pruned = True
    cache_dir.prune(folder, max_bytes(), "*.npz")
