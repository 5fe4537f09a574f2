"""`prosector xr`: the headset app. One GL context, Renderer and GpuScene live for the whole run;
OpenXR instances and sessions come and go around them (a lost session or a restarted runtime is
re-created with back-off), so the lesson step, the model's placement and the selection survive.

Per frame: xrWaitFrame / xrBeginFrame; input (only when FOCUSED; the controller ray picks through
the stage's one picking path, which sees deformed parts where they are drawn); the classroom (lead
or follow); the eye-independent work once (the step's `SceneState` with the headset's changes --
hover highlight, the hand's clip plane, the picked label -- applied as pure functions, then
deformation); then `Stage.draw` into the OpenXR target, one view per eye; xrEndFrame with the
projection layer (rendering skipped when the session is not VISIBLE).
"""

from __future__ import annotations

import signal
import sys
import time
from ctypes import byref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renderer.deform.clock import DeformationClock
from renderer.errors import ProsectorError, XrUnavailableError
from renderer.gl import commands
from renderer.gl.xr_binding import XrGraphics, create_graphics
from renderer.interaction.grab import in_front_of, initial_placement, placement_scale
from renderer.interaction.xr_controls import Event, HandInput, XrControls
from renderer.passes.options import RenderOptions, options_from_scene
from renderer.scene.load import LoadedScene
from renderer.scene.step_state import SceneState, scene_state
from renderer.scene.viewer_changes import moved_step, part_name, with_clip_planes, with_highlight, with_label
from renderer.stage.stage import Stage
from renderer.targets.base import Frame
from renderer.targets.openxr import OpenXRTarget, views_usable
from renderer.xr.actions import XrActions
from renderer.xr.classroom import HeadsetClassroom
from renderer.xr.event_log import EventLog
from renderer.xr.eye_dump import write_eye_dump
from renderer.xr.feedback import FeedbackGeometry
from renderer.xr.governor import Quality, QualityGovernor
from renderer.xr.instance import XrInstance, create_instance
from renderer.xr.session import XrSession
from renderer.xr.state_machine import BEGIN, END, EXIT, RECREATE, Backoff, SessionStateMachine
from renderer.xr.swapchains import Swapchains
from renderer.xr.timing import FrameTimings

PICK_MIN_OPACITY = 0.5  # see-through parts (a translucent skin) let the ray reach what is inside


@dataclass
class XrSettings:
    binding: str = "egl"
    step: int | None = None  # 0-based
    language: str | None = None
    frames: int = 0  # rendered frames before leaving; 0: until the runtime or a signal ends it
    space: str = "stage"
    timing_file: Path | None = None
    events_file: Path | None = None
    dump_frame: int | None = None
    dump_dir: Path | None = None
    governor: bool = True
    show_timing: bool = False
    reconnect_s: float = 30.0
    depth_layers: bool = True
    classroom: object | None = None  # a leading or following renderer.classroom.client.ClassroomLink


@dataclass
class _Connection:
    """What one OpenXR instance owns (all re-created after a loss)."""

    instance: XrInstance
    session: XrSession
    actions: XrActions
    swapchains: Swapchains
    target: OpenXRTarget
    machine: SessionStateMachine = field(default_factory=SessionStateMachine)


class XrApp:
    def __init__(self, xr, loaded: LoadedScene, settings: XrSettings):
        self.xr, self.loaded, self.settings = xr, loaded, settings
        self.graphics: XrGraphics = create_graphics(xr, settings.binding)
        self.stage = Stage(self.graphics.context, timing=True)  # closes the context (the graphics) last
        self.stage.load(loaded)
        self.feedback = self.stage.own(FeedbackGeometry(self.graphics.context.resources))
        self.log = EventLog(settings.events_file)
        self.step = settings.step
        self.language = settings.language or loaded.scene.language
        self.base_state: SceneState = scene_state(loaded, self.step, self.language)
        self.stage.show(self.base_state)
        self.controls = XrControls(initial_placement(self.stage.scene.bounds()), show_timing=settings.show_timing)
        self.deformation = self.stage.driver()
        self.soft_parts = self.stage.soft_parts
        self.classroom = HeadsetClassroom(settings.classroom) if settings.classroom is not None else None
        best = Quality(options_from_scene(loaded.scene))
        self.governor = QualityGovernor(best, budget_ms=11.1) if settings.governor else None
        self.quality = best
        self.timings = FrameTimings()
        self.rendered = 0
        self.recoveries = 0
        self.states: list[str] = []
        self.selected_label: str | None = None
        self._exit_wanted = False
        self._focused_before = False
        self.deformation_clock = DeformationClock()
        self.hands: dict[str, HandInput] = {}
        self._placed = False

    # ------------------------------------------------------------------------------------ top level

    def run(self) -> int:
        """Run until the runtime, a signal or `--frames` ends the session; returns the exit status."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        for s in previous:
            # Python installs handlers without SA_RESTART, so a signal landing in the runtime's IPC
            # (Monado's recvmsg in xrBeginFrame) failed that call with EINTR and lost the instance:
            # Ctrl+C then left without ending the session. Restarted calls let the loop end it.
            signal.siginterrupt(s, False)
        try:
            return self._run_with_recovery()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _on_signal(self, *_):
        self._exit_wanted = True

    def _run_with_recovery(self) -> int:
        backoff = Backoff()
        ever_connected = False
        lost_since: float | None = None
        while True:
            connection = None
            try:
                connection = self._connect()
                ever_connected, lost_since = True, None
                backoff.reset()
                outcome = self._run_session(connection)
            except XrUnavailableError:
                if not ever_connected:
                    raise
                outcome = "lost"
            except self.xr.XrException as exc:
                if not ever_connected:
                    raise ProsectorError(f"OpenXR failed while starting: {type(exc).__name__}") from None
                self.log.write("lost", error=type(exc).__name__)
                print(f"prosector xr: runtime lost ({type(exc).__name__}); reconnecting", file=sys.stderr)
                outcome = "lost"
            finally:
                if connection is not None:
                    self._disconnect(connection)
            if outcome == "exit" or self._exit_wanted:
                return 0
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since > self.settings.reconnect_s:
                raise XrUnavailableError(f"the OpenXR runtime did not come back within {self.settings.reconnect_s:g} s")
            delay = backoff.next_delay()
            self.log.write("retry", delay_s=delay, attempt=backoff.attempts)
            self._sleep(delay)
            self.recoveries += 1

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self._exit_wanted:
            time.sleep(min(0.05, end - time.monotonic()))

    def _connect(self) -> _Connection:
        xr = self.xr
        self.graphics.context.make_current()
        instance = create_instance(xr, self.graphics, want_depth=self.settings.depth_layers)
        try:
            session = XrSession(instance, self.graphics, self.settings.space)
            actions = XrActions(xr, instance.handle, session.handle)
            swapchains = Swapchains(xr, session.handle, instance.eyes, self.graphics.context.resources,
                                    instance.depth_layers)  # fmt: skip
        except BaseException:
            instance.destroy()
            raise
        target = OpenXRTarget(xr, swapchains, instance.depth_layers)
        self.timings.forget_display_time()
        self.log.write("connected", runtime=instance.runtime_name, system=instance.system_name,
                       binding=self.graphics.binding_name, space=session.space_name,
                       eyes=[[e.width, e.height] for e in instance.eyes], color_format=swapchains.color_format,
                       srgb=swapchains.srgb, depth_layers=target.depth_layers, profiles=actions.suggested)  # fmt: skip
        return _Connection(instance, session, actions, swapchains, target)

    def _disconnect(self, c: _Connection) -> None:
        self.graphics.context.make_current()
        self._perform(self.controls.release_all())
        c.swapchains.destroy()
        c.actions.destroy()
        c.session.destroy()
        c.instance.destroy()

    # ------------------------------------------------------------------------------------ one session

    def _run_session(self, c: _Connection) -> str:
        """Drive one session to its end: 'exit' (done) or 'lost' (re-create)."""
        machine = c.machine
        exit_sent = False
        while True:
            for event in c.session.poll():
                if event.kind == "instance_loss":
                    return "lost"
                if event.kind != "state":
                    continue
                self.states.append(event.value)
                self.log.write("state", state=event.value, frame=self.rendered)
                action = machine.on_state(event.value)
                if action == BEGIN:
                    c.session.begin()
                elif action == END:
                    c.session.end()
                elif action == RECREATE:
                    return "lost"
                elif action == EXIT:
                    return "exit" if (exit_sent or self._exit_wanted) else "lost"
            wants_exit = self._exit_wanted or (self.settings.frames and self.rendered >= self.settings.frames)
            if wants_exit and not exit_sent:
                if not machine.running and machine.state in ("IDLE",):
                    return "exit"  # nothing to stop
                c.session.request_exit()
                machine.exit_requested = exit_sent = True
            if not machine.running:
                time.sleep(0.01)
                continue
            self._frame(c)

    def _frame(self, c: _Connection) -> None:
        xr, machine = self.xr, c.machine
        frame_state = xr.wait_frame(c.session.handle)
        started = time.perf_counter()
        xr.begin_frame(c.session.handle)
        display_time = frame_state.predicted_display_time
        if not self._placed:
            self._place_model(c, display_time)
        self._input(c, display_time)
        if self.classroom is not None:
            leading = self.classroom.lead is not None
            self.classroom.tick(self, c.session.head_pose(display_time) if leading else None)
        self._prepare_scene()
        layers, gpu_ms = [], []
        if frame_state.should_render and machine.should_render:
            layer, gpu_ms = self._render(c, display_time)
            layers = [byref(layer)] if layer is not None else []
        xr.end_frame(c.session.handle, xr.FrameEndInfo(display_time=display_time,
                                                       environment_blend_mode=c.instance.blend_mode, layers=layers))
        cpu_ms = (time.perf_counter() - started) * 1000
        if layers:
            self.rendered += 1
            if self.rendered % 10 == 0:  # a heartbeat for tools following the log
                self.log.write("frames", frame=self.rendered, cpu_ms=round(cpu_ms, 2))
            record = self.timings.record(cpu_ms, gpu_ms, display_time, frame_state.predicted_display_period)
            self._govern(record.period_ms, cpu_ms)

    def _govern(self, period_ms: float, frame_ms: float) -> None:
        if self.governor is None:
            return
        self.governor.budget_ms = period_ms
        message = self.governor.observe(frame_ms)
        if message:
            self.quality = self.governor.quality
            print(f"prosector xr: quality: {message} (now {self.quality.describe()})", file=sys.stderr)
            self.log.write("quality", message=message, quality=self.quality.describe(), frame=self.rendered)

    # ------------------------------------------------------------------------------------ input

    def _place_model(self, c: _Connection, display_time) -> None:
        """Put the model in front of the user (once per run, and on recentering); it stays where it
        is across a reconnect."""
        head = c.session.head_pose(display_time)
        if head is not None:
            self.controls.placement = initial_placement(self.stage.scene.bounds(), in_front_of(head))
            self._placed = True
            self.log.write("placed", placement=self.controls.placement, head=head, frame=self.rendered)

    def _input(self, c: _Connection, display_time) -> None:
        if not (c.machine.input_enabled and c.actions.sync()):
            if self._focused_before:
                self._perform(self.controls.release_all())
                self.hands = {}
            self._focused_before = False
            return
        self._focused_before = True
        reading = c.actions.read(c.session.space, display_time)
        if reading.recenter:
            c.session.recenter(display_time)
            self._place_model(c, display_time)
            self.log.write("recenter", frame=self.rendered, placement=self.controls.placement)
        self.hands = reading.hands
        events = self.controls.update(reading.hands, self._cast, self.soft_parts)
        self._perform(events, c)

    def _cast(self, origin: np.ndarray, direction: np.ndarray, max_distance: float):
        return self.stage.pick_ray(origin, direction, max_distance, min_opacity=PICK_MIN_OPACITY)

    def _perform(self, events: list[Event], c: _Connection | None = None) -> None:
        for event in events:
            if event.kind == "step":
                self._go_to_step(event.value)
            elif event.kind == "select":
                self._select(event)
            elif event.kind == "haptic" and c is not None:
                c.actions.haptic(event.hand)
            elif event.kind == "poke_start" and self.deformation:
                self.deformation.grab(event.part_id, event.point_m, event.radius_m)
            elif event.kind == "poke_drag" and self.deformation:
                self.deformation.drag(event.part_id, event.point_m)
            elif event.kind == "poke_end" and self.deformation:
                self.deformation.release(event.part_id)
            if event.kind in ("grab", "mode", "timing", "haptic", "poke_start", "poke_end"):
                extra = {}
                if event.kind == "poke_end" and self.deformation:  # how far the tissue was pressed, as last drawn
                    extra["displacement_m"] = self.deformation.max_displacement_m(event.part_id)
                self.log.write(event.kind, hand=event.hand, value=event.value, part=event.part_id,
                               placement=self.controls.placement, frame=self.rendered, **extra)  # fmt: skip

    def _go_to_step(self, delta: int) -> None:
        wanted = moved_step(self.loaded.scene, self.step, delta)
        if wanted is not None and wanted != self.step:
            self.step = wanted
            self.base_state = scene_state(self.loaded, self.step, self.language)
            self.log.write("step", step=self.step, title=self.base_state.title, frame=self.rendered)

    def _select(self, event: Event) -> None:
        if event.part_id is None:
            self.selected_label = None
            self.log.write("select", part=None, label=None, frame=self.rendered)
            return
        self.selected_label = part_name(self.loaded.scene, event.part_id, self.language)
        self.log.write("select", part=event.part_id, label=self.selected_label, point=event.point_m,
                       language=self.language, frame=self.rendered)  # fmt: skip

    # ------------------------------------------------------------------------------------ the frame's scene

    def _prepare_scene(self) -> None:
        """Everything that does not depend on the eye, once per frame: the step's state with the
        headset's own changes on top, then the deformers."""
        state = with_highlight(self.base_state, on=[h.part_id for h in self.controls.hover.values() if h is not None])
        if self.controls.clip_plane is not None:
            state = with_clip_planes(state, self.controls.clip_plane)  # molecules are cut by it too
        selected = self.controls.selected
        if selected is not None and self.selected_label:
            state = with_label(state, selected.part_id, self.selected_label, selected.point_m)
        if self.controls.show_timing:
            anchor = np.linalg.inv(self.controls.placement) @ np.array([0.0, 1.75, -0.8, 1.0])
            state = with_label(state, "@xr/timing", self.timings.overlay_text(), anchor[:3])
        self.stage.show(state)
        if self.deformation is not None:
            self.stage.pose(self.deformation_clock.tick(time.monotonic()))

    def _options(self) -> RenderOptions:
        options = self.quality.options
        if options.ao_tier != "ssao":
            return options
        radius = options.ao_radius_for(self.stage.scene.bounds()) * placement_scale(self.controls.placement)
        return options.with_(ao_radius_m=radius)  # screen-space AO works in view space: XR metres

    def _render(self, c: _Connection, display_time) -> tuple[object | None, list[float]]:
        """(projection layer, GPU ms per eye), or (None, []) when the runtime could not locate the eyes."""
        xr = self.xr
        view_state, located = xr.locate_views(c.session.handle, xr.ViewLocateInfo(
            view_configuration_type=xr.ViewConfigurationType.PRIMARY_STEREO, display_time=display_time,
            space=c.session.space))  # fmt: skip
        if not views_usable(view_state, located):
            return None, []  # the spec's answer: end the frame with no layers rather than draw from garbage
        options = self._options()
        c.target.locate(located, self.controls.placement, self.quality.render_scale)
        dump = self.settings.dump_dir is not None and self.rendered == self.settings.dump_frame
        c.target.on_eye = (lambda view, framebuffer: self._dump_eye(view, framebuffer, options, c)) if dump else None
        frame = Frame(options, overlay_parts=tuple(self.feedback.parts(self.controls, self.hands)))
        _, results = self.stage.draw(c.target, frame)
        return c.target.layer(c.session.space), [float(sum(r.timings_ms.values())) for r in results]

    def _dump_eye(self, view, framebuffer, options: RenderOptions, c: _Connection) -> None:
        """Read the eye's swapchain image back before it is released, with what renders it again."""
        image = commands.read_rgba8(framebuffer.name, view.viewport)[:, :, :3]
        info = {"frame": self.rendered, "step": self.step, "language": self.language, "srgb": c.swapchains.srgb,
                "placement": self.controls.placement}  # fmt: skip
        folder = write_eye_dump(self.settings.dump_dir, view, image, options, info)
        self.log.write("dump", eye=view.index, frame=self.rendered, folder=str(folder))

    # ------------------------------------------------------------------------------------ the end

    def summary(self) -> dict:
        selected = self.controls.selected
        return {"frames": self.rendered, "recoveries": self.recoveries, "states": self.states, "step": self.step,
                "language": self.language,
                "placement": self.controls.placement, "selected": selected.part_id if selected else None,
                "label": self.selected_label, "mode": self.controls.mode,
                "governor": self.governor.changes if self.governor else [], "timing": self.timings.summary(),
                "soft_tissue_displacement_m": {part: self.deformation.max_displacement_m(part)
                                               for part in self.soft_parts}}

    def close(self) -> None:
        if self.classroom is not None:
            self.classroom.close()
        self.log.write("exit", **self.summary())
        self.log.close()
        if self.settings.timing_file is not None:
            self.timings.write(self.settings.timing_file, {"governor": self.governor.changes if self.governor else []})
        self.stage.close()  # the feedback meshes, deformation, scene, renderer, then the GL context
