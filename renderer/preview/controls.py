"""What keys, clicks and drags do in the preview window (renderer.preview.input routes GLFW's events
here). The viewer's changes go into `PreviewState` (pure data; renderer.interaction.preview_state);
the app turns them into the `SceneState` it shows. Picking and poking go through the stage's one
picking path, which sees deformed, exploded and cut parts as drawn."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from renderer.interaction.preview_state import STEREO_MODES
from renderer.scene.viewer_changes import part_name, step_count

KEY_ORBIT_RAD = 0.08
KEY_ZOOM = 0.9
KEY_SECTION_FRACTION = 0.02  # of the scene's size, per [ or ] press
POKE_RADIUS_FRACTION = 0.15  # the finger's reach, as a share of the poked part's size
NEXT_KEYS, PREVIOUS_KEYS = ("right", "pagedown", "space", "n"), ("left", "pageup", "backspace", "b")


def say(line: str) -> None:
    """Console output for people and for scripts driving the window (flushed at once)."""
    print(line, flush=True)


class PreviewControls:
    """The input handler of `app` (a renderer.preview.app.PreviewApp)."""

    def __init__(self, app):
        self.app = app
        self.poke_mode = False
        self.poking: list | None = None  # [part id, grabbed point (3,) m, drag offset (3,) m] while held

    # -- keys ----------------------------------------------------------------------------------------------

    def on_key(self, name: str, shift: bool, ctrl: bool) -> None:
        app = self.app
        if name in ("escape", "q"):
            app.window.request_close()
            return
        if not self._view_key(name) and app.loaded is not None and app.orbit is not None:
            self._scene_key(name)
        app.scene_dirty = True  # the overlay at least changed

    def _view_key(self, name: str) -> bool:
        """Keys that work before a scene is shown; returns whether `name` was one."""
        app, preview = self.app, self.app.preview
        if name in ("f1", "slash"):
            preview.show_help = not preview.show_help
        elif name == "tab":
            preview.show_hud = not preview.show_hud
        elif name == "f":
            preview.show_frame_time = not preview.show_frame_time
            app.frame_ms = None
        elif name in ("p", "f12"):
            app.screenshot_requested = Path(time.strftime("prosector-%Y%m%d-%H%M%S.png"))
        elif name == "m":
            if app.stage.deformation is not None:
                app.toggle_animation()
        elif name == "g":
            self._toggle_poke_mode()
        elif name == "v":
            preview.stereo = STEREO_MODES[(STEREO_MODES.index(preview.stereo) + 1) % len(STEREO_MODES)]
            app.show_message(f"view: {preview.stereo}")
        else:
            return False
        return True

    def _scene_key(self, name: str) -> None:
        app, preview, scene = self.app, self.app.preview, self.app.loaded.scene
        if preview.part_list_open and name in ("up", "down", "enter", "h"):
            self._part_list_key(name)
        elif name in NEXT_KEYS or name in PREVIOUS_KEYS:
            app.move_step(+1 if name in NEXT_KEYS else -1)
        elif name in ("home", "end"):
            app.go_to_step(0 if name == "home" else step_count(scene) - 1)
        elif name == "t":
            language = preview.next_language(scene)
            app.show_message(f"language: {language}")
            say(f"language {language}")
            app.state_dirty = True
        elif name == "l":
            preview.part_list_open = not preview.part_list_open
        elif name == "c":
            preview.viewer_plane = not preview.viewer_plane
            preview.viewer_plane_offset_m = 0.0
            app.state_dirty = True
        elif name in ("[", "]"):
            size = float(np.linalg.norm(np.subtract(*app.stage.scene.bounds(visible_only=False)[::-1])))
            moved = preview.move_plane(scene, (1 if name == "]" else -1) * KEY_SECTION_FRACTION * size)
            app.state_dirty = moved is not None
        elif name == "r":
            app.orbit = app.step_camera()
            app.camera_changed()
        elif name in ("w", "a", "s", "d"):
            yaw = {"a": -KEY_ORBIT_RAD, "d": KEY_ORBIT_RAD}.get(name, 0.0)
            pitch = {"w": KEY_ORBIT_RAD, "s": -KEY_ORBIT_RAD}.get(name, 0.0)
            app.orbit.orbit(yaw, pitch)
            app.camera_changed()
        elif name in ("plus", "minus"):
            app.orbit.zoom(KEY_ZOOM if name == "plus" else 1 / KEY_ZOOM)
            app.camera_changed()

    def _part_list_key(self, name: str) -> None:
        app, preview = self.app, self.app.preview
        ids = list(app.loaded.scene.parts)
        if name == "up":
            preview.list_cursor = (preview.list_cursor - 1) % len(ids)
        elif name == "down":
            preview.list_cursor = (preview.list_cursor + 1) % len(ids)
        elif name == "enter":
            preview.toggle_visible(ids[preview.list_cursor], app.state)
            app.state_dirty = True
        elif name == "h":
            preview.toggle_highlight(ids[preview.list_cursor], app.state)
            app.state_dirty = True

    # -- mouse ---------------------------------------------------------------------------------------------

    def on_click(self, x: float, y: float, button: str, shift: bool, ctrl: bool) -> None:
        app = self.app
        if app.loaded is None or app.orbit is None:
            return
        for part_id, (x0, y0, x1, y1) in (app.hud.list_rows if app.hud else []):
            if x0 <= x < x1 and y0 <= y < y1:
                app.preview.list_cursor = list(app.loaded.scene.parts).index(part_id)
                toggle = app.preview.toggle_highlight if (button == "right" or shift) else app.preview.toggle_visible
                toggle(part_id, app.state)
                app.state_dirty = True
                return
        if button == "left":
            self._pick(int(x), int(y))

    def _pick_at(self, x: int, y: int):
        app = self.app
        view, vx, vy = app.target.view_at(app.orbit.to_camera(), app.stage.scene.bounds(), x, y)
        return app.stage.pick(view, vx, vy)

    def _pick(self, x: int, y: int) -> None:
        app = self.app
        result = self._pick_at(x, y)
        app.preview.pick(app.loaded, result.part_id, result.point_m)
        if result.part_id is None:
            say(f"picked nothing at {x},{y}")
        else:
            scene = app.loaded.scene
            name = part_name(scene, result.part_id, app.preview.language_of(scene))
            point = ",".join(f"{v:.4f}" for v in result.point_m)
            answer = f" ({app.preview.answer} answer)" if app.preview.answer else ""
            say(f"picked {result.part_id} ({name}) at {point}{answer}")
        app.state_dirty = True

    def on_drag_start(self, x: float, y: float, button: str, shift: bool, ctrl: bool) -> None:
        """In poke mode a left drag that starts on soft tissue grabs it where the cursor pressed."""
        app = self.app
        if not (self.poke_mode and button == "left" and app.stage.deformation and app.loaded and app.orbit):
            return
        result = self._pick_at(int(x), int(y))
        if result.part_id is None or result.part_id not in app.stage.soft_parts:
            say(f"nothing soft to poke at {int(x)},{int(y)} (found {result.part_id or 'nothing'})")
            return
        size = app.stage.scene.parts[result.part_id].world_bounds()
        radius = POKE_RADIUS_FRACTION * float(np.linalg.norm(size[1] - size[0]))
        app.stage.deformation.grab(result.part_id, result.point_m, radius)
        self.poking = [result.part_id, np.asarray(result.point_m, dtype=np.float64), np.zeros(3)]
        say(f"poking {result.part_id} at {','.join(f'{v:.4f}' for v in result.point_m)}")

    def on_drag_end(self, button: str) -> None:
        deformation = self.app.stage.deformation
        if self.poking is None or deformation is None:
            return
        part_id, _point, offset = self.poking
        deformation.release(part_id)
        say(f"released {part_id} after pressing it {np.linalg.norm(offset) * 1000:.1f} mm")
        self.poking = None

    def _poke_drag(self, dx: float, dy: float) -> None:
        """Move the held tissue with the cursor, in the screen plane at the grabbed point's depth."""
        app = self.app
        part_id, point, offset = self.poking
        right, screen_up, forward = app.orbit.basis()
        depth = float(np.dot(point - app.orbit.eye_m, forward))
        scale = 2.0 * depth * math.tan(math.radians(app.orbit.vertical_fov_deg) / 2) / max(app.target.height, 1)
        offset += (dx * right - dy * screen_up) * scale
        app.stage.deformation.drag(part_id, offset)
        app.scene_dirty = True

    def on_drag(self, dx: float, dy: float, button: str, shift: bool, ctrl: bool) -> None:
        app = self.app
        if app.orbit is None or app.loaded is None:
            return
        if self.poking is not None and button == "left":
            self._poke_drag(dx, dy)
            return
        if button == "left" and ctrl:
            normal = app.preview.plane_normal(app.loaded.scene, app.orbit)
            if normal is not None:
                distance = app.orbit.drag_distance_along(normal, dx, dy, app.target.height)
                app.preview.move_plane(app.loaded.scene, distance)
                app.state_dirty = True
            return
        if button in ("right", "middle") or shift:
            app.orbit.pan(dx, dy, app.target.height)
        else:
            app.orbit.drag_orbit(dx, dy)
        app.camera_changed()

    def on_scroll(self, steps: float) -> None:
        if self.app.orbit is not None:
            self.app.orbit.zoom(KEY_ZOOM**steps)
            self.app.camera_changed()

    def on_resize(self, width: int, height: int) -> None:
        self.app.scene_dirty = True

    def on_refresh(self) -> None:
        self.app.scene_dirty = True

    # -- poke mode -----------------------------------------------------------------------------------------

    def _toggle_poke_mode(self) -> None:
        app = self.app
        if not app.stage.soft_parts:
            app.show_message("nothing soft to poke in this scene")
            return
        if app.settings.time_s is not None:
            app.show_message("poking needs the motion playing (start without --time)")
            return
        self.poke_mode = not self.poke_mode
        app.show_message("poke: drag soft tissue with the mouse" if self.poke_mode
                         else "poke off: drag turns the view")  # fmt: skip
        say(f"poke mode {'on' if self.poke_mode else 'off'}")

    def forget_poke(self) -> None:
        """The scene changed (a reload): whatever was held is gone."""
        self.poking = None
