"""`prosector xr`: the headset app. One GL context, Renderer and GpuScene live for the whole run;
OpenXR instances and sessions come and go around them (a lost session or a restarted runtime is
re-created with back-off), so the lesson step, the model's placement and the selection survive.

Per frame: xrWaitFrame / xrBeginFrame; input (only when FOCUSED); the eye-independent work once
(lesson state, highlight, label, clip plane, deformation, feedback geometry); then for each eye the
one draw loop body `Renderer.render_view` into the eye's swapchain image; xrEndFrame with the
projection layer (rendering skipped when the session is not VISIBLE).
"""

from __future__ import annotations

import json
import signal
import sys
import time
from ctypes import byref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renderer.commands.output import write_png
from renderer.deform.clock import DeformationClock
from renderer.errors import ProsectorError, XrUnavailableError
from renderer.gl import commands
from renderer.gl.xr_binding import XrGraphics, create_graphics
from renderer.gpu.deformation import DeformationDriver
from renderer.gpu.scene import GpuScene
from renderer.interaction.grab import in_front_of, initial_placement, placement_scale
from renderer.interaction.ray import RayTarget, cast_ray
from renderer.interaction.xr_controls import Event, HandInput, XrControls
from renderer.passes.geometry import MAX_CLIP_PLANES
from renderer.passes.options import RenderOptions, options_from_scene
from renderer.passes.renderer import Renderer
from renderer.scene.fields import text_in
from renderer.scene.load import LoadedScene
from renderer.scene.step_state import LabelRequest, SceneState, scene_state
from renderer.targets.openxr import OpenXRTarget, eye_poses
from renderer.xr.actions import XrActions
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
    classroom: object | None = None  # a following renderer.classroom.client.ClassroomLink


class EventLog:
    """JSON lines for tools and tests (`--events FILE`): session states, recoveries, interaction."""

    def __init__(self, path: Path | None):
        self._file = open(path, "w", encoding="utf-8", buffering=1) if path else None  # noqa: SIM115

    def write(self, event: str, **data) -> None:
        if self._file is not None:
            self._file.write(json.dumps({"event": event, "t": round(time.monotonic(), 4), **data},
                                        default=_jsonable) + "\n")  # fmt: skip

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


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
        context = self.graphics.context
        self.renderer = Renderer(context, timing=True)
        self.gpu = GpuScene(context.resources)
        self.gpu.sync(loaded)
        from renderer.xr.feedback import FeedbackGeometry  # GL objects: after the context exists

        self.feedback = FeedbackGeometry(context.resources)
        self.log = EventLog(settings.events_file)
        self.step = settings.step
        self.language = settings.language or loaded.scene.language
        self.base_state: SceneState = scene_state(loaded, self.step, self.language)
        self.gpu.apply(self.base_state)
        self.controls = XrControls(initial_placement(self.gpu.bounds()), show_timing=settings.show_timing)
        self.deformation = self._deformation()
        self.soft_parts = self.deformation.soft_parts if self.deformation else set()
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
        self._hands: dict[str, HandInput] = {}
        self._placed = False
        self._followed = 0  # the classroom state last shown (ClassroomLink's count)

    # ------------------------------------------------------------------------------------ top level

    def run(self) -> int:
        """Run until the runtime, a signal or `--frames` ends the session; returns the exit status."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
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
        self._follow_teacher()
        self._prepare_scene()
        layers, gpu_ms = [], []
        if frame_state.should_render and machine.should_render:
            layer, gpu_ms = self._render(c, display_time)
            layers = [byref(layer)]
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
            self.controls.placement = initial_placement(self.gpu.bounds(), in_front_of(head))
            self._placed = True
            self.log.write("placed", placement=self.controls.placement, head=head, frame=self.rendered)

    def _input(self, c: _Connection, display_time) -> None:
        if not (c.machine.input_enabled and c.actions.sync()):
            if self._focused_before:
                self._perform(self.controls.release_all())
                self._hands = {}
            self._focused_before = False
            return
        self._focused_before = True
        reading = c.actions.read(c.session.space, display_time)
        if reading.recenter:
            c.session.recenter(display_time)
            self._place_model(c, display_time)
            self.log.write("recenter", frame=self.rendered, placement=self.controls.placement)
        self._hands = reading.hands
        events = self.controls.update(reading.hands, self._cast, self.soft_parts)
        self._perform(events, c)

    def _cast(self, origin: np.ndarray, direction: np.ndarray, max_distance: float):
        targets = []
        for part in self.gpu.visible_parts():
            scene_part = self.loaded.scene.parts[part.part_id]
            if not scene_part.pickable or part.opacity < PICK_MIN_OPACITY:
                continue
            mesh = self.loaded.meshes[part.part_id]
            planes = part.clip_planes.reshape(-1, 4)
            targets.append(RayTarget(part.part_id, part.model_matrix, mesh.positions, mesh.indices, mesh.bounds,
                                     planes, mesh.uvs, self.loaded.masks.get(part.part_id)))  # fmt: skip
        return cast_ray(origin, direction, targets, max_distance)

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
        steps = self.loaded.scene.lesson.steps if self.loaded.scene.lesson else []
        if not steps:
            return
        current = -1 if self.step is None else self.step
        wanted = min(max(current + delta, 0), len(steps) - 1)
        if wanted != self.step:
            self.step = wanted
            self.base_state = scene_state(self.loaded, self.step, self.language)
            self.log.write("step", step=self.step, title=self.base_state.title, frame=self.rendered)

    def _follow_teacher(self) -> None:
        """In a classroom, show the teacher's step, language, highlight and planes when they change."""
        link = self.settings.classroom
        received = link.latest() if link is not None else None
        if received is None or received.seq == self._followed:
            return
        from renderer.classroom.follower import followed_state, followed_step

        self._followed = received.seq
        self.base_state = followed_state(self.loaded, received.state)
        self.step, self.language = followed_step(self.loaded, received.state), self.base_state.language
        self.log.write("step", step=self.step, title=self.base_state.title, frame=self.rendered, source="teacher")

    def _select(self, event: Event) -> None:
        if event.part_id is None:
            self.selected_label = None
            self.log.write("select", part=None, label=None, frame=self.rendered)
            return
        part = self.loaded.scene.parts[event.part_id]
        self.selected_label = text_in(part.name, self.language, self.loaded.scene.language) or event.part_id
        self.log.write("select", part=event.part_id, label=self.selected_label, point=event.point_m,
                       language=self.language, frame=self.rendered)  # fmt: skip

    # ------------------------------------------------------------------------------------ the frame's scene

    def _deformation(self) -> DeformationDriver | None:
        if not any(p.deform for p in self.loaded.scene.parts.values()):
            return None
        return DeformationDriver(self.gpu, self.loaded)

    def _prepare_scene(self) -> None:
        """Everything that does not depend on the eye, once per frame."""
        self.graphics.context.make_current()
        self.gpu.apply(self.base_state)
        hovered = {h.part_id for h in self.controls.hover.values() if h is not None}
        for part_id in hovered:
            self.gpu.parts[part_id].highlight = True
        plane = self.controls.clip_plane
        if plane is not None:
            for part in [*self.gpu.parts.values(), *(m for m in self.gpu.molecules.values() if m.occludes)]:
                if len(part.clip_planes) < MAX_CLIP_PLANES:  # molecules are cut by the hand's plane too
                    part.clip_planes = np.vstack([part.clip_planes.reshape(-1, 4), plane[None]])
        selected = self.controls.selected
        labels = [label for label in self.gpu.labels if selected is None or label.target_id != selected.part_id]
        if selected is not None and self.selected_label and self.gpu.parts[selected.part_id].visible:
            labels.append(LabelRequest(selected.part_id, self.selected_label, selected.point_m, np.zeros((0, 3))))
        if self.controls.show_timing:
            anchor = np.linalg.inv(self.controls.placement) @ np.array([0.0, 1.75, -0.8, 1.0])
            labels.append(LabelRequest("@xr/timing", self.timings.overlay_text(), anchor[:3], np.zeros((0, 3))))
        self.gpu.labels = labels
        if self.deformation is not None:
            self.deformation.update(self.deformation_clock.tick(time.monotonic()))

    def _options(self) -> RenderOptions:
        options = self.quality.options
        if options.ao_tier != "ssao":
            return options
        radius = options.ao_radius_for(self.gpu.bounds()) * placement_scale(self.controls.placement)
        return options.with_(ao_radius_m=radius)  # screen-space AO works in view space: XR metres

    def _render(self, c: _Connection, display_time) -> tuple[object, list[float]]:
        xr = self.xr
        _, located = xr.locate_views(c.session.handle, xr.ViewLocateInfo(
            view_configuration_type=xr.ViewConfigurationType.PRIMARY_STEREO, display_time=display_time,
            space=c.session.space))  # fmt: skip
        from renderer.xr.feedback import FrameScene

        frame_scene = FrameScene(self.gpu, self.feedback.parts(self.controls, self._hands))
        options = self._options()
        views = c.target.views(eye_poses(located), self.controls.placement, self.gpu.bounds(),
                               self.quality.render_scale)  # fmt: skip
        gpu_ms = []
        dump = self.settings.dump_dir is not None and self.rendered == self.settings.dump_frame
        for view, framebuffer in c.target.eyes(views):
            result = self.renderer.render_view(frame_scene, view, options, framebuffer.name,
                                               srgb_target=c.swapchains.srgb)  # fmt: skip
            gpu_ms.append(float(sum(result.timings_ms.values())))
            if c.target.depth_layers and framebuffer.has_depth:
                framebuffer.copy_depth_from(result.buffers.prepass)
            if dump:
                self._dump_eye(view, framebuffer, options, c)
        return c.target.layer(c.session.space, located, views), gpu_ms

    def _dump_eye(self, view, framebuffer, options: RenderOptions, c: _Connection) -> None:
        """Read the eye's swapchain image back before it is released, with what renders it again."""
        folder = self.settings.dump_dir
        folder.mkdir(parents=True, exist_ok=True)
        image = commands.read_rgba8(framebuffer.name, view.viewport)[:, :, :3]
        write_png(folder / f"eye-{view.index}.png", image)
        info = {"index": view.index, "view_matrix": view.view_matrix, "projection": view.projection,
                "eye_m": view.eye_m, "viewport": view.viewport, "near_m": view.near_m, "far_m": view.far_m,
                "frame": self.rendered, "step": self.step, "language": self.language, "srgb": c.swapchains.srgb,
                "placement": self.controls.placement,
                "options": {"msaa_samples": options.msaa_samples, "ambient_occlusion": options.ambient_occlusion,
                            "ao_directions": options.ao_directions, "ao_steps": options.ao_steps,
                            "ao_radius_m": options.ao_radius_m}}  # fmt: skip
        (folder / f"eye-{view.index}.json").write_text(json.dumps(info, default=_jsonable))
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
        if self.settings.classroom is not None:
            self.settings.classroom.close()
        self.log.write("exit", **self.summary())
        self.log.close()
        if self.settings.timing_file is not None:
            self.timings.write(self.settings.timing_file, {"governor": self.governor.changes if self.governor else []})
        self.graphics.context.make_current()
        if self.deformation is not None:
            self.deformation.close()
        self.feedback.release()
        self.gpu.close()
        self.renderer.release()
        self.graphics.close()
