"""Writing output files without ever clobbering a teacher's scene or leaving half-written files."""

from __future__ import annotations

from pathlib import Path

from renderer.atomic_file import check_target
from renderer.errors import ProsectorError


def check_output_path(output: Path, protected: list[Path], suffix: str = ".png") -> None:
    if output.suffix.lower() != suffix:
        raise ProsectorError(f"output {output} must end in {suffix}")
    check_target(output, exclusive=False)  # a folder or a dangling link is refused before rendering
    resolved = output.resolve()
    for path in protected:
        if path.exists() and resolved == path.resolve():
            raise ProsectorError(f"refusing to overwrite {path} with an image")
    if not resolved.parent.is_dir():
        raise ProsectorError(f"folder {output.parent} does not exist")

