"""The viewer's own changes on top of a lesson step, as pure functions on `SceneState`: each returns a
new state and leaves its argument alone. The window, the headset and a classroom follower all build
what they show this way (step state, then these), so a highlight or a plane held in the hand means
the same in every view, and the GPU scene only ever receives a finished state (`Stage.show`).

Planes are scene-space [nx, ny, nz, d] rows (keep n.p + d >= 0); points are scene metres.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np

from renderer.scene.fields import text_in
from renderer.scene.model import Scene
from renderer.scene.sections import MAX_ACTIVE_PLANES
from renderer.scene.step_state import LabelRequest, SceneState


def with_visibility(state: SceneState, shown: dict[str, bool]) -> SceneState:
    """Parts shown or hidden by the viewer (part id -> visible), over the step's choice."""
    if not shown:
        return state
    visible = dict(state.visible)
    visible.update({part_id: on for part_id, on in shown.items() if part_id in visible})
    return dataclasses.replace(state, visible=visible)


def with_highlight(state: SceneState, on: Iterable[str] = (), off: Iterable[str] = ()) -> SceneState:
    """Parts highlighted (`on`) or not (`off`) over the step's highlight; unknown ids are ignored."""
    on, off = set(on) & set(state.visible), set(off)
    if not on and not off:
        return state
    return dataclasses.replace(state, highlighted=(state.highlighted - off) | on)


def with_clip_planes(state: SceneState, planes) -> SceneState:
    """The viewer's planes ((K, 4) or (4,)) cut every part and molecule, as many as each has room for
    (MAX_ACTIVE_PLANES in all; the step's own planes come first)."""
    planes = np.asarray(planes, dtype=np.float64).reshape(-1, 4)
    if len(planes) == 0:
        return state
    clip = {part_id: _added(own, planes) for part_id, own in state.clip_planes.items()}
    molecules = {molecule_id: dataclasses.replace(molecule, clip_planes=_added(molecule.clip_planes, planes))
                 for molecule_id, molecule in state.molecules.items()}  # fmt: skip
    return dataclasses.replace(state, clip_planes=clip, molecules=molecules)


def _added(own: np.ndarray, planes: np.ndarray) -> np.ndarray:
    own = np.asarray(own, dtype=np.float64).reshape(-1, 4)
    room = MAX_ACTIVE_PLANES - len(own)
    return np.vstack([own, planes[:room]]) if room > 0 else own


def with_label(state: SceneState, target_id: str, text: str, point_m) -> SceneState:
    """A label `text` on `target_id` pointing at `point_m` (3,), in place of the step's label for it.
    A part's label shows only while the part is visible; ids starting with '@' (the headset's timing
    panel) are the app's own and always show."""
    if not target_id.startswith("@") and not state.visible.get(target_id, False):
        return state
    labels = [label for label in state.labels if label.target_id != target_id]
    labels.append(LabelRequest(target_id, text, np.asarray(point_m, dtype=np.float64), np.zeros((0, 3))))
    return dataclasses.replace(state, labels=labels)


def part_name(scene: Scene, part_id: str, language: str) -> str:
    """The part's name in `language` (else the scene's language), else its id: what a picked label says."""
    return text_in(scene.parts[part_id].name, language, scene.language) or part_id


def with_picked_label(state: SceneState, scene: Scene, part_id: str, point_m) -> SceneState:
    """The label of a structure the viewer picked: its name in the state's language at the picked point."""
    return with_label(state, part_id, part_name(scene, part_id, state.language), point_m)


# -- step navigation --------------------------------------------------------------------------------------


def step_count(scene: Scene) -> int:
    return len(scene.lesson.steps) if scene.lesson else 0


def clamped_step(scene: Scene, index: int | None) -> int | None:
    """`index` (0-based) held within the lesson; None for a scene without one, or for None."""
    count = step_count(scene)
    if count == 0 or index is None:
        return None
    return max(0, min(index, count - 1))


def moved_step(scene: Scene, current: int | None, delta: int) -> int | None:
    """The step `delta` steps after `current` (None: before the first step, as if at -1), held
    within the lesson: the next/previous buttons of every view."""
    return clamped_step(scene, (-1 if current is None else current) + delta)
