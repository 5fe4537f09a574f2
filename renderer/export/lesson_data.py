"""The lesson as plain JSON for the file's `extras` and the web page: per step, what each part and
molecule looks like, the camera, the clip planes, the labels with an anchor point, in every language.

Built from `renderer.scene.step_state.scene_state`, so the page shows what `prosector render --step`
shows. Label anchors: the teacher's `label_anchor_m`, else the candidate surface point nearest the
step's camera (the page does not read back depth to search for a visible spot as Prosector does).
"""

from __future__ import annotations

import numpy as np

from renderer.errors import ProsectorError
from renderer.scene.fields import Camera, text_in
from renderer.scene.load import LoadedScene
from renderer.scene.molecule_state import SCALE_BAR_COLOR
from renderer.scene.step_state import SceneState, base_matrix, group_members, scene_state
from renderer.view import auto_camera


def scene_languages(loaded: LoadedScene) -> list[str]:
    """Every language a text of the scene is written in, the scene's own first."""
    found: dict[str, None] = {loaded.scene.language: None}

    def walk(value) -> None:
        if isinstance(value, dict):
            if value and all(isinstance(v, str) for v in value.values()) and all(
                    isinstance(k, str) and 2 <= len(k) <= 12 and k[:2].islower() for k in value):  # fmt: skip
                found.update(dict.fromkeys(value))
            else:
                for v in value.values():
                    walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(loaded.scene.model_dump(include={"title", "parts", "groups", "lesson", "molecules", "clip_planes"}))
    from renderer.scene.fields import LANGUAGE

    return [lang for lang in found if LANGUAGE.match(lang)]


def texts(value, languages: list[str], fallback: str) -> dict[str, str] | None:
    """{language: text} for every language (each falling back as Prosector does), None without text."""
    if value is None:
        return None
    return {lang: text_in(value, lang, fallback) for lang in languages}


def camera_json(camera: Camera) -> dict:
    return {"eye_m": list(camera.eye_m), "target_m": list(camera.target_m), "up": list(camera.up),
            "vertical_fov_deg": camera.vertical_fov_deg}  # fmt: skip


def world_bounds(loaded: LoadedScene, state: SceneState) -> np.ndarray:
    """(2, 3) box of the visible parts in scene space, metres (molecules by their atoms)."""
    corners = []
    for part_id, mesh in loaded.meshes.items():
        if state.visible.get(part_id) and state.opacity.get(part_id, 1.0) > 0.0:
            box = mesh.bounds
            cube = np.array([[box[i, 0], box[j, 1], box[k, 2]] for i in (0, 1) for j in (0, 1) for k in (0, 1)])
            matrix = state.motion[part_id] @ base_matrix(loaded.scene.parts[part_id])
            corners.append(cube @ matrix[:3, :3].T + matrix[:3, 3])
    for molecule_id, molecule in state.molecules.items():
        if molecule.shown:
            positions = loaded.structures[molecule_id].positions_a.astype(np.float64)
            corners.append(positions @ molecule.matrix[:3, :3].T + molecule.matrix[:3, 3])
    if not corners:
        return np.array([[-0.5] * 3, [0.5] * 3])
    points = np.concatenate(corners)
    return np.array([points.min(axis=0), points.max(axis=0)])


def step_camera(loaded: LoadedScene, state: SceneState, aspect: float) -> Camera:
    """The step's camera, else the scene's, else one framing what is visible (as `prosector render`)."""
    return state.camera or loaded.scene.camera or auto_camera(world_bounds(loaded, state), aspect=aspect)


def _anchor(label, eye: np.ndarray) -> list[float] | None:
    if label.anchor_m is not None:
        return [float(v) for v in label.anchor_m]
    if len(label.points_m) == 0:
        return None
    nearest = label.points_m[np.argmin(np.linalg.norm(label.points_m - eye, axis=1))]
    return [float(v) for v in nearest]


def step_json(loaded: LoadedScene, index: int | None, languages: list[str], molecule_nodes: dict,
              aspect: float) -> dict:  # fmt: skip
    """One step (index None: the scene as declared) as JSON. molecule_nodes: {(molecule id,
    representations): node name} of the meshes written for molecules."""
    scene = loaded.scene
    by_lang = {lang: scene_state(loaded, index, lang) for lang in languages}
    state = by_lang[languages[0]]
    camera = step_camera(loaded, state, aspect)
    eye = np.asarray(camera.eye_m, float)
    parts = {}
    for part_id in loaded.meshes:
        parts[part_id] = {"visible": bool(state.visible[part_id]), "opacity": float(state.opacity[part_id]),
                          "highlight": part_id in state.highlighted,
                          "motion": [float(v) for v in state.motion[part_id].T.reshape(-1)],
                          "clip_planes": state.clip_planes[part_id].tolist(),
                          "cut_boxes": state.cut_boxes[part_id].tolist()}  # fmt: skip
    molecules = {}
    for molecule_id, molecule in state.molecules.items():
        node = molecule_nodes.get((molecule_id, molecule.representations))
        bar = molecule.scale_bar if molecule.shown else None
        molecules[molecule_id] = {"node": node, "visible": bool(molecule.shown), "opacity": float(molecule.opacity),
                                  "highlight": bool(molecule.highlighted),
                                  "scale_bar": {"start_m": list(bar.start_m), "length_m": bar.length_m,
                                                "color": list(SCALE_BAR_COLOR)} if bar else None}  # fmt: skip
    labels = []
    for number, label in enumerate(state.labels):
        anchor = _anchor(label, eye)
        if anchor is None:
            continue
        text = {lang: by_lang[lang].labels[number].text for lang in languages if number < len(by_lang[lang].labels)}
        labels.append({"target": label.target_id, "text": text, "anchor_m": anchor})
    out = {"camera": camera_json(camera), "parts": parts, "molecules": molecules, "labels": labels}
    if index is not None:
        step = scene.lesson.steps[index]
        out["title"] = texts(step.title, languages, scene.language)
        out["text"] = texts(step.text, languages, scene.language)
        out["transition_ms"] = step.transition_ms
        if step.question is not None:
            q = step.question
            answers = group_members(scene, [q.answer, *q.also_accept]) + [
                a for a in (q.answer, *q.also_accept) if a in scene.molecules]  # fmt: skip
            out["question"] = {"prompt": texts(q.prompt, languages, scene.language),
                               "hint": texts(q.hint, languages, scene.language), "answer": q.answer,
                               "accept": answers}  # fmt: skip
    return out


def lesson_json(loaded: LoadedScene, molecule_nodes: dict, aspect: float = 4 / 3) -> dict:
    """The whole lesson: languages, titles, the declared scene, every step; part names and descriptions."""
    scene = loaded.scene
    languages = scene_languages(loaded)
    steps = scene.lesson.steps if scene.lesson else []
    if len(steps) > 500:
        raise ProsectorError("a lesson with more than 500 steps cannot be exported")
    names = {}
    for part_id, part in scene.parts.items():
        names[part_id] = {"name": texts(part.name, languages, scene.language) or dict.fromkeys(languages, part_id),
                          "description": texts(part.description, languages, scene.language),
                          "pickable": part.pickable}  # fmt: skip
    for molecule_id, spec in scene.molecules.items():
        names[molecule_id] = {"name": texts(spec.name, languages, scene.language) or dict.fromkeys(languages,
                                                                                                 molecule_id),
                              "description": texts(spec.description, languages, scene.language), "pickable": True}
    return {
        "format": "prosector-lesson", "version": 1,
        "languages": languages,
        "title": texts(scene.title, languages, scene.language),
        "lesson_title": texts(scene.lesson.title, languages, scene.language) if scene.lesson else None,
        "background": list(scene.render.background),
        "exposure": scene.render.exposure,
        "highlight_color": list(scene.render.highlight_color),
        "lights": {"key": scene.lights.key.model_dump() if scene.lights.key else None,
                   "environment": scene.lights.environment.model_dump()},
        "names": names,
        "declared": step_json(loaded, None, languages, molecule_nodes, aspect),
        "steps": [step_json(loaded, i, languages, molecule_nodes, aspect) for i in range(len(steps))],
    }
