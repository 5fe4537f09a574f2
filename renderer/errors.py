"""Prosector's error types. Everything a user can cause is one of these, printed without a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ProsectorError(Exception):
    """Base of every error meant for the user; `str()` is the whole message."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        message = self.message if len(self.message) <= 600 else self.message[:597] + "..."  # values quoted whole
        return f"{self.file}:{self.line}:{self.column}: {message}"


MAX_PROBLEMS_SHOWN = 50  # a 223 KB scene once printed 10,001 lines; the first fifty say enough


class SceneError(ProsectorError):
    """A scene file (or an asset it names) is invalid; carries every problem found (`problems`), and
    prints the first MAX_PROBLEMS_SHOWN of them followed by how many more there are."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"... and {len(self.problems) - MAX_PROBLEMS_SHOWN} more problems")
        super().__init__("\n".join(shown))


class MeshError(ProsectorError):
    """A mesh file cannot be used; the message names the file."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class MaskImageError(ProsectorError):
    """An alpha-mask image cannot be used; the message names the file."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class GLUnavailableError(ProsectorError):
    """No OpenGL 4.5 driver could be opened; the message says what to install."""


class ShaderError(ProsectorError):
    """A shader failed to load, include or compile; lines name the .glsl file and line."""


class MoleculeError(ProsectorError):
    """A molecule file cannot be read or a selection is invalid; names the file and, where the
    format has lines, the 1-based line: `FILE:LINE: message`."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None):
        self.path, self.reason, self.line = str(path), reason, line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")


class SelectionError(ProsectorError):
    """An atom selection ("chain A and resi 20-30") cannot be parsed; the message quotes it."""


class XrUnavailableError(ProsectorError):
    """No OpenXR runtime, or no headset, could be used; the message names the active runtime and the fix."""
