"""The preview window's main loop: load in the background, draw, react to input, reload on save.

Drawing is split in two: the 3D scene is rendered into the window target's image only when
something that changes it happens (camera, step, reload, ...); every frame then copies that
image into the window with the text overlay. An idle window waits for input instead of drawing.
In scripted use (`frames`), every frame renders the scene and the loop ends after that many frames.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renderer.deform.clock import DeformationClock
from renderer.gl import commands
from renderer.gl.window import WindowContext
from renderer.gpu.deformation import DeformationDriver
from renderer.gpu.scene import GpuScene
from renderer.interaction.orbit import OrbitCamera, interpolate
from renderer.interaction.preview_state import STEREO_MODES, PreviewState
from renderer.passes.options import options_from_scene
from renderer.passes.overlay import OverlayPass
from renderer.passes.picking import PickPass
from renderer.passes.renderer import Renderer
from renderer.preview.hud import Hud, HudInput, build_hud
from renderer.preview.input import InputRouter
from renderer.preview.reload import FileWatcher, LoadOutcome, SceneLoader
from renderer.scene.fields import text_in
from renderer.scene.load import LoadedScene
from renderer.scene.step_state import SceneState
from renderer.targets.window import WindowTarget
from renderer.view import auto_camera

WATCH_INTERVAL_S = 0.2
MESSAGE_SECONDS = 2.5
CLASSROOM_POLL_S = 0.03
KEY_ORBIT_RAD = 0.08
KEY_ZOOM = 0.9
KEY_SECTION_FRACTION = 0.02  # of the scene's size, per [ or ] press
POKE_RADIUS_FRACTION = 0.15  # the finger's reach, as a share of the poked part's size


@dataclass
class PreviewSettings:
    scene: Path
    asset_roots: list[Path] = field(default_factory=list)
    size: tuple[int, int] = (1280, 800)
    step: int | None = None  # 1-based, as on the command line
    language: str | None = None
    stereo: str = "mono"
    ipd_m: float = 0.063
    show_hud: bool = True
    show_frame_time: bool = False
    screenshot: Path | None = None
    frames: int | None = None
    visible: bool = True
    time_s: float | None = None  # hold deformers at this time; None: play them in real time
    classroom: object | None = None  # renderer.preview.classroom_sync.PreviewClassroom when leading or following


class PreviewApp:
    def __init__(self, settings: PreviewSettings):
        self.settings = settings
        self.window = WindowContext(*settings.size, title=f"Prosector — {settings.scene.name}",
                                    visible=settings.visible)  # fmt: skip
        registry = self.window.resources
        self.renderer = Renderer(self.window)
        self.gpu = GpuScene(registry)
        self.deformation: DeformationDriver | None = None  # made for scenes with deformers
        self.deformation_posed = False
        self.poke_mode = False
        self.poking: list | None = None  # [part id, grabbed point (3,) m, drag offset (3,) m] while held
        self.animation_paused = False
        self.animation_clock = DeformationClock()
        self.animation_clock.hold(time.perf_counter())
        self.target = WindowTarget(registry, *self.window.framebuffer_size)
        self.overlay = OverlayPass(registry)
        self.picker = PickPass(registry)
        self.loader = SceneLoader(settings.scene, settings.asset_roots)
        self.watcher = FileWatcher()
        self.preview = PreviewState(language=settings.language, stereo=settings.stereo, show_hud=settings.show_hud,
                                    show_frame_time=settings.show_frame_time)  # fmt: skip
        self.loaded: LoadedScene | None = None
        self.state: SceneState | None = None
        self.orbit: OrbitCamera | None = None
        self.problems: list[str] = []
        self.hud: Hud | None = None
        self.transition: tuple[OrbitCamera, OrbitCamera, float, float] | None = None  # from, to, start, seconds
        self.message: tuple[str, float] | None = None
        self.scene_dirty = self.state_dirty = True
        self.screenshot_requested: Path | None = None
        self.frames_shown = 0
        self.first_outcome_seen = False
        self.frame_ms: tuple[float, float] | None = None
        self._last_present = time.perf_counter()
        self._last_watch = 0.0
        self.router = InputRouter(self.window._glfw, self.window.window, self)

    # -- main loop -----------------------------------------------------------------------------------------

    def run(self) -> int:
        self.loader.start()
        try:
            while True:
                if self.window.should_close:
                    if self.settings.screenshot is not None and self.settings.frames is None:
                        self._frame(final=True)  # --screenshot without --frames: what the window showed last
                    break
                self._wait()
                self._watch_files()
                outcome = self.loader.poll()
                if outcome is not None:
                    self._take(outcome)
                if self.settings.classroom is not None:
                    self.settings.classroom.tick(self)
                if self._busy() or self.scene_dirty or self.state_dirty or self.settings.frames is not None:
                    self._frame()
                if self._done():
                    break
        finally:
            self._print_camera()
            self._close()
        return 0 if self.loaded is not None else 1

    def _animating(self) -> bool:
        """Deformers play in real time unless held (`--time`) or paused (key M)."""
        return self.deformation is not None and self.settings.time_s is None and not self.animation_paused

    def _busy(self) -> bool:
        return self.loader.busy or self.transition is not None or self.message is not None or self._animating() \
            or self.preview.show_frame_time  # fmt: skip

    def _wait(self) -> None:
        if self._busy() or self.scene_dirty or self.state_dirty or self.settings.frames is not None:
            self.window.poll_events()
        else:  # in a classroom, look at the link often: a teacher's step change shows within a frame or two
            self.window.wait_events(CLASSROOM_POLL_S if self.settings.classroom is not None else WATCH_INTERVAL_S)

    def _done(self) -> bool:
        frames = self.settings.frames
        return frames is not None and self.frames_shown >= frames

    def _watch_files(self) -> None:
        now = time.perf_counter()
        if now - self._last_watch < WATCH_INTERVAL_S:
            return
        self._last_watch = now
        if self.first_outcome_seen and self.watcher.changed():
            self.loader.start()
            self.scene_dirty = True  # shows the progress

    # -- loading -------------------------------------------------------------------------------------------

    def _take(self, outcome: LoadOutcome) -> None:
        """Main thread: upload a loaded scene (keeping camera and step), or show why it failed."""
        first = not self.first_outcome_seen
        self.first_outcome_seen = True
        self.watcher.watch(outcome.files + [self.settings.scene])
        self.scene_dirty = True
        if outcome.loaded is None:
            self.problems = outcome.problems
            keeping = " (keeping the last good version on screen)" if self.loaded else ""
            print(f"prosector: {self.settings.scene} has problems{keeping}:", file=sys.stderr)
            for line in outcome.problems:
                print(line, file=sys.stderr)
            sys.stderr.flush()
            return
        loaded = outcome.loaded
        first_scene = self.loaded is None
        self.problems = []
        self.window.make_current()
        self._close_deformation()  # sync gives parts back their shared buffers; drivers are per scene
        self.gpu.sync(loaded)
        self.loaded = loaded
        if any(part.deform for part in loaded.scene.parts.values()):
            self.deformation = DeformationDriver(self.gpu, loaded)
        if first_scene:
            self._start_step(loaded)
        self.preview.adapt_to(loaded)
        self.state = self.preview.scene_state(loaded, self.orbit)
        self.gpu.apply(self.state)
        if self.orbit is None:
            self.orbit = self._step_camera()
        self.state_dirty = True
        verb = "loaded" if first else "reloaded"
        _say(f"{verb} {self.settings.scene} in {outcome.seconds:.2f} s: {len(loaded.scene.parts)} parts, "
             f"{loaded.triangle_count:,} triangles")  # fmt: skip
        if not first:
            self._show_message(f"{verb} {self.settings.scene.name}")

    def _start_step(self, loaded: LoadedScene) -> None:
        count = self.preview.step_count(loaded.scene)
        if count == 0:
            if self.settings.step is not None:
                print(f"prosector: {self.settings.scene} has no lesson; --step is ignored", file=sys.stderr)
            return
        index = min(self.settings.step or 1, count) - 1
        self.preview.step = index
        _say(f"step {index + 1}/{count}: {self._step_title(loaded, index)}")

    # -- drawing -------------------------------------------------------------------------------------------

    def _frame(self, final: bool = False) -> None:
        started = time.perf_counter()
        self.window.make_current()
        self.window.begin_frame()
        width, height = self.window.framebuffer_size
        if (width, height) != (self.target.width, self.target.height):
            self.target.resize(width, height)
            self.scene_dirty = True
        self._advance_transition()
        self._deform()
        if self.loaded is not None and (self.state_dirty or self.state is None):
            self.state = self.preview.scene_state(self.loaded, self.orbit)
            self.gpu.apply(self.state)
            self.state_dirty, self.scene_dirty = False, True
        scene_ms = None
        if self.loaded is not None and self.orbit is not None and (
            self.scene_dirty or self.settings.frames or self.preview.show_frame_time
        ):
            scene_started = time.perf_counter()
            options = options_from_scene(self.loaded.scene)
            self.target.render(self.renderer, self.gpu, self.orbit.to_camera(), options, self.preview.stereo,
                               self.settings.ipd_m)  # fmt: skip
            if self.preview.show_frame_time:
                commands.finish()
                scene_ms = (time.perf_counter() - scene_started) * 1000
        self.scene_dirty = False
        if self.message is not None and time.perf_counter() > self.message[1]:
            self.message = None
        self.hud = build_hud(self._hud_input())
        commands.bind_framebuffer(0, (0, 0, width, height))
        commands.clear_region((0.0, 0.0, 0.0, 1.0), (0, 0, width, height))
        scene_image = self.target.texture if self.loaded is not None else None
        self.overlay.draw(self.renderer.shaders, (width, height), scene_image, self.hud.sprites)
        counts = self.loaded is not None or self.first_outcome_seen
        self._screenshots(width, height, counts, final)
        self.window.swap_buffers()
        now = time.perf_counter()
        frame_ms = (now - self._last_present) * 1000
        self._last_present = now
        if self.preview.show_frame_time:
            previous_scene = self.frame_ms[1] if self.frame_ms else 0.0
            scene_ms = scene_ms if scene_ms is not None else previous_scene
            self.frame_ms = (max(frame_ms, (now - started) * 1000), scene_ms)
        if counts:
            if self.frames_shown == 0:
                _say(f"showing {self.settings.scene.name} in a {width}x{height} window")
            self.frames_shown += 1

    def _screenshots(self, width: int, height: int, counts: bool, final: bool) -> None:
        wanted = []
        if self.screenshot_requested is not None:
            wanted.append(self.screenshot_requested)
            self.screenshot_requested = None
        frames = self.settings.frames
        last_frame = frames is not None and counts and self.frames_shown + 1 >= frames
        if self.settings.screenshot is not None and (last_frame or final):
            wanted.append(self.settings.screenshot)
        if not wanted:
            return
        image = commands.read_window_rgb(width, height)
        from renderer.commands.output import write_png

        for path in wanted:
            write_png(path, image)
            _say(f"wrote {path} ({width}x{height})")

    def _hud_input(self) -> HudInput:
        loading = self.loader.progress if self.loader.busy else None
        return HudInput((self.target.width, self.target.height), self.preview, self.loaded, self.state,
                        self.settings.scene.name, self.problems, loading, self.frame_ms,
                        self.message[0] if self.message else None)  # fmt: skip

    def _show_message(self, text: str) -> None:
        self.message = (text, time.perf_counter() + MESSAGE_SECONDS)

    # -- camera --------------------------------------------------------------------------------------------

    def _step_camera(self) -> OrbitCamera:
        """The camera the current step (or the scene) asks for, else one framing the visible parts."""
        camera = (self.state.camera if self.state else None) or self.loaded.scene.camera
        if camera is None:
            width, height = self.target.width, self.target.height
            if self.preview.stereo == "side-by-side":
                width = max(width // 2, 1)
            camera = auto_camera(self.gpu.bounds(), aspect=width / height)
        return OrbitCamera.from_camera(camera)

    def _advance_transition(self) -> None:
        if self.transition is None:
            return
        start, end, began, seconds = self.transition
        t = (time.perf_counter() - began) / seconds
        self.orbit = interpolate(start, end, t) if t < 1.0 else end
        if t >= 1.0:
            self.transition = None
        self.scene_dirty = True
        self.state_dirty = self.state_dirty or self.preview.viewer_plane

    def _camera_changed(self) -> None:
        self.transition = None
        self.scene_dirty = True
        if self.preview.viewer_plane:
            self.state_dirty = True

    def _print_camera(self) -> None:
        if self.orbit is not None:
            eye = ",".join(f"{v:.6f}" for v in self.orbit.eye_m)
            target = ",".join(f"{v:.6f}" for v in self.orbit.target_m)
            _say(f"camera: --camera-eye {eye} --camera-target {target} --fov {self.orbit.vertical_fov_deg:g}")

    # -- input ---------------------------------------------------------------------------------------------

    def on_key(self, name: str, shift: bool, ctrl: bool) -> None:
        preview = self.preview
        if name in ("escape", "q"):
            self.window.request_close()
            return
        if name in ("f1", "slash"):
            preview.show_help = not preview.show_help
        elif name == "tab":
            preview.show_hud = not preview.show_hud
        elif name == "f":
            preview.show_frame_time = not preview.show_frame_time
            self.frame_ms = None
        elif name in ("p", "f12"):
            self.screenshot_requested = Path(time.strftime("prosector-%Y%m%d-%H%M%S.png"))
        elif name == "m":
            if self.deformation is not None:
                self._toggle_animation()
        elif name == "g":
            self._toggle_poke_mode()
        elif name == "v":
            preview.stereo = STEREO_MODES[(STEREO_MODES.index(preview.stereo) + 1) % len(STEREO_MODES)]
            self._show_message(f"view: {preview.stereo}")
            self.scene_dirty = True
        elif self.loaded is None or self.orbit is None:
            return
        elif preview.part_list_open and name in ("up", "down", "enter", "h"):
            self._part_list_key(name)
        elif name in ("right", "pagedown", "space", "n"):
            self._go_to_step((preview.step or 0) + 1)
        elif name in ("left", "pageup", "backspace", "b"):
            self._go_to_step((preview.step or 0) - 1)
        elif name == "home":
            self._go_to_step(0)
        elif name == "end":
            self._go_to_step(preview.step_count(self.loaded.scene) - 1)
        elif name == "t":
            language = preview.next_language(self.loaded.scene)
            self._show_message(f"language: {language}")
            _say(f"language {language}")
            self.state_dirty = True
        elif name == "l":
            preview.part_list_open = not preview.part_list_open
        elif name == "c":
            preview.viewer_plane = not preview.viewer_plane
            preview.viewer_plane_offset_m = 0.0
            self.state_dirty = True
        elif name in ("[", "]"):
            size = float(np.linalg.norm(np.subtract(*self.gpu.bounds(visible_only=False)[::-1])))
            moved = preview.move_plane(self.loaded.scene, (1 if name == "]" else -1) * KEY_SECTION_FRACTION * size)
            self.state_dirty = moved is not None
        elif name == "r":
            self.orbit = self._step_camera()
            self._camera_changed()
        elif name in ("w", "a", "s", "d"):
            yaw = {"a": -KEY_ORBIT_RAD, "d": KEY_ORBIT_RAD}.get(name, 0.0)
            pitch = {"w": KEY_ORBIT_RAD, "s": -KEY_ORBIT_RAD}.get(name, 0.0)
            self.orbit.orbit(yaw, pitch)
            self._camera_changed()
        elif name in ("plus", "minus"):
            self.orbit.zoom(KEY_ZOOM if name == "plus" else 1 / KEY_ZOOM)
            self._camera_changed()
        self.scene_dirty = True  # the overlay at least changed

    def _part_list_key(self, name: str) -> None:
        ids = list(self.loaded.scene.parts)
        preview = self.preview
        if name == "up":
            preview.list_cursor = (preview.list_cursor - 1) % len(ids)
        elif name == "down":
            preview.list_cursor = (preview.list_cursor + 1) % len(ids)
        elif name == "enter":
            preview.toggle_visible(ids[preview.list_cursor], self.state)
            self.state_dirty = True
        elif name == "h":
            preview.toggle_highlight(ids[preview.list_cursor], self.state)
            self.state_dirty = True

    def _go_to_step(self, index: int) -> None:
        loaded = self.loaded
        if not self.preview.go_to_step(index, loaded.scene):
            return
        step = self.preview.step
        _say(f"step {step + 1}/{self.preview.step_count(loaded.scene)}: {self._step_title(loaded, step)}")
        self.state = self.preview.scene_state(loaded, self.orbit)
        self.gpu.apply(self.state)
        self.state_dirty = False
        start, end = self.orbit, self._step_camera()
        seconds = loaded.scene.lesson.steps[step].transition_ms / 1000.0
        if seconds > 0 and self.settings.frames is None:
            self.transition = (start.copy(), end, time.perf_counter(), seconds)
        else:
            self.orbit, self.transition = end, None
        self.scene_dirty = True

    def _step_title(self, loaded: LoadedScene, step: int) -> str:
        return text_in(loaded.scene.lesson.steps[step].title, self.preview.language_of(loaded.scene),
                       loaded.scene.language) or ""  # fmt: skip

    def on_click(self, x: float, y: float, button: str, shift: bool, ctrl: bool) -> None:
        if self.loaded is None or self.orbit is None:
            return
        for part_id, (x0, y0, x1, y1) in (self.hud.list_rows if self.hud else []):
            if x0 <= x < x1 and y0 <= y < y1:
                self.preview.list_cursor = list(self.loaded.scene.parts).index(part_id)
                toggle = self.preview.toggle_highlight if (button == "right" or shift) else self.preview.toggle_visible
                toggle(part_id, self.state)
                self.state_dirty = True
                return
        if button != "left":
            return
        self._pick(int(x), int(y))

    def _pick(self, x: int, y: int) -> None:
        self.window.make_current()
        camera = self.orbit.to_camera()
        view, vx, vy = self.target.view_at(camera, self.gpu.bounds(), self.preview.stereo, x, y, self.settings.ipd_m)
        scene = self.loaded.scene
        parts = [p for p in self.gpu.visible_parts() if scene.parts[p.part_id].pickable]
        result = self.picker.pick(self.renderer.shaders, view, parts, vx, vy)
        self.preview.pick(self.loaded, result.part_id, result.point_m)
        if result.part_id is None:
            _say(f"picked nothing at {x},{y}")
        else:
            part = scene.parts[result.part_id]
            name = text_in(part.name, self.preview.language_of(scene), scene.language) or result.part_id
            point = ",".join(f"{v:.4f}" for v in result.point_m)
            answer = f" ({self.preview.answer} answer)" if self.preview.answer else ""
            _say(f"picked {result.part_id} ({name}) at {point}{answer}")
        self.state_dirty = True

    # -- poking soft tissue with the mouse (key G) ----------------------------------------------------------

    def on_drag_start(self, x: float, y: float, button: str, shift: bool, ctrl: bool) -> None:
        """In poke mode a left drag that starts on soft tissue grabs it where the cursor pressed."""
        if not (self.poke_mode and button == "left" and self.deformation and self.loaded and self.orbit):
            return
        self.window.make_current()
        view, vx, vy = self.target.view_at(self.orbit.to_camera(), self.gpu.bounds(), self.preview.stereo,
                                           int(x), int(y), self.settings.ipd_m)  # fmt: skip
        result = self.picker.pick(self.renderer.shaders, view, self.gpu.visible_parts(), vx, vy)
        if result.part_id is None or result.part_id not in self.soft_parts():
            _say(f"nothing soft to poke at {int(x)},{int(y)} (found {result.part_id or 'nothing'})")
            return
        size = self.gpu.parts[result.part_id].world_bounds()
        radius = POKE_RADIUS_FRACTION * float(np.linalg.norm(size[1] - size[0]))
        self.deformation.grab(result.part_id, result.point_m, radius)
        self.poking = [result.part_id, np.asarray(result.point_m, dtype=np.float64), np.zeros(3)]
        _say(f"poking {result.part_id} at {','.join(f'{v:.4f}' for v in result.point_m)}")

    def on_drag_end(self, button: str) -> None:
        if self.poking is None or self.deformation is None:
            return
        part_id, _point, offset = self.poking
        self.deformation.release(part_id)
        _say(f"released {part_id} after pressing it {np.linalg.norm(offset) * 1000:.1f} mm")
        self.poking = None

    def soft_parts(self) -> set[str]:
        return self.deformation.soft_parts if self.deformation is not None else set()

    def _poke_drag(self, dx: float, dy: float) -> None:
        """Move the held tissue with the cursor, in the screen plane at the grabbed point's depth."""
        part_id, point, offset = self.poking
        right, screen_up, forward = self.orbit.basis()
        depth = float(np.dot(point - self.orbit.eye_m, forward))
        scale = 2.0 * depth * math.tan(math.radians(self.orbit.vertical_fov_deg) / 2) / max(self.target.height, 1)
        offset += (dx * right - dy * screen_up) * scale
        self.deformation.drag(part_id, offset)
        self.scene_dirty = True

    def on_drag(self, dx: float, dy: float, button: str, shift: bool, ctrl: bool) -> None:
        if self.orbit is None or self.loaded is None:
            return
        if self.poking is not None and button == "left":
            self._poke_drag(dx, dy)
            return
        height = self.target.height
        if button == "left" and ctrl:
            normal = self.preview.plane_normal(self.loaded.scene, self.orbit)
            if normal is not None:
                self.preview.move_plane(self.loaded.scene, self.orbit.drag_distance_along(normal, dx, dy, height))
                self.state_dirty = True
            return
        if button in ("right", "middle") or shift:
            self.orbit.pan(dx, dy, height)
        else:
            self.orbit.drag_orbit(dx, dy)
        self._camera_changed()

    def on_scroll(self, steps: float) -> None:
        if self.orbit is not None:
            self.orbit.zoom(KEY_ZOOM**steps)
            self._camera_changed()

    def on_resize(self, width: int, height: int) -> None:
        self.scene_dirty = True

    def on_refresh(self) -> None:
        self.scene_dirty = True

    # -- closing -------------------------------------------------------------------------------------------

    def _deform(self) -> None:
        """Pose deforming parts for this frame: the held time, or seconds since the scene loaded."""
        if self.deformation is None:
            return
        if self.settings.time_s is not None:
            t = self.settings.time_s
        elif self.animation_paused:
            t = self.animation_clock.hold(time.perf_counter())
        else:
            t = self.animation_clock.tick(time.perf_counter())
        if t != self.deformation.time_s or not self.deformation_posed:
            self.deformation.update(t)
            self.deformation_posed = True
            self.scene_dirty = True

    def _toggle_animation(self) -> None:
        self.animation_clock.hold(time.perf_counter())  # neither a pause nor its end is caught up
        self.animation_paused = not self.animation_paused
        self._show_message("motion paused" if self.animation_paused else "motion playing")

    def _toggle_poke_mode(self) -> None:
        if not self.soft_parts():
            self._show_message("nothing soft to poke in this scene")
            return
        if self.settings.time_s is not None:
            self._show_message("poking needs the motion playing (start without --time)")
            return
        self.poke_mode = not self.poke_mode
        message = "poke: drag soft tissue with the mouse" if self.poke_mode else "poke off: drag turns the view"
        self._show_message(message)
        _say(f"poke mode {'on' if self.poke_mode else 'off'}")

    def _close_deformation(self) -> None:
        if self.deformation is not None:
            self.deformation.close()
            self.deformation = None
        self.deformation_posed = False
        self.poking = None

    def _close(self) -> None:
        if self.settings.classroom is not None:
            self.settings.classroom.close()
        self.window.make_current()
        self._close_deformation()
        self.gpu.close()
        for resource in (self.picker, self.overlay, self.target, self.renderer):
            resource.release()
        self.window.close()


def _say(line: str) -> None:
    """Console output for people and for scripts driving the window (flushed at once)."""
    print(line, flush=True)
