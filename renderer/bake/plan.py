"""What a bake must make, as jobs keyed by the content they depend on.

A job is one lesson step seen from one view: it yields a PNG per language (geometry rendered once,
labels and captions drawn per language) and, when the step moves (a camera transition or
animations), an MP4 per language. Its key hashes what its pictures depend on: the bytes of every
mesh, molecule and mask the scene reads, the scene's settings without the lesson, this step's
definition (and the previous step's, where the transition starts), the language, the view, the
size and the renderer's version. Editing one step's text re-bakes that step only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from renderer import __version__
from renderer.errors import ProsectorError
from renderer.preview.reload import scene_files
from renderer.scene import limits
from renderer.scene.load import LoadedScene
from renderer.scene.safe_read import UnsafeFileError, hash_regular_file

BAKE_FORMAT = 1  # bump when outputs change for the same inputs


@dataclass(frozen=True)
class StepJob:
    """One step and view of one lesson: what a worker renders. `step` is 0-based (None: no lesson).
    Kinds: png (the picture with its caption), view (the picture alone), mp4 (the step moving, H.264),
    av1 (the same in AV1, on request)."""

    scene: str  # absolute path of the scene file
    lesson: str  # the lesson's name in the output (file stem)
    step: int | None
    view: str
    size: tuple[int, int]
    languages: tuple[str, ...]
    keys: dict = field(hash=False, compare=False, default_factory=dict)  # (kind, language) -> content key
    moves: bool = False  # has a camera transition or animations: also make a video


def asset_digest(loaded: LoadedScene) -> str:
    """SHA-256 over the bytes of every non-YAML file the scene reads (meshes, molecules, masks)."""
    digest = hashlib.sha256()
    for path in scene_files(loaded):
        if path.suffix.lower() in (".yaml", ".yml", ".json"):
            continue  # scene text is hashed through the validated model instead
        digest.update(path.name.encode())
        try:  # the scene checked these files when it loaded; one swapped for a FIFO since must not hang a bake
            hash_regular_file(path, digest, max(limits.MAX_MESH_FILE_BYTES, limits.MAX_MOLECULE_FILE_BYTES))
        except UnsafeFileError as exc:
            raise ProsectorError(f"{exc}; it changed since the scene {loaded.path} was read") from None
    return digest.hexdigest()


def scene_languages_of(loaded: LoadedScene) -> list[str]:
    from renderer.interaction.preview_state import scene_languages

    return list(scene_languages(loaded.scene))


def plan_lesson(loaded: LoadedScene, size: tuple[int, int], languages: list[str] | None,
                views: tuple[str, ...] = ("lesson",), video: bool = True,
                av1: bool = False) -> list[StepJob]:  # fmt: skip
    """Jobs for every step (or the scene itself when it has no lesson) and view; with `video`, steps
    that move (a camera transition or animations) get a video too."""
    scene = loaded.scene
    model = scene.model_dump(mode="json")
    steps = model.pop("lesson", None)
    base = {"assets": asset_digest(loaded), "scene": model, "renderer": __version__, "format": BAKE_FORMAT}
    wanted = [lang for lang in (languages or scene_languages_of(loaded)) if lang]
    available = set(scene_languages_of(loaded))
    chosen = tuple(dict.fromkeys(lang for lang in wanted if lang in available)) or (scene.language,)
    step_defs = (steps or {}).get("steps") or [None]
    jobs = []
    for index, step in enumerate(step_defs):
        step_index = index if step is not None else None
        previous = step_defs[index - 1] if step is not None and index > 0 else None
        moves = video and step is not None and (bool(step.get("animate"))
                                                or (index > 0 and step.get("transition_ms", 0) > 0))  # fmt: skip
        for view in views:
            # the previous step matters only where a video moves in from it
            common = {**base, "step": step, "previous": previous if moves else None, "view": view, "size": list(size)}
            keys = {}
            for lang in chosen:
                keys[("png", lang)] = _key({**common, "language": lang, "kind": "png"})
                keys[("view", lang)] = _key({**common, "language": lang, "kind": "view"})
                if moves:
                    keys[("mp4", lang)] = _key({**common, "language": lang, "kind": "mp4"})
                    if av1:
                        keys[("av1", lang)] = _key({**common, "language": lang, "kind": "av1"})
            jobs.append(StepJob(str(loaded.path.resolve()), Path(loaded.path).stem, step_index, view, size, chosen,
                                keys, moves))  # fmt: skip
    return jobs


EXTENSIONS = {"png": "png", "view": "png", "mp4": "mp4", "av1": "av1.mp4", "pdf": "pdf", "glb": "glb"}


def glb_key(loaded: LoadedScene, device: str) -> str:
    """The lesson's GLB (every step and language in its extras) depends on the whole scene."""
    return _key({"kind": "glb", "device": device, "assets": asset_digest(loaded), "renderer": __version__,
                 "format": BAKE_FORMAT, "scene": loaded.scene.model_dump(mode="json")})  # fmt: skip


def handout_key(jobs: list[StepJob], lang: str) -> str:
    """The handout of one lesson in `lang` depends on its steps' pictures and texts."""
    return _key({"kind": "pdf", "language": lang, "steps": [j.keys.get(("png", lang)) for j in jobs]})


def _key(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
