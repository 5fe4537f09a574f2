"""Checking the text `prosector new` is about to write: never a scene that `validate` would reject.

The generated YAML is parsed and validated exactly as `load_scene` would (size, YAML limits, model,
references) without touching the disk; any problem stops `new` before it writes anything.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from renderer.errors import ProsectorError, SceneError
from renderer.scene import limits

_SHOWN = 5


def check_generated_scene(scene_path: Path, text: str) -> None:
    """Raise ProsectorError (nothing written) if `text` would not pass `prosector validate --no-assets`."""
    from renderer.scene.model import Scene
    from renderer.scene.problems import validation_problems
    from renderer.scene.references import check_references
    from renderer.scene.yaml_source import load_yaml_text

    size = len(text.encode("utf-8"))
    if size > limits.MAX_SCENE_FILE_BYTES:
        raise ProsectorError(f"{scene_path}: the scene would be {size // 1024:,} KiB, more than the "
                             f"{limits.MAX_SCENE_FILE_BYTES // 1024:,} KiB a scene file may have; "
                             "nothing was written. Make scenes from fewer files")  # fmt: skip
    try:
        data, source = load_yaml_text(text, str(scene_path))
        problems = check_references(data, source)
        try:
            Scene.model_validate(data)
        except ValidationError as exc:
            problems += validation_problems(exc, data, source, Scene)
    except SceneError as exc:
        problems = exc.problems
    if problems:
        listing = "\n".join(f"  {p.message}" for p in problems[:_SHOWN])
        more = f"\n  ... and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        raise ProsectorError(f"{scene_path}: the scene made from these files would not be valid, so nothing "
                             f"was written:\n{listing}{more}")  # fmt: skip
