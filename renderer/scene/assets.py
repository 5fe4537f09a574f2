"""Where a scene may read assets from, and resolving its relative paths safely.

A scene file is untrusted: `mesh: ../../etc/passwd` or a symlink pointing outside must not read
anything. Allowed roots are the scene's folder, the bundled `assets/` folder, and roots the user
configures (`--asset-root`, `PROSECTOR_ASSET_ROOTS`); never roots named inside the scene itself.

A path written `bundled:brain/cortex.glb` names a file in the bundled assets, wherever the scene file
is: the example scenes use it, so they render the same from a checkout, from an installed wheel, and
after `prosector examples DIR` copied them anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from renderer.scene import limits


def bundled_asset_dirs() -> list[Path]:
    """`renderer/assets` (installed wheels) and the repository's `assets/` (checkouts)."""
    package = Path(__file__).resolve().parent.parent
    return [p for p in (package / "assets", package.parent / "assets") if p.is_dir()]


def allowed_roots(scene_file: Path, extra: list[Path] | None = None) -> list[Path]:
    roots = [scene_file.resolve().parent, *bundled_asset_dirs(), *(extra or [])]
    env = os.environ.get("PROSECTOR_ASSET_ROOTS")
    if env:
        roots += [Path(p) for p in env.split(os.pathsep) if p]
    return [r.resolve() for r in roots]


class AssetPathError(ValueError):
    """A path a scene names cannot be used; the message says why and what to do."""


def resolve_asset(scene_file: Path, relative: str, roots: list[Path], what: str = "file") -> Path:
    """Absolute, symlink-free path of `relative` (as written in `scene_file`), checked against `roots`.

    Symlinks are resolved before the check, so a link inside the scene's folder that points
    elsewhere is refused like a `../` path. `what` names the kind of file in messages."""
    if not relative or not relative.strip():
        raise AssetPathError("the path is empty")
    if "\x00" in relative:
        raise AssetPathError("the path contains a NUL character")
    try:
        resolved = _resolve(scene_file, relative)
        if not any(resolved.is_relative_to(root) for root in roots):
            raise AssetPathError(
                f"'{relative}' is outside the scene's folder and the allowed asset folders (symlinks are followed); "
                "move the file next to the scene, or allow its folder with --asset-root"
            )
        if not resolved.exists():
            raise AssetPathError(f"{what} '{relative}' not found (looked at {resolved})")
        if not resolved.is_file():
            raise AssetPathError(f"'{relative}' is not a {what}")
        size = resolved.stat().st_size
    except (OSError, RuntimeError, ValueError) as exc:  # symlink loops, over-long names, odd bytes
        if isinstance(exc, AssetPathError):
            raise
        raise AssetPathError(f"cannot use the path '{relative}': {getattr(exc, 'strerror', None) or exc}") from None
    if size > limits.MAX_MESH_FILE_BYTES:
        limit = limits.MAX_MESH_FILE_BYTES / 2**20
        raise AssetPathError(f"'{relative}' is {size / 2**20:.0f} MiB; the limit is {limit:.0f} MiB")
    return resolved


BUNDLED_PREFIX = "bundled:"


def _resolve(scene_file: Path, relative: str) -> Path:
    if relative.startswith(BUNDLED_PREFIX):
        return _resolve_bundled(relative[len(BUNDLED_PREFIX):])
    candidate = Path(relative)
    if not candidate.is_absolute():
        candidate = scene_file.resolve().parent / candidate
    return candidate.resolve()


def _resolve_bundled(inside: str) -> Path:
    """`inside` (as after `bundled:`) in the first bundled assets folder that has it; the confinement
    check in `resolve_asset` still applies, so `bundled:../x` cannot escape."""
    dirs = bundled_asset_dirs()
    if not dirs:
        raise AssetPathError("this installation has no bundled assets folder; reinstall Prosector")
    if Path(inside).is_absolute():
        raise AssetPathError(f"'bundled:{inside}' must name a path inside the bundled assets, not an absolute path")
    for folder in dirs:
        candidate = (folder / inside).resolve()
        if candidate.exists():
            return candidate
    return (dirs[0] / inside).resolve()
