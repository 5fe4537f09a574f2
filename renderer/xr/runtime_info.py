"""Which OpenXR runtime the loader will use, and the message when none (or no headset) answers.

Pure file reading, no OpenXR calls: it runs when the runtime itself failed. The search order is the
loader's (OpenXR loader specification, "Runtime Discovery"): XR_RUNTIME_JSON, then
$XDG_CONFIG_HOME/openxr/1/active_runtime.json (~/.config), then each of $XDG_CONFIG_DIRS
(/etc/xdg), then /etc/openxr/1; on Windows the registry key HKLM\\SOFTWARE\\Khronos\\OpenXR\\1.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from renderer.errors import XrUnavailableError

ACTIVE_RUNTIME = Path("openxr/1/active_runtime.json")


@dataclass(frozen=True)
class RuntimeInfo:
    """The runtime manifest the loader picks: where it was found (`source`), its path, and the
    runtime's name and library from inside it (None when unreadable)."""

    source: str
    manifest: Path
    name: str | None
    library: str | None
    readable: bool


def manifest_candidates(env: dict[str, str] | None = None, home: Path | None = None) -> list[tuple[str, Path]]:
    """(source, path) pairs in the loader's order; only XR_RUNTIME_JSON is taken without checking existence."""
    env = dict(os.environ if env is None else env)
    home = home or Path(env.get("HOME") or Path.home())
    out: list[tuple[str, Path]] = []
    if env.get("XR_RUNTIME_JSON"):
        out.append(("XR_RUNTIME_JSON", Path(env["XR_RUNTIME_JSON"])))
    config_home = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    out.append(("user config", config_home / ACTIVE_RUNTIME))
    for folder in (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":"):
        if folder:
            out.append(("system config", Path(folder) / ACTIVE_RUNTIME))
    out.append(("system config", Path("/etc") / ACTIVE_RUNTIME))
    return out


def active_runtime(env: dict[str, str] | None = None, home: Path | None = None) -> RuntimeInfo | None:
    """The manifest the loader would use, or None when there is none."""
    if sys.platform == "win32" and env is None:  # pragma: no cover - Windows only
        return _windows_runtime()
    for source, path in manifest_candidates(env, home):
        if source == "XR_RUNTIME_JSON" or path.is_file():
            return _read_manifest(source, path)
    return None


def _read_manifest(source: str, path: Path) -> RuntimeInfo:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        runtime = data.get("runtime", {}) if isinstance(data, dict) else {}
        name, library = runtime.get("name"), runtime.get("library_path")
        return RuntimeInfo(source, path, str(name) if name else None, str(library) if library else None, True)
    except (OSError, ValueError, AttributeError):
        return RuntimeInfo(source, path, None, None, False)


def _windows_runtime() -> RuntimeInfo | None:  # pragma: no cover - Windows only
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Khronos\OpenXR\1") as key:
            path = Path(winreg.QueryValueEx(key, "ActiveRuntime")[0])
    except OSError:
        return None
    return _read_manifest(r"registry HKLM\SOFTWARE\Khronos\OpenXR\1", path)


FIXES = (
    "To fix it: start your runtime (SteamVR, Monado's monado-service, Meta Quest Link, WMR), connect and "
    "switch on the headset, and make that runtime the active one (SteamVR: Settings > OpenXR > Set SteamVR as "
    "OpenXR runtime; Monado: install it, or set XR_RUNTIME_JSON=/usr/share/openxr/1/openxr_monado.json). "
    "Without a headset, `prosector preview` shows the scene in a window."
)


def describe(info: RuntimeInfo | None) -> str:
    if info is None:
        return "no OpenXR runtime is installed or active (no XR_RUNTIME_JSON and no active_runtime.json)"
    what = f"the active OpenXR runtime is {info.name or 'unnamed'} ({info.manifest}, from {info.source})"
    if not info.readable:
        what = f"the active OpenXR runtime manifest {info.manifest} (from {info.source}) cannot be read"
    elif info.library and not _library_exists(info):
        what += f", but its library {info.library} is missing"
    return what


def _library_exists(info: RuntimeInfo) -> bool:
    library = Path(info.library)
    if not library.is_absolute():
        if "/" not in info.library:
            return True  # a bare soname: found through the linker's search path
        library = info.manifest.parent / library
    return library.exists()


def unavailable(problem: str, info: RuntimeInfo | None = None, env: dict[str, str] | None = None) -> XrUnavailableError:
    """An XrUnavailableError saying what failed, which runtime is active, and how to fix it."""
    info = info if info is not None else active_runtime(env)
    return XrUnavailableError(f"{problem}: {describe(info)}.\n{FIXES}")
