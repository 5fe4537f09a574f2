"""`validate`'s warnings: scenes that load but are probably not what the teacher meant.

Each is a `Problem` whose message starts with "warning: ", at the line to change:
- sizes: a scene taller than a person, a part 10x larger or smaller than the parts around it
  (usually a wrong `unit:`), with the unit that would fit;
- language codes that are not BCP 47 or look like a country code ("'ch': did you mean 'zh'?");
- a step that labels, or asks about, a part it hides;
- files that `prosector new` would have read in another unit or up axis (`scaffold_frame`).
"""

from __future__ import annotations

import numpy as np

from renderer import maths
from renderer.errors import Problem
from renderer.scene.languages import language_warning, text_languages
from renderer.scene.load import LoadedScene
from renderer.scene.scaffold_frame import UNIT_METRES, decide_frame
from renderer.scene.step_state import base_matrix, group_members, step_visibility
from renderer.scene.yaml_source import format_path

TALLEST_PERSON_M = 2.5
NEIGHBOURS = 6
OFF_RATIO = 10.0


def scene_warnings(loaded: LoadedScene) -> list[Problem]:
    """Every warning for a loaded scene (size and placement ones only when its meshes are loaded)."""
    document = loaded.scene.model_dump(exclude_unset=True)
    warnings = _language_warnings(loaded, document) + _hidden_target_warnings(loaded)
    if loaded.meshes:
        shown = _shown_anywhere(loaded)
        warnings += _size_warnings(loaded, shown) + _placement_warnings(loaded)
    return sorted(set(warnings))


def _warn(loaded: LoadedScene, where: tuple, message: str, prefer_key: bool = False) -> Problem:
    return loaded.source.problem(where, f"warning: {format_path(where)}: {message}", prefer_key)


def _language_warnings(loaded: LoadedScene, document: dict) -> list[Problem]:
    out = []
    for where, code in text_languages(document):
        message = language_warning(code)
        if message:
            out.append(_warn(loaded, where, message, prefer_key=where != ("language",)))
    return out


def _visibility(loaded: LoadedScene, step) -> dict[str, bool]:
    """Part id -> shown (visible with some opacity) at a step (None: the scene as declared)."""
    scene = loaded.scene
    visible = {i: p.visible and p.opacity > 0.0 for i, p in scene.parts.items()}
    if step is None:
        return visible
    visible = step_visibility(scene, step, visible)
    for name, value in step.opacity.items():
        for part_id in group_members(scene, [name]):
            visible[part_id] = visible[part_id] and value > 0.0
    return visible


def _steps(loaded: LoadedScene) -> list:
    return list(loaded.scene.lesson.steps) if loaded.scene.lesson else []


def _shown_anywhere(loaded: LoadedScene) -> set[str]:
    shown = {i for i, v in _visibility(loaded, None).items() if v}
    for step in _steps(loaded):
        shown |= {i for i, v in _visibility(loaded, step).items() if v}
    return shown


def _hidden_target_warnings(loaded: LoadedScene) -> list[Problem]:
    scene, out = loaded.scene, []
    for number, step in enumerate(_steps(loaded)):
        visible = _visibility(loaded, step)
        targets = [(("lesson", "steps", number, "label", k), name, "labels") for k, name in enumerate(step.label)]
        if step.question is not None:
            targets.append((("lesson", "steps", number, "question", "answer"), step.question.answer, "asks about"))
        for where, name, verb in targets:
            members = group_members(scene, [name])
            if members and not any(visible[m] for m in members):
                out.append(_warn(loaded, where, f"step {number + 1} {verb} '{name}', but it is hidden in that step; "
                                                "add it to `show:` or name a visible part"))  # fmt: skip
    return out


def _scene_boxes(loaded: LoadedScene, ids) -> dict[str, np.ndarray]:
    """Part id -> (2, 3) box in scene space, metres."""
    boxes = {}
    for part_id in ids:
        mesh = loaded.meshes.get(part_id)
        if mesh is None:
            continue
        low, high = mesh.bounds
        corners = np.array([[x, y, z] for x in (low[0], high[0]) for y in (low[1], high[1]) for z in (low[2], high[2])])
        placed = maths.transform_points(base_matrix(loaded.scene.parts[part_id]), corners)
        boxes[part_id] = np.array([placed.min(axis=0), placed.max(axis=0)])
    return boxes


def _unit_location(loaded: LoadedScene, part_id: str) -> tuple:
    part = loaded.scene.parts[part_id]
    if ("parts", part_id, "unit") in loaded.source.keys:
        return ("parts", part_id, "unit")
    if ("defaults", "unit") in loaded.source.keys:
        return ("defaults", "unit")
    return ("parts", part_id, "mesh") if part.mesh else ("parts", part_id)


def _unit_hint(unit: str, ratio: float) -> str:
    """'; did you mean unit: mm?' when another unit brings a size now `ratio` x what it should be
    within 5x of it and at least 8x closer."""
    off = {u: abs(np.log10(ratio * UNIT_METRES[u] / UNIT_METRES[unit])) for u in UNIT_METRES}
    best = min(off, key=off.get)
    if best == unit or off[best] > np.log10(5.0) or off[best] > off[unit] - 0.9:
        return "; check its unit and transform scale"
    return f"; did you mean unit: {best}?"


def _height_hint(unit: str, height_m: float) -> str:
    """'; did you mean unit: mm?' for the unit that makes a too-tall scene at most a person's height."""
    fits = [u for u in UNIT_METRES if 0.02 <= height_m * UNIT_METRES[u] / UNIT_METRES[unit] <= TALLEST_PERSON_M]
    if not fits:
        return "; check the units and transform scales"
    return f"; did you mean unit: {max(fits, key=lambda u: UNIT_METRES[u])}?"


def _size_warnings(loaded: LoadedScene, shown: set[str]) -> list[Problem]:
    boxes = _scene_boxes(loaded, [i for i in loaded.scene.parts if i in shown])
    if not boxes:
        return []
    ids = list(boxes)
    stacked = np.array([boxes[i] for i in ids])
    out = []
    height = float(stacked[:, 1, 1].max() - stacked[:, 0, 1].min())
    if height > TALLEST_PERSON_M:
        tallest = ids[int(np.argmax(stacked[:, 1, 1] - stacked[:, 0, 1]))]
        unit = loaded.scene.parts[tallest].unit
        hint = _height_hint(unit, height)
        out.append(_warn(loaded, _unit_location(loaded, tallest), f"the scene is {height:.3g} m tall, taller than "
                                                                  f"any person{hint}"))  # fmt: skip
    if len(ids) < 3:
        return out
    extents = np.maximum((stacked[:, 1] - stacked[:, 0]).max(axis=1), 1e-12)
    centres = stacked.mean(axis=1)
    for index, part_id in enumerate(ids):
        distance = np.linalg.norm(centres - centres[index], axis=1)
        nearest = [j for j in np.argsort(distance) if j != index][:NEIGHBOURS]
        ratio = float(extents[index] / np.median(extents[nearest]))
        if ratio >= OFF_RATIO or ratio <= 1.0 / OFF_RATIO:
            size = "larger" if ratio > 1 else "smaller"
            times = ratio if ratio > 1 else 1.0 / ratio
            hint = _unit_hint(loaded.scene.parts[part_id].unit, ratio)
            out.append(_warn(loaded, _unit_location(loaded, part_id), f"{times:.0f} times {size} than the parts "
                                                                      f"around it ({extents[index]:.3g} m across)"
                                                                      f"{hint}"))  # fmt: skip
    return out


def _file_boxes(loaded: LoadedScene) -> dict[tuple, tuple[np.ndarray, list[str]]]:
    """(mesh path, node) -> ((2, 3) box in the file's own units and axes, part ids), for parts
    without rotation or scale (those placed by hand are the teacher's decision)."""
    files: dict[tuple, tuple[np.ndarray, list[str]]] = {}
    for part_id, part in loaded.scene.parts.items():
        mesh = loaded.meshes.get(part_id)
        if mesh is None or any(part.transform.rotation_deg) or part.transform.scale != 1.0:
            continue
        positions = mesh.bounds / UNIT_METRES[part.unit]
        if part.up_axis == "z":  # undo load_mesh's (x, y, z) -> (x, z, -y)
            positions = positions[:, [0, 2, 1]] * np.array([1.0, -1.0, 1.0])
        box = np.array([positions.min(axis=0), positions.max(axis=0)])
        key = (str(loaded.asset_paths.get(part_id)), part.node)
        if key in files:
            files[key][1].append(part_id)
        else:
            files[key] = (box, [part_id])
    return files


def _placement_warnings(loaded: LoadedScene) -> list[Problem]:
    files = _file_boxes(loaded)
    if not files:
        return []
    entries = list(files.values())
    frame = decide_frame([box for box, _ids in entries])
    out = []
    for index, (_box, ids) in enumerate(entries):
        part = loaded.scene.parts[ids[0]]
        unit = frame.overrides.get(index, (frame.unit, ""))[0]
        if unit != part.unit:
            why = frame.overrides[index][1] if index in frame.overrides else f"the files together: {frame.unit_why}"
            out.append(_warn(loaded, _unit_location(loaded, ids[0]), f"`prosector new` would read this file in {unit}, "
                                                                     f"not {part.unit} ({why})"))  # fmt: skip
        if frame.up_axis != part.up_axis and frame.up_strong and len(entries) >= 3:
            where = ("parts", ids[0], "up_axis") if ("parts", ids[0], "up_axis") in loaded.source.keys else \
                ("defaults", "up_axis") if ("defaults", "up_axis") in loaded.source.keys else ("parts", ids[0], "mesh")
            out.append(_warn(loaded, where, f"`prosector new` would read this file with up_axis: {frame.up_axis}, "
                                            f"not {part.up_axis} ({frame.up_why})"))  # fmt: skip
    return out
