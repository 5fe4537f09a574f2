"""Reading an untrusted file's bytes: inside the allowed roots, a regular file, and no larger than a limit.

Every reader of scene assets (meshes and the buffers, textures and material files they name,
molecules, alpha masks, included scenes) reads through `read_checked`, so that:
- a path is resolved (symlinks followed) and refused unless inside one of the allowed roots;
- the file is opened with O_NONBLOCK and checked with fstat on the open descriptor, so a FIFO, a
  device or a socket is refused without blocking, even one swapped in after the path was checked;
- its size is checked before a byte is read (a sparse 6 GiB file costs nothing to refuse), and no
  more than the size seen is read (a file growing meanwhile cannot exceed the limit).
Parsers (trimesh, biotite, Pillow) are then given these bytes, never the path.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_FLAGS |= getattr(os, "O_BINARY", 0)


class UnsafeFileError(ValueError):
    """A file cannot be read safely; the message says why, in words for the scene's author."""


class MissingFileError(UnsafeFileError):
    """The file does not exist (readers of optional side files, such as textures, may skip it)."""


def inside_roots(path: Path, roots: list[Path] | tuple[Path, ...]) -> Path:
    """`path` resolved (symlinks followed); UnsafeFileError unless it lies inside one of `roots`."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise UnsafeFileError(f"cannot use the path {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if not any(resolved.is_relative_to(root) for root in roots):
        raise UnsafeFileError(f"{path} is outside the scene's folder and the allowed asset folders "
                              "(symlinks are followed); move it next to the scene or allow its folder "
                              "with --asset-root")  # fmt: skip
    return resolved


def read_checked(path: Path, max_bytes: int, roots: list[Path] | tuple[Path, ...] | None = None,
                 what: str = "file", first: int | None = None) -> bytes:  # fmt: skip
    """The whole content of the regular file `path`, at most `max_bytes` long (only its first
    `first` bytes when given: a header, checked the same way).

    With `roots`, the path must also resolve inside one of them. Raises UnsafeFileError."""
    target = inside_roots(path, roots) if roots is not None else Path(path)
    chunks: list[bytes] = []
    with _open_regular(target, path, max_bytes, what) as (fd, size):
        _read_blocks(fd, size if first is None else min(first, size), 1 << 24, chunks.append)
    return b"".join(chunks)


def hash_regular_file(path: Path, digest, max_bytes: int, chunk: int = 1 << 20) -> None:
    """Feed the bytes of the regular file `path` to `digest` (hashlib object), opened and checked
    like `read_checked` (no blocking on a FIFO swapped in since a scene was checked, no device read
    forever), without holding the file in memory. Raises UnsafeFileError."""
    with _open_regular(Path(path), path, max_bytes, "file") as (fd, size):
        _read_blocks(fd, size, chunk, digest.update)


@contextmanager
def _open_regular(target: Path, shown: Path, max_bytes: int, what: str):
    """(descriptor, size) of `target`, opened non-blocking and checked on the open descriptor: a
    regular file no larger than `max_bytes`. `shown`: the path as messages name it."""
    try:
        fd = os.open(target, _FLAGS)
    except FileNotFoundError:
        raise MissingFileError(f"{what} {shown} not found") from None
    except OSError as exc:
        raise UnsafeFileError(f"cannot open {what} {shown}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(f"{shown} is not a regular file ({_kind(info.st_mode)}); name a {what}")
        if info.st_size > max_bytes:
            raise UnsafeFileError(f"{what} {shown} is {_size(info.st_size)}; the limit is {_size(max_bytes)}")
        yield fd, info.st_size
    except OSError as exc:
        raise UnsafeFileError(f"cannot read {what} {shown}: {exc.strerror}") from None
    finally:
        os.close(fd)


def _read_blocks(fd: int, count: int, block: int, sink) -> None:
    """Hand `sink` the next `count` bytes of `fd` in blocks; no more than the size seen is read,
    and a file truncated meanwhile gives what is there."""
    while count > 0 and (data := os.read(fd, min(count, block))):
        sink(data)
        count -= len(data)


def side_file(base_file: Path, reference: str, roots, max_bytes: int, what: str) -> bytes:
    """Bytes of a file that `base_file` refers to by a relative `reference` (a glTF buffer or image URI,
    an OBJ `mtllib` or an MTL `map_Kd`), checked like `read_checked`. URLs and absolute paths are refused:
    a scene folder must be self-contained."""
    name = unquote(reference.strip())
    if not name or "\x00" in name:
        raise UnsafeFileError(f"{what} reference {reference!r} is empty or contains a NUL character")
    if "://" in name or name.lower().startswith(("file:", "http:", "https:", "data:")) or Path(name).is_absolute() \
            or name.startswith(("\\", "/")) or (len(name) > 1 and name[1] == ":"):  # fmt: skip
        raise UnsafeFileError(f"{what} reference {_short(reference)} is a URL or an absolute path; "
                              "only files next to the mesh (relative paths) can be used")  # fmt: skip
    return read_checked(base_file.parent / name.replace("\\", "/"), max_bytes, roots, what)


def _short(text: str, limit: int = 80) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):  # fmt: skip
        if test(mode):
            return name
    return "not a plain file"


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MiB" if count >= 2**20 else f"{count:,} bytes"


class CheckedResolver:
    """A trimesh resolver that serves only files read and checked beforehand (by reference name).

    Anything else trimesh asks for is missing, as if the file were not there: it cannot reach the file
    system through this object."""

    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        for name, data in files.items():
            self.files.setdefault(unquote(name.strip()).replace("\\", "/"), data)

    def get(self, name: str) -> bytes:
        for key in (name, unquote(str(name).strip()).replace("\\", "/")):
            if key in self.files:
                return self.files[key]
        raise KeyError(f"{name} (not among the checked files)")

    def __getitem__(self, name: str) -> bytes:
        return self.get(name)

    def get_base(self):  # trimesh asks some resolvers for a base folder; ours has none
        return None

    def keys(self):
        return self.files.keys()

    def write(self, name, data):  # trimesh's exporters write through resolvers; loading never should
        raise PermissionError("read-only resolver")

    def namespaced(self, namespace: str) -> CheckedResolver:
        prefix = namespace.rstrip("/") + "/"
        return CheckedResolver({k[len(prefix) :]: v for k, v in self.files.items() if k.startswith(prefix)})

    def __contains__(self, name: str) -> bool:
        try:
            self.get(name)
        except KeyError:
            return False
        return True
