"""What a scene looks like at one lesson step (or with no lesson): pure data, no GL.

`scene_state(loaded, step, lang)` resolves groups to parts, applies the step's lists on top of
the scene as declared, picks the camera, the active sections and the labels, and evaluates
animations (at their end for a still image). The GPU scene applies the result; tests read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from renderer import maths
from renderer.errors import ProsectorError
from renderer.scene.animation import ExplodeAnimation, KeyframeAnimation, explode_offset, keyframe_matrix
from renderer.scene.fields import Camera, text_in
from renderer.scene.load import LoadedScene
from renderer.scene.model import Part, Scene
from renderer.scene.molecule_state import MoleculeState, molecule_label_requests, molecule_states, with_sections
from renderer.scene.sections import ClipPlane, CutBox

MAX_LABEL_POINTS = 4000  # candidate anchor points per label; enough to find a visible spot


@dataclass
class LabelRequest:
    """A label to draw: its text, and where its leader line may point.

    anchor_m: (3,) scene-space metres when the teacher fixed it; otherwise `points_m` (K, 3) float64
    are candidate points on the labelled surface (clipped-away regions removed), and the label pass
    picks a visible one.
    """

    target_id: str
    text: str
    anchor_m: np.ndarray | None
    points_m: np.ndarray


@dataclass
class SceneState:
    """Per part: visibility, opacity, highlight, extra transform (4, 4), clip planes (K, 4) and cut
    boxes (M, 2, 3), all in scene space; plus the camera (None: the scene's) and the labels."""

    visible: dict[str, bool]
    opacity: dict[str, float]
    highlighted: set[str]
    motion: dict[str, np.ndarray]
    clip_planes: dict[str, np.ndarray]
    cut_boxes: dict[str, np.ndarray]
    labels: list[LabelRequest] = field(default_factory=list)
    camera: Camera | None = None
    title: str | None = None
    text: str | None = None
    language: str = "en"
    molecules: dict[str, MoleculeState] = field(default_factory=dict)  # by molecule id, those loaded


def start_step(scene: Scene, requested: int | None) -> int | None:
    """The 0-based step a view starts at. `requested` is as on the command line (from 1; 0: the scene
    before any step); without one, a lesson starts at step 1, as the preview does."""
    if requested is None:
        return 0 if scene.lesson and scene.lesson.steps else None
    return None if requested == 0 else requested - 1


def step_visibility(scene: Scene, step, visible: dict[str, bool]) -> dict[str, bool]:
    """Part id -> visible after a lesson step's `only`, `hide` and `show` lists (in that order)."""
    if step.only is not None:
        keep = set(group_members(scene, step.only))
        visible = {i: i in keep for i in visible}
    else:
        visible = dict(visible)
    for part_id in group_members(scene, step.hide):
        visible[part_id] = False
    for part_id in group_members(scene, step.show):
        visible[part_id] = True
    return visible


def group_members(scene: Scene, ids: list[str] | None) -> list[str]:
    """Part ids named by `ids` (parts themselves, or groups with their child groups), in order, once."""
    out: dict[str, None] = {}
    children: dict[str, list[str]] = {}
    for name, group in scene.groups.items():
        if group.parent is not None:
            children.setdefault(group.parent, []).append(name)
    stack = list(reversed(ids or []))
    seen_groups: set[str] = set()
    while stack:
        name = stack.pop()
        if name in scene.parts:
            out.setdefault(name)
        elif name in scene.groups and name not in seen_groups:
            seen_groups.add(name)
            stack.extend(reversed([*scene.groups[name].parts, *children.get(name, [])]))
    return list(out)


def scene_state(loaded: LoadedScene, step: int | None = None, lang: str | None = None,
                time_s: float | None = None) -> SceneState:  # fmt: skip
    """State at lesson step `step` (0-based; None: the scene as declared). `time_s` into the step
    (None: animations finished). Labels are in `lang` (default: the scene's language)."""
    scene = loaded.scene
    lang = lang or scene.language
    visible = {i: p.visible for i, p in scene.parts.items()}
    opacity = {i: p.opacity for i, p in scene.parts.items()}
    highlighted: set[str] = set()
    planes = [n for n, p in scene.clip_planes.items() if p.active]
    boxes = [n for n, b in scene.cut_boxes.items() if b.active]
    state_step = None
    if step is not None:
        steps = scene.lesson.steps if scene.lesson else []
        if not 0 <= step < len(steps):
            raise ProsectorError(f"step {step + 1} does not exist; the lesson has {len(steps)} step(s)"
                                 if steps else "the scene has no lesson, so it has no steps")  # fmt: skip
        state_step = steps[step]
        visible = step_visibility(scene, state_step, visible)
        for name, value in state_step.opacity.items():
            for part_id in group_members(scene, [name]):
                opacity[part_id] = value
        highlighted = set(group_members(scene, state_step.highlight))
        if state_step.clip is not None:
            planes = [n for n in state_step.clip if n in scene.clip_planes]
            boxes = [n for n in state_step.clip if n in scene.cut_boxes]
    motion = _motion(loaded, state_step.animate if state_step else [], time_s)
    clip_planes = _per_part(scene, planes, scene.clip_planes, _plane_equation, (0, 4))
    cut_boxes = _per_part(scene, boxes, scene.cut_boxes, lambda b: np.array([b.min_m, b.max_m], float), (0, 2, 3))
    state = SceneState(visible, opacity, highlighted, motion, clip_planes, cut_boxes, language=lang)
    state.molecules = with_sections(molecule_states(scene, loaded.structures, state_step), scene, planes, boxes,
                                    _plane_equation)  # fmt: skip
    if state_step is not None:
        state.camera = scene.bookmarks[state_step.camera] if isinstance(state_step.camera, str) else state_step.camera
        state.title = text_in(state_step.title, lang, scene.language)
        state.text = text_in(state_step.text, lang, scene.language)
        state.labels = [_label(loaded, state, name, lang) for name in state_step.label]
        state.labels = [label for label in state.labels if label is not None]
    named = state_step.label if state_step is not None else []
    requests = molecule_label_requests(scene, loaded.structures, state.molecules, named, lang)
    state.labels += [LabelRequest(*request) for request in requests]
    return state


def _plane_equation(plane: ClipPlane) -> np.ndarray:
    """(4,) [n, d] with n unit: a point p is kept where n . p + d >= 0 (n points to the kept side)."""
    n = -maths.normalize(np.asarray(plane.normal, dtype=np.float64))
    return np.array([*n, -float(n @ np.asarray(plane.point_m, dtype=np.float64))])


def _per_part(scene: Scene, names: list[str], table: dict[str, ClipPlane | CutBox], convert, empty_shape) -> dict:
    out = {i: [] for i in scene.parts}
    for name in names:
        section = table[name]
        targets = list(scene.parts) if section.parts is None else group_members(scene, section.parts)
        for part_id in targets:
            out[part_id].append(convert(section))
    return {i: (np.array(v, dtype=np.float64) if v else np.zeros(empty_shape)) for i, v in out.items()}


def _motion(loaded: LoadedScene, names: list[str], time_s: float | None) -> dict[str, np.ndarray]:
    scene = loaded.scene
    motion = {i: np.eye(4) for i in scene.parts}
    for name in names:
        animation = scene.animations[name]
        targets = [t for t in group_members(scene, animation.targets) if t in loaded.meshes]
        if not targets:
            continue
        centres = {t: _world_centre(loaded, t, motion[t]) for t in targets}
        middle = np.mean(list(centres.values()), axis=0)
        if isinstance(animation, KeyframeAnimation):
            pivot = np.asarray(animation.pivot_m, dtype=np.float64) if animation.pivot_m else middle
            t = animation.duration_s if time_s is None else time_s
            extra = keyframe_matrix(animation, t, pivot)
            for target in targets:
                motion[target] = extra @ motion[target]
        elif isinstance(animation, ExplodeAnimation):
            centre = np.asarray(animation.centre_m, dtype=np.float64) if animation.centre_m else middle
            t = animation.duration_s if time_s is None else time_s
            directions = _explode_directions(scene, animation)
            for target in targets:
                offset = explode_offset(animation, centres[target], centre, t, directions.get(target))
                motion[target] = maths.translation(offset) @ motion[target]
    return motion


def _explode_directions(scene: Scene, animation: ExplodeAnimation) -> dict[str, np.ndarray]:
    """Part id -> its direction: a group's entry applies to its members, a part's own entry wins."""
    out: dict[str, np.ndarray] = {}
    for name, direction in sorted(animation.directions.items(), key=lambda item: item[0] in scene.parts):
        for part_id in group_members(scene, [name]):
            out[part_id] = np.asarray(direction, dtype=np.float64)
    return out


def base_matrix(part: Part) -> np.ndarray:
    """(4, 4) model -> scene transform declared on the part."""
    t = part.transform
    return maths.translation(t.translation_m) @ maths.rotation_euler_deg(t.rotation_deg) @ maths.scaling(t.scale)


def _world_centre(loaded: LoadedScene, part_id: str, motion: np.ndarray) -> np.ndarray:
    bounds = loaded.meshes[part_id].bounds
    return maths.transform_points(motion @ base_matrix(loaded.scene.parts[part_id]), bounds.mean(axis=0)[None])[0]


def _label(loaded: LoadedScene, state: SceneState, name: str, lang: str) -> LabelRequest | None:
    scene = loaded.scene
    if name in scene.molecules:
        return None  # molecule labels: renderer.scene.molecule_state.molecule_label_requests
    thing = scene.parts.get(name) or scene.groups.get(name)
    text = text_in(thing.name, lang, scene.language) or name
    parts = [p for p in group_members(scene, [name]) if p in loaded.meshes]
    anchor = np.asarray(thing.label_anchor_m, dtype=np.float64) if thing.label_anchor_m is not None else None
    shown = [p for p in parts if state.visible[p] and state.opacity[p] > 0.0] or parts
    chunks = [_surface_points(loaded, state, p, max(MAX_LABEL_POINTS // max(len(shown), 1), 64)) for p in shown]
    points = np.concatenate(chunks) if chunks else np.zeros((0, 3))
    if anchor is None and len(points) == 0:
        return None
    return LabelRequest(name, text, anchor, points)


def _surface_points(loaded: LoadedScene, state: SceneState, part_id: str, count: int) -> np.ndarray:
    """Up to `count` world-space vertices of the part, without those its sections cut away."""
    positions = loaded.meshes[part_id].positions
    stride = max(1, len(positions) // count)
    model = state.motion[part_id] @ base_matrix(loaded.scene.parts[part_id])
    points = maths.transform_points(model, positions[::stride].astype(np.float64))
    keep = np.ones(len(points), dtype=bool)
    for plane in state.clip_planes[part_id]:
        keep &= points @ plane[:3] + plane[3] >= 0.0
    for box in state.cut_boxes[part_id]:
        keep &= ~np.all((points >= box[0]) & (points <= box[1]), axis=1)
    return points[keep]
