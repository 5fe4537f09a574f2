"""Where Prosector keeps what it can rebuild: parsed meshes and compiled shader programs.

`PROSECTOR_CACHE_DIR` names the folder; else `$XDG_CACHE_HOME/prosector`, else `~/.cache/prosector`.
`PROSECTOR_NO_CACHE=1` switches every cache off. Everything in it is safe to delete at any time; an
entry that cannot be read is ignored and written again, and a folder that cannot be written only
means nothing is cached.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger("prosector.cache")


def cache_root() -> Path | None:
    """The cache folder (not necessarily existing yet), or None when caching is switched off."""
    if os.environ.get("PROSECTOR_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = os.environ.get("PROSECTOR_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "prosector"


def cache_folder(kind: str) -> Path | None:
    """`<root>/<kind>`, created on demand; None when caching is off or the folder cannot be made."""
    root = cache_root()
    if root is None:
        return None
    folder = root / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("cache folder %s unusable: %s", folder, exc)
        return None
    return folder


def write_entry(path: Path, data: bytes) -> bool:
    """Write a cache entry atomically (a reader sees the old entry, the new one, or none).
    Returns False, quietly, when the folder is not writable or the disk is full."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    except OSError as exc:
        log.debug("cannot write cache entry %s: %s", path, exc)
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
        return True
    except OSError as exc:
        log.debug("cannot write cache entry %s: %s", path, exc)
        Path(temporary).unlink(missing_ok=True)
        return False


def prune(folder: Path, max_bytes: int, pattern: str = "*") -> None:
    """Delete the least recently used entries (by modification time) until `folder` holds at most
    `max_bytes`. Entries are touched when read, so what a teacher keeps using stays."""
    try:
        entries = []
        for path in folder.rglob(pattern):
            if path.is_file():
                stat = path.stat()
                entries.append((stat.st_mtime_ns, stat.st_size, path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries, key=lambda entry: entry[0]):
        if total <= max_bytes:
            break
        try:
            path.unlink()
            total -= size
        except OSError:
            pass


def touch(path: Path) -> None:
    """Mark an entry as recently used (for `prune`); failures do not matter."""
    try:
        os.utime(path)
    except OSError:
        pass


def cached_arrays(kind: str, key: str, compute):
    """`compute()` -> dict of NumPy arrays, kept in `<root>/<kind>/<digest of key>.npz` across runs.
    `key` must name everything the result depends on (inputs and a version of the code); entries
    that cannot be read, or miss an array the last computation had, are computed again."""
    import hashlib
    import io
    import zipfile

    import numpy as np

    folder = cache_folder(kind)
    if folder is None:
        return compute()
    path = folder / f"{hashlib.blake2b(key.encode(), digest_size=20).hexdigest()}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        if arrays:
            touch(path)
            return arrays
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        log.debug("ignoring unreadable cache entry %s: %s", path, exc)
        path.unlink(missing_ok=True)
    arrays = compute()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_entry(path, buffer.getvalue())
    return arrays
