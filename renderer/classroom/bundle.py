"""A lesson bundle: the scene file, its includes and the meshes, molecules and masks it reads, in one
zip named by its SHA-256, so a student's machine that lacks the lesson gets exactly the teacher's.

Files that come with Prosector (`bundled:` paths) are not carried: every participant has them.
Unpacking treats the zip as hostile: the digest must match, names must be plain relative paths,
and sizes and counts are checked before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from renderer.classroom.protocol import MAX_BUNDLE_BYTES
from renderer.errors import ProsectorError
from renderer.preview.reload import scene_files
from renderer.scene.assets import bundled_asset_dirs
from renderer.scene.load import LoadedScene

MANIFEST = "prosector-bundle.json"
MAX_MEMBERS = 4096
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same files always give the same digest


def make_bundle(loaded: LoadedScene) -> tuple[str, bytes]:
    """(sha256 hex, zip bytes) of the files `loaded` was read from."""
    root = loaded.path.resolve().parent
    shipped = [d.resolve() for d in bundled_asset_dirs()]
    members: dict[str, Path] = {}
    for path in scene_files(loaded):
        resolved = path.resolve()
        if any(resolved.is_relative_to(d) for d in shipped):
            continue
        if not resolved.is_relative_to(root):
            raise ProsectorError(f"{path} is outside the scene's folder, so it cannot travel with the lesson; "
                                 "copy it next to the scene and point the scene at the copy")  # fmt: skip
        members[resolved.relative_to(root).as_posix()] = resolved
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        manifest = {"format": 1, "scene": loaded.path.resolve().relative_to(root).as_posix()}
        archive.writestr(zipfile.ZipInfo(MANIFEST, _EPOCH), json.dumps(manifest, sort_keys=True))
        for name in sorted(members):
            info = zipfile.ZipInfo(name, _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name].read_bytes())
    data = buffer.getvalue()
    if len(data) > MAX_BUNDLE_BYTES:
        raise ProsectorError(f"the lesson's files come to {len(data) / 2**20:.0f} MiB compressed; the classroom "
                             f"carries at most {MAX_BUNDLE_BYTES // 2**20} MiB")  # fmt: skip
    return hashlib.sha256(data).hexdigest(), data


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "prosector" / "classroom"


def unpack_bundle(data: bytes, digest: str, cache_dir: Path | None = None) -> Path:
    """Check `data` against `digest`, unpack it under the cache and return the scene file's path.
    An already unpacked bundle is reused (the folder is named by the digest)."""
    if len(data) > MAX_BUNDLE_BYTES or hashlib.sha256(data).hexdigest() != digest:
        raise ProsectorError("the lesson bundle is corrupt or too large (its SHA-256 does not match)")
    cache_dir = cache_dir or default_cache_dir()
    target = cache_dir / digest
    if cached_scene(target) is not None:
        return cached_scene(target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ProsectorError("the lesson bundle is not a zip file") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ProsectorError(f"the lesson bundle has {len(infos)} files; at most {MAX_MEMBERS}")
        if sum(i.file_size for i in infos) > 4 * MAX_BUNDLE_BYTES:
            raise ProsectorError("the lesson bundle unpacks to more than the classroom allows")
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=cache_dir))
        try:
            try:
                scene = _extract(archive, infos, staging)
            except _CORRUPT as exc:  # a bundle made by Prosector never does this: say so, not a traceback
                raise ProsectorError(f"the lesson bundle cannot be unpacked ({type(exc).__name__}: "
                                     f"{str(exc)[:200]}); ask the teacher to lead the lesson again") from None  # fmt: skip
            try:
                staging.rename(target)
            except OSError:  # another follower on this machine unpacked the same bundle meanwhile
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target / scene


# What a hostile zip can raise while it is read: duplicate or colliding names (a file where a
# folder must go), members whose data fail their CRC or do not inflate, an undecodable manifest.
_CORRUPT = (OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error)


def _extract(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], staging: Path) -> str:
    """Write every member under `staging` (each created exclusively); return the scene's name."""
    written = 0
    for info in infos:
        relative = _safe_name(info.filename)
        destination = staging.joinpath(*relative.parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, open(destination, "xb") as sink:
            while chunk := source.read(1 << 20):  # counted as inflated, whatever the header declares
                written += len(chunk)
                if written > 4 * MAX_BUNDLE_BYTES:
                    raise ProsectorError("the lesson bundle unpacks to more than the classroom allows")
                sink.write(chunk)
    manifest = json.loads((staging / MANIFEST).read_text("utf-8"))
    scene = scene_name(manifest)
    if not (staging / scene).is_file():
        raise ProsectorError("the lesson bundle does not contain its scene file")
    return scene


def cached_scene(folder: Path) -> Path | None:
    """The scene file of a bundle already unpacked into `folder` (named by its digest), if any."""
    try:
        return folder / scene_name(json.loads((folder / MANIFEST).read_text("utf-8")))
    except (OSError, ValueError, ProsectorError):
        return None


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not name or "\\" in name or path.is_absolute() or any(p in ("..", "") for p in path.parts) or ":" in name:
        raise ProsectorError(f"the lesson bundle holds a file named {name[:80]!r}, which is not a plain relative path")
    return path


def scene_name(manifest) -> str:
    scene = manifest.get("scene") if isinstance(manifest, dict) else None
    if not isinstance(scene, str):
        raise ProsectorError("the lesson bundle's manifest names no scene")
    _safe_name(scene)
    return scene
