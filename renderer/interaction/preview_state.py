"""What the preview shows beyond the scene file: lesson step, language, the viewer's own changes.

The lesson step gives a `SceneState` (renderer.scene.step_state); the viewer's changes go on top
of it: parts shown or hidden and highlighted from the part list, the picked structure's label,
section planes dragged along their normals, and a section plane facing the viewer. Pure data and
logic (no GL, no window), so a reload can re-apply it to a new scene and tests can drive it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from renderer import maths
from renderer.interaction.orbit import OrbitCamera
from renderer.scene.fields import LANGUAGE
from renderer.scene.load import LoadedScene
from renderer.scene.model import Scene
from renderer.scene.step_state import SceneState, group_members, scene_state
from renderer.scene.viewer_changes import (
    clamped_step,
    step_count,
    with_clip_planes,
    with_highlight,
    with_picked_label,
    with_visibility,
)

STEREO_MODES = ("mono", "side-by-side", "anaglyph")
VIEWER_PLANE = "viewer"  # the name of the section plane that faces the viewer


@dataclass
class Pick:
    """A structure the user clicked: its part id and the clicked point, (3,) scene metres."""

    part_id: str
    point_m: np.ndarray


@dataclass
class PreviewState:
    """The viewer's side of the preview. `step` is 0-based (None: no lesson); `language` None means
    the scene's own."""

    step: int | None = None
    language: str | None = None
    stereo: str = "mono"
    show_hud: bool = True
    show_frame_time: bool = False
    show_help: bool = False
    part_list_open: bool = False
    list_cursor: int = 0
    shown: dict[str, bool] = field(default_factory=dict)  # part id -> visible, overriding the step
    highlighted: dict[str, bool] = field(default_factory=dict)
    picked: Pick | None = None
    answer: str | None = None  # feedback on the step's question after a pick
    viewer_plane: bool = False
    viewer_plane_offset_m: float = 0.0
    section_offsets_m: dict[str, float] = field(default_factory=dict)  # plane name -> shift along its normal

    # -- lesson and language -------------------------------------------------------------------------------

    def step_count(self, scene: Scene) -> int:
        return step_count(scene)

    def go_to_step(self, index: int, scene: Scene) -> bool:
        """Show step `index` (clamped to the lesson); the viewer's changes of the old step are dropped,
        since each step is self-contained. Returns whether the step changed."""
        index = clamped_step(scene, index)
        if index is None or index == self.step:
            return False
        self.step = index
        self.shown.clear()
        self.highlighted.clear()
        self.section_offsets_m.clear()
        self.picked, self.answer = None, None
        return True

    def language_of(self, scene: Scene) -> str:
        return self.language or scene.language

    def next_language(self, scene: Scene) -> str:
        options = scene_languages(scene)
        current = self.language_of(scene)
        self.language = options[(options.index(current) + 1) % len(options)] if current in options else options[0]
        return self.language

    def adapt_to(self, loaded: LoadedScene) -> None:
        """After a reload: keep the step (clamped) and drop what names parts that no longer exist."""
        scene = loaded.scene
        count = self.step_count(scene)
        self.step = None if count == 0 else min(self.step if self.step is not None else 0, count - 1)
        for table in (self.shown, self.highlighted):
            for part_id in [p for p in table if p not in scene.parts]:
                del table[part_id]
        for name in [n for n in self.section_offsets_m if n not in scene.clip_planes]:
            del self.section_offsets_m[name]
        if self.picked is not None and self.picked.part_id not in scene.parts:
            self.picked, self.answer = None, None
        self.list_cursor = min(self.list_cursor, max(len(scene.parts) - 1, 0))

    # -- the state to draw -----------------------------------------------------------------------------------

    def scene_state(self, loaded: LoadedScene, camera: OrbitCamera | None = None) -> SceneState:
        """The lesson step's state with the viewer's changes on top (`camera` places the viewer's plane)."""
        state = scene_state(self._with_section_offsets(loaded), self.step, self.language)
        state = with_visibility(state, self.shown)
        state = with_highlight(state, on=[p for p, on in self.highlighted.items() if on],
                               off=[p for p, on in self.highlighted.items() if not on])  # fmt: skip
        if self.viewer_plane and camera is not None:
            state = with_clip_planes(state, viewer_plane_equation(camera, self.viewer_plane_offset_m))
        if self.picked is not None:
            state = with_picked_label(state, loaded.scene, self.picked.part_id, self.picked.point_m)
        return state

    def _with_section_offsets(self, loaded: LoadedScene) -> LoadedScene:
        offsets = {n: d for n, d in self.section_offsets_m.items() if d and n in loaded.scene.clip_planes}
        if not offsets:
            return loaded
        planes = dict(loaded.scene.clip_planes)
        for name, distance in offsets.items():
            plane = planes[name]
            normal = maths.normalize(np.asarray(plane.normal, dtype=np.float64))
            point = np.asarray(plane.point_m, dtype=np.float64) + normal * distance
            planes[name] = plane.model_copy(update={"point_m": tuple(float(v) for v in point)})
        return dataclasses.replace(loaded, scene=loaded.scene.model_copy(update={"clip_planes": planes}))

    # -- sections ------------------------------------------------------------------------------------------

    def movable_plane(self, scene: Scene) -> str | None:
        """The plane a drag moves: the viewer's plane when it is on, else the step's first active one."""
        if self.viewer_plane:
            return VIEWER_PLANE
        planes = active_planes(scene, self.step)
        return planes[0] if planes else None

    def move_plane(self, scene: Scene, metres: float) -> str | None:
        """Shift the movable plane `metres` along its normal (toward the side it removes)."""
        name = self.movable_plane(scene)
        if name == VIEWER_PLANE:
            self.viewer_plane_offset_m += metres
        elif name is not None:
            self.section_offsets_m[name] = self.section_offsets_m.get(name, 0.0) + metres
        return name

    def plane_normal(self, scene: Scene, camera: OrbitCamera) -> np.ndarray | None:
        """(3,) unit normal of the movable plane, pointing to the side it removes."""
        name = self.movable_plane(scene)
        if name == VIEWER_PLANE:
            return maths.normalize(camera.eye_m - camera.target_m)
        if name is None:
            return None
        return maths.normalize(np.asarray(scene.clip_planes[name].normal, dtype=np.float64))

    # -- part list and picking -----------------------------------------------------------------------------

    def toggle_visible(self, part_id: str, state: SceneState) -> None:
        self.shown[part_id] = not state.visible[part_id]

    def toggle_highlight(self, part_id: str, state: SceneState) -> None:
        self.highlighted[part_id] = part_id not in state.highlighted

    def pick(self, loaded: LoadedScene, part_id: str | None, point_m: np.ndarray | None) -> None:
        """Select the clicked part (None: clicked beside the anatomy, which clears the selection) and
        check it against the step's question."""
        self.answer = None
        if part_id is None or point_m is None:
            self.picked = None
            return
        self.picked = Pick(part_id, np.asarray(point_m, dtype=np.float64))
        question = _question(loaded.scene, self.step)
        if question is not None:
            accepted = set(group_members(loaded.scene, [question.answer, *question.also_accept]))
            if part_id in accepted:
                self.answer = "right"
            else:
                self.answer = "wrong"


def active_planes(scene: Scene, step: int | None) -> list[str]:
    """Names of the clipping planes that cut at `step` (the scene's active ones without a lesson)."""
    clip = None
    if step is not None and scene.lesson and 0 <= step < len(scene.lesson.steps):
        clip = scene.lesson.steps[step].clip
    if clip is not None:
        return [n for n in clip if n in scene.clip_planes]
    return [n for n, p in scene.clip_planes.items() if p.active]


def viewer_plane_equation(camera: OrbitCamera, offset_m: float) -> np.ndarray:
    """(4,) [n, d] of a plane through the target facing the viewer, shifted `offset_m` toward the
    viewer: everything between it and the eye is cut away (n points to the kept side)."""
    toward_viewer = maths.normalize(camera.eye_m - camera.target_m)
    point = camera.target_m + toward_viewer * offset_m
    keep = -toward_viewer
    return np.array([*keep, -float(keep @ point)])


def scene_languages(scene: Scene) -> list[str]:
    """Languages the scene's texts are written in, the scene's own language first."""
    found: dict[str, None] = {scene.language: None}
    _collect_languages(scene.model_dump(exclude={"materials", "animations"}), found)
    return list(found)


def _collect_languages(node, found: dict[str, None]) -> None:
    if isinstance(node, dict):
        if node and all(isinstance(k, str) and LANGUAGE.match(k) and isinstance(v, str) for k, v in node.items()):
            for key in node:
                found.setdefault(key)
            return
        for value in node.values():
            _collect_languages(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect_languages(value, found)


def _question(scene: Scene, step: int | None):
    if step is None or not scene.lesson or not 0 <= step < len(scene.lesson.steps):
        return None
    return scene.lesson.steps[step].question
