"""The preview window's main loop: load in the background, draw, react to input, reload on save.

Drawing is split in two: the 3D scene is rendered into the window target's image only when
something that changes it happens (camera, step, reload, ...); every frame then copies that
image into the window with the text overlay. An idle window waits for input instead of drawing.
In scripted use (`frames`), every frame renders the scene and the loop ends after that many frames.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from renderer.deform.clock import DeformationClock
from renderer.gl import commands
from renderer.gl.window import WindowContext
from renderer.interaction.orbit import OrbitCamera, interpolate
from renderer.interaction.preview_state import PreviewState
from renderer.passes.overlay import OverlayPass
from renderer.preview.controls import PreviewControls, say
from renderer.preview.hud import Hud, HudInput, build_hud
from renderer.preview.input import InputRouter
from renderer.preview.reload import FileWatcher, LoadOutcome, SceneLoader
from renderer.scene.fields import text_in
from renderer.scene.load import LoadedScene
from renderer.scene.step_state import SceneState
from renderer.scene.viewer_changes import moved_step
from renderer.screenshots import write_png
from renderer.stage.stage import Stage
from renderer.targets.base import Frame
from renderer.targets.window import WindowTarget
from renderer.view import auto_camera

WATCH_INTERVAL_S = 0.2
MESSAGE_SECONDS = 2.5
CLASSROOM_POLL_S = 0.03


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
        self.stage = Stage(self.window)  # owns the window's context from here on
        self.deformation_posed = False
        self.animation_paused = False
        self.animation_clock = DeformationClock()
        self.animation_clock.hold(time.perf_counter())
        self.target = self.stage.own(WindowTarget(registry, *self.window.framebuffer_size, settings.stereo,
                                                  settings.ipd_m))  # fmt: skip
        self.overlay = self.stage.own(OverlayPass(registry))
        self.controls = PreviewControls(self)
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
        self.router = InputRouter(self.window._glfw, self.window.window, self.controls)

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
        return self.stage.deformation is not None and self.settings.time_s is None and not self.animation_paused

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
        self.stage.load(loaded)
        self.deformation_posed = False
        self.controls.forget_poke()
        self.loaded = loaded
        self.stage.driver()  # scenes with deformers: made now, so poking knows the soft parts
        if first_scene:
            self._start_step(loaded)
        self.preview.adapt_to(loaded)
        self.state = self.preview.scene_state(loaded, self.orbit)
        self.stage.show(self.state)
        if self.orbit is None:
            self.orbit = self.step_camera()
        self.state_dirty = True
        verb = "loaded" if first else "reloaded"
        say(f"{verb} {self.settings.scene} in {outcome.seconds:.2f} s: {len(loaded.scene.parts)} parts, "
             f"{loaded.triangle_count:,} triangles")  # fmt: skip
        if not first:
            self.show_message(f"{verb} {self.settings.scene.name}")

    def _start_step(self, loaded: LoadedScene) -> None:
        count = self.preview.step_count(loaded.scene)
        if count == 0:
            if self.settings.step is not None:
                print(f"prosector: {self.settings.scene} has no lesson; --step is ignored", file=sys.stderr)
            return
        index = min(self.settings.step or 1, count) - 1
        self.preview.step = index
        say(f"step {index + 1}/{count}: {self._step_title(loaded, index)}")

    # -- lesson steps ----------------------------------------------------------------------------------------

    def move_step(self, delta: int) -> None:
        """Next (+1) or previous (-1) step, as the headset's buttons do."""
        self.go_to_step(moved_step(self.loaded.scene, self.preview.step, delta))

    def go_to_step(self, index: int | None) -> None:
        """Show step `index` (0-based, held within the lesson), moving the camera to the step's."""
        loaded = self.loaded
        if index is None or not self.preview.go_to_step(index, loaded.scene):
            return
        step = self.preview.step
        say(f"step {step + 1}/{self.preview.step_count(loaded.scene)}: {self._step_title(loaded, step)}")
        self.state = self.preview.scene_state(loaded, self.orbit)
        self.stage.show(self.state)
        self.state_dirty = False
        start, end = self.orbit, self.step_camera()
        seconds = loaded.scene.lesson.steps[step].transition_ms / 1000.0
        if seconds > 0 and self.settings.frames is None:
            self.transition = (start.copy(), end, time.perf_counter(), seconds)
        else:
            self.orbit, self.transition = end, None
        self.scene_dirty = True

    def _step_title(self, loaded: LoadedScene, step: int) -> str:
        return text_in(loaded.scene.lesson.steps[step].title, self.preview.language_of(loaded.scene),
                       loaded.scene.language) or ""  # fmt: skip

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
            self.stage.show(self.state)
            self.state_dirty, self.scene_dirty = False, True
        scene_ms = None
        if self.loaded is not None and self.orbit is not None and (
            self.scene_dirty or self.settings.frames or self.preview.show_frame_time
        ):
            scene_started = time.perf_counter()
            self.target.mode = self.preview.stereo
            self.stage.draw(self.target, Frame(self.stage.options(), self.orbit.to_camera()))
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
        self.overlay.draw(self.stage.renderer.shaders, (width, height), scene_image, self.hud.sprites)
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
                say(f"showing {self.settings.scene.name} in a {width}x{height} window")
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
        for path in wanted:
            write_png(path, image)
            say(f"wrote {path} ({width}x{height})")

    def _hud_input(self) -> HudInput:
        loading = self.loader.progress if self.loader.busy else None
        return HudInput((self.target.width, self.target.height), self.preview, self.loaded, self.state,
                        self.settings.scene.name, self.problems, loading, self.frame_ms,
                        self.message[0] if self.message else None)  # fmt: skip

    def show_message(self, text: str) -> None:
        self.message = (text, time.perf_counter() + MESSAGE_SECONDS)

    # -- camera --------------------------------------------------------------------------------------------

    def step_camera(self) -> OrbitCamera:
        """The camera the current step (or the scene) asks for, else one framing the visible parts."""
        camera = (self.state.camera if self.state else None) or self.loaded.scene.camera
        if camera is None:
            width, height = self.target.width, self.target.height
            if self.preview.stereo == "side-by-side":
                width = max(width // 2, 1)
            gpu = self.stage.scene
            camera = auto_camera(gpu.bounds(), aspect=width / height, points=gpu.framing_points())
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

    def camera_changed(self) -> None:
        self.transition = None
        self.scene_dirty = True
        if self.preview.viewer_plane:
            self.state_dirty = True

    def _print_camera(self) -> None:
        if self.orbit is not None:
            eye = ",".join(f"{v:.6f}" for v in self.orbit.eye_m)
            target = ",".join(f"{v:.6f}" for v in self.orbit.target_m)
            say(f"camera: --camera-eye {eye} --camera-target {target} --fov {self.orbit.vertical_fov_deg:g}")

    # -- closing -------------------------------------------------------------------------------------------

    def _deform(self) -> None:
        """Pose deforming parts for this frame: the held time, or seconds since the scene loaded."""
        deformation = self.stage.deformation
        if deformation is None:
            return
        if self.settings.time_s is not None:
            t = self.settings.time_s
        elif self.animation_paused:
            t = self.animation_clock.hold(time.perf_counter())
        else:
            t = self.animation_clock.tick(time.perf_counter())
        if t != deformation.time_s or not self.deformation_posed:
            self.stage.pose(t)
            self.deformation_posed = True
            self.scene_dirty = True

    def toggle_animation(self) -> None:
        self.animation_clock.hold(time.perf_counter())  # neither a pause nor its end is caught up
        self.animation_paused = not self.animation_paused
        self.show_message("motion paused" if self.animation_paused else "motion playing")

    def _close(self) -> None:
        if self.settings.classroom is not None:
            self.settings.classroom.close()
        self.stage.close()  # the target, the overlay, the scene, the renderer, then the window

