"""A deliberately small pyopenxr client that proves the XR test harness works.

It is *not* the project's OpenXR target (``renderer/targets/openxr.py``); it only exercises the
runtime: instance, system, session (EGL via ``XR_MNDX_egl_enable``, or GLX under Xvfb), swapchains
cleared to a colour, the session lifecycle to FOCUSED and back to EXITING, and an action set whose
grip pose, trigger, squeeze and buttons are read back with the head pose every frame.

Run it as a subprocess (one per client: PyOpenGL's platform is fixed at first import):

    python tests/xr/xrclient.py --binding egl --frames 20
    python tests/xr/xrclient.py --binding glx --profile simple --serve    # lockstep, see below

It prints one ``@xrclient {json}`` line per event on stdout; anything else on stdout or stderr
(loader, runtime, validation layer) is left as it is. Events: ``ready`` (session FOCUSED, with the
runtime and system names, view sizes and a pixel read back from a cleared swapchain image), ``frame``
(one per frame with ``--serve``: see :meth:`Client.sample`), ``done`` (session states seen, frames).
With ``--serve`` the client runs one frame per ``frame`` line on stdin and exits on ``exit`` or EOF,
so a test can change the remote rig's state and know exactly which frame sees it.

:class:`ClientProcess` is the test-side wrapper.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
from ctypes import POINTER, byref, c_void_p, cast, pointer
from pathlib import Path

EVENT_PREFIX = "@xrclient "
PROFILES = {
    "index": "/interaction_profiles/valve/index_controller",
    "simple": "/interaction_profiles/khr/simple_controller",
}
# (action name, type, {profile: input path under /user/hand/<side>}).
ACTIONS = [
    ("grip", "POSE_INPUT", {"index": "/input/grip/pose", "simple": "/input/grip/pose"}),
    ("trigger", "FLOAT_INPUT", {"index": "/input/trigger/value", "simple": "/input/select/click"}),
    ("squeeze", "FLOAT_INPUT", {"index": "/input/squeeze/value"}),
    ("a_click", "BOOLEAN_INPUT", {"index": "/input/a/click"}),
    ("menu", "BOOLEAN_INPUT", {"simple": "/input/menu/click"}),
]
HANDS = ("left", "right")


def emit(event: str, **data) -> None:
    print(EVENT_PREFIX + json.dumps({"event": event, **data}), flush=True)


# ------------------------------------------------------------------------------------------ in client


def pose_dict(pose) -> dict:
    return {"position": [pose.position.x, pose.position.y, pose.position.z],
            "orientation": [pose.orientation.x, pose.orientation.y, pose.orientation.z, pose.orientation.w]}


class Client:
    """One OpenXR instance + session. Spaces: STAGE (the reference for everything reported), LOCAL
    and VIEW. The whole client lives in one process and one GL context."""

    def __init__(self, binding: str, profiles: list[str]) -> None:
        import xr

        self.xr = xr
        self.binding = binding
        self.states: list[str] = []
        self.running = self.exiting = False
        self.frames = 0
        self._make_gl_context()
        self._create_instance()
        self._create_session()
        self._create_actions(profiles)
        self._create_swapchains()

    # ----------------------------------------------------------------- setup

    def _make_gl_context(self) -> None:
        xr = self.xr
        if self.binding == "glx":
            import glfw
            from OpenGL import GLX

            if not glfw.init():
                raise RuntimeError("glfw.init failed: no DISPLAY?")
            glfw.window_hint(glfw.VISIBLE, glfw.FALSE)
            window = glfw.create_window(64, 64, "xrclient", None, None)
            self.make_current = lambda: glfw.make_context_current(window)
            self.make_current()
            self.extension = xr.KHR_OPENGL_ENABLE_EXTENSION_NAME
            self.graphics_binding = xr.GraphicsBindingOpenGLXlibKHR(
                x_display=GLX.glXGetCurrentDisplay(), glx_drawable=GLX.glXGetCurrentDrawable(),
                glx_context=GLX.glXGetCurrentContext())
            return
        from OpenGL import EGL  # needs EGL_PLATFORM=surfaceless without an X server

        display = EGL.eglGetDisplay(EGL.EGL_DEFAULT_DISPLAY)
        EGL.eglInitialize(display, None, None)
        configs, count = (EGL.EGLConfig * 1)(), EGL.EGLint()
        attribs = (EGL.EGLint * 5)(EGL.EGL_RENDERABLE_TYPE, EGL.EGL_OPENGL_BIT,
                                   EGL.EGL_SURFACE_TYPE, EGL.EGL_PBUFFER_BIT, EGL.EGL_NONE)
        EGL.eglChooseConfig(display, attribs, configs, 1, byref(count))
        surface = EGL.eglCreatePbufferSurface(
            display, configs[0], (EGL.EGLint * 5)(EGL.EGL_WIDTH, 16, EGL.EGL_HEIGHT, 16, EGL.EGL_NONE))
        EGL.eglBindAPI(EGL.EGL_OPENGL_API)
        context = EGL.eglCreateContext(display, configs[0], EGL.EGL_NO_CONTEXT, None)
        self.make_current = lambda: EGL.eglMakeCurrent(display, surface, surface, context)
        self.make_current()
        self.extension = xr.MNDX_EGL_ENABLE_EXTENSION_NAME
        self.graphics_binding = xr.GraphicsBindingEGLMNDX(
            get_proc_address=cast(EGL.eglGetProcAddress.load(), xr.PFN_xrEglGetProcAddressMNDX),
            display=display, config=configs[0], context=context)

    def _create_instance(self) -> None:
        xr = self.xr
        # Monado wants xrGetOpenGLGraphicsRequirementsKHR called even for the EGL binding, so
        # XR_KHR_opengl_enable is always enabled.
        extensions = sorted({xr.KHR_OPENGL_ENABLE_EXTENSION_NAME, self.extension})
        self.instance = xr.create_instance(xr.InstanceCreateInfo(
            enabled_extension_names=extensions,
            application_info=xr.ApplicationInfo(application_name="prosector-xrclient",
                                                api_version=xr.Version(1, 0, xr.XR_VERSION_PATCH))))
        self.system = xr.get_system(self.instance, xr.SystemGetInfo(form_factor=xr.FormFactor.HEAD_MOUNTED_DISPLAY))
        requirements = xr.GraphicsRequirementsOpenGLKHR()
        get_requirements = cast(xr.get_instance_proc_addr(self.instance, "xrGetOpenGLGraphicsRequirementsKHR"),
                                xr.PFN_xrGetOpenGLGraphicsRequirementsKHR)
        get_requirements(self.instance, self.system, byref(requirements))

    def _create_session(self) -> None:
        xr = self.xr
        self.session = xr.create_session(self.instance, xr.SessionCreateInfo(
            system_id=self.system, next=cast(pointer(self.graphics_binding), c_void_p)))
        make = lambda kind: xr.create_reference_space(self.session, xr.ReferenceSpaceCreateInfo(
            reference_space_type=kind, pose_in_reference_space=xr.Posef()))
        self.stage = make(xr.ReferenceSpaceType.STAGE)
        self.local = make(xr.ReferenceSpaceType.LOCAL)
        self.view = make(xr.ReferenceSpaceType.VIEW)

    def _create_actions(self, profiles: list[str]) -> None:
        xr = self.xr
        path = lambda s: xr.string_to_path(self.instance, s)
        self.hand_paths = {hand: path(f"/user/hand/{hand}") for hand in HANDS}
        self.action_set = xr.create_action_set(self.instance, xr.ActionSetCreateInfo(
            action_set_name="harness", localized_action_set_name="harness", priority=0))
        self.actions = {}
        for name, kind, _ in ACTIONS:
            self.actions[name] = (kind, xr.create_action(self.action_set, xr.ActionCreateInfo(
                action_type=getattr(xr.ActionType, kind), action_name=name, localized_action_name=name,
                subaction_paths=list(self.hand_paths.values()))))
        for profile in profiles:
            bindings = [xr.ActionSuggestedBinding(self.actions[name][1], path(f"/user/hand/{hand}{inputs[profile]}"))
                        for name, _, inputs in ACTIONS if profile in inputs for hand in HANDS]
            xr.suggest_interaction_profile_bindings(self.instance, xr.InteractionProfileSuggestedBinding(
                interaction_profile=path(PROFILES[profile]), suggested_bindings=bindings))
        xr.attach_session_action_sets(self.session, xr.SessionActionSetsAttachInfo(action_sets=[self.action_set]))
        self.grip_spaces = {hand: xr.create_action_space(self.session, xr.ActionSpaceCreateInfo(
            action=self.actions["grip"][1], subaction_path=p, pose_in_action_space=xr.Posef()))
            for hand, p in self.hand_paths.items()}

    def _create_swapchains(self) -> None:
        xr = self.xr
        from OpenGL import GL

        self.view_type = xr.ViewConfigurationType.PRIMARY_STEREO
        formats = xr.enumerate_swapchain_formats(self.session)
        fmt = next(f for f in (GL.GL_SRGB8_ALPHA8, GL.GL_RGBA8) if f in formats)
        self.swapchains = []
        for v in xr.enumerate_view_configuration_views(self.instance, self.system, self.view_type):
            w, h = v.recommended_image_rect_width, v.recommended_image_rect_height
            chain = xr.create_swapchain(self.session, xr.SwapchainCreateInfo(
                usage_flags=xr.SwapchainUsageFlags.COLOR_ATTACHMENT_BIT, format=fmt, sample_count=1,
                width=w, height=h, face_count=1, array_size=1, mip_count=1))
            images = [i.image for i in xr.enumerate_swapchain_images(chain, xr.SwapchainImageOpenGLKHR)]
            self.swapchains.append((chain, w, h, images))
        self.fbo = GL.glGenFramebuffers(1)
        self.first_pixel = None

    # ----------------------------------------------------------------- running

    def poll_events(self) -> None:
        xr = self.xr
        while True:
            try:
                event = xr.poll_event(self.instance)
            except xr.EventUnavailable:
                return
            if xr.StructureType(event.type) != xr.StructureType.EVENT_DATA_SESSION_STATE_CHANGED:
                continue
            state = xr.SessionState(cast(byref(event), POINTER(xr.EventDataSessionStateChanged)).contents.state)
            self.states.append(state.name)
            if state == xr.SessionState.READY:
                xr.begin_session(self.session, xr.SessionBeginInfo(self.view_type))
                self.running = True
            elif state == xr.SessionState.STOPPING:
                xr.end_session(self.session)
                self.running = False
            elif state in (xr.SessionState.EXITING, xr.SessionState.LOSS_PENDING):
                self.exiting = True

    def frame(self, inject_error: bool = False) -> dict | None:
        """Run one frame if the session runs; return :meth:`sample` taken in it (None otherwise)."""
        xr = self.xr
        self.poll_events()
        if not self.running:
            time.sleep(0.01)
            return None
        frame_state = xr.wait_frame(self.session)
        xr.begin_frame(self.session)
        t = frame_state.predicted_display_time
        self._sync_actions()
        sample = self.sample(t)
        layers = [byref(self._render(t))] if frame_state.should_render else []
        if inject_error:  # a struct with the wrong type tag: the validation layer must report it
            try:
                xr.end_frame(self.session, xr.FrameEndInfo(
                    display_time=t, environment_blend_mode=xr.EnvironmentBlendMode.OPAQUE, layers=layers,
                    type=xr.StructureType.FRAME_BEGIN_INFO))
            except xr.XrException as exc:
                emit("injected_error", error=type(exc).__name__)
        xr.end_frame(self.session, xr.FrameEndInfo(
            display_time=t, environment_blend_mode=xr.EnvironmentBlendMode.OPAQUE, layers=layers))
        self.frames += 1
        return sample

    def run_until(self, predicate, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"session states so far: {self.states}")
            self.frame()

    def exit(self) -> None:
        """Request exit and keep submitting frames until the runtime says EXITING."""
        self.xr.request_exit_session(self.session)
        self.run_until(lambda: self.exiting)

    def destroy(self) -> None:
        xr = self.xr
        for chain, *_ in self.swapchains:
            xr.destroy_swapchain(chain)
        for space in (*self.grip_spaces.values(), self.stage, self.local, self.view):
            xr.destroy_space(space)
        xr.destroy_action_set(self.action_set)
        xr.destroy_session(self.session)
        xr.destroy_instance(self.instance)

    def _sync_actions(self) -> None:
        xr = self.xr
        try:
            xr.sync_actions(self.session, xr.ActionsSyncInfo(
                active_action_sets=[xr.ActiveActionSet(self.action_set, xr.NULL_PATH)]))
        except xr.SessionNotFocused:
            pass

    def _render(self, display_time):
        """Clear each eye's swapchain image; return the projection layer that shows them."""
        xr = self.xr
        from OpenGL import GL

        _, views = xr.locate_views(self.session, xr.ViewLocateInfo(
            view_configuration_type=self.view_type, display_time=display_time, space=self.stage))
        projection_views = (xr.CompositionLayerProjectionView * len(views))()
        self.make_current()
        for i, view in enumerate(views):
            chain, w, h, images = self.swapchains[i]
            index = xr.acquire_swapchain_image(chain, xr.SwapchainImageAcquireInfo())
            xr.wait_swapchain_image(chain, xr.SwapchainImageWaitInfo(timeout=xr.INFINITE_DURATION))
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.fbo)
            GL.glFramebufferTexture2D(GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_TEXTURE_2D, images[index], 0)
            GL.glViewport(0, 0, w, h)
            GL.glClearColor(0.0, 0.5, 1.0, 1.0)
            GL.glClear(GL.GL_COLOR_BUFFER_BIT)
            if self.first_pixel is None:
                self.first_pixel = list(GL.glReadPixels(w // 2, h // 2, 1, 1, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE))
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
            xr.release_swapchain_image(chain, xr.SwapchainImageReleaseInfo())
            pv = projection_views[i]
            pv.type = xr.StructureType.COMPOSITION_LAYER_PROJECTION_VIEW
            pv.pose, pv.fov = view.pose, view.fov
            pv.sub_image.swapchain = chain
            pv.sub_image.image_rect.extent.width, pv.sub_image.image_rect.extent.height = w, h
        self._projection_views = projection_views  # the layer points into it until xrEndFrame
        self._layer = xr.CompositionLayerProjection(space=self.stage, views=projection_views)
        return self._layer

    # ----------------------------------------------------------------- reading back

    def sample(self, t) -> dict:
        """What the app sees at display time ``t``; every pose is in STAGE space.

        ``head``: VIEW located in STAGE; ``head_in_local``: VIEW located in LOCAL; ``views``: the eyes
        from xrLocateViews (pose, fov as [left, right, up, down] radians); ``hands``: per hand the
        current interaction profile, the grip pose (``valid``: position and orientation valid;
        ``active``: the pose action is active) and each other action's ``value``/``active``.
        """
        xr = self.xr
        _, views = xr.locate_views(self.session, xr.ViewLocateInfo(
            view_configuration_type=self.view_type, display_time=t, space=self.stage))
        return {
            "frame": self.frames,
            "state": self.states[-1] if self.states else None,
            "head": self._locate(self.view, self.stage, t),
            "head_in_local": self._locate(self.view, self.local, t),
            "views": [{**pose_dict(v.pose), "fov": [v.fov.angle_left, v.fov.angle_right, v.fov.angle_up,
                                                      v.fov.angle_down]} for v in views],
            "hands": {hand: self._hand(hand, t) for hand in HANDS},
        }

    def _locate(self, space, base, t) -> dict:
        xr = self.xr
        location = xr.locate_space(space, base, t)
        need = xr.SpaceLocationFlags.POSITION_VALID_BIT | xr.SpaceLocationFlags.ORIENTATION_VALID_BIT
        return {**pose_dict(location.pose), "valid": (location.location_flags & need) == need}

    def _hand(self, hand: str, t) -> dict:
        xr = self.xr
        sub = self.hand_paths[hand]
        profile = xr.get_current_interaction_profile(self.session, sub).interaction_profile
        out = {"profile": xr.path_to_string(self.instance, profile) if profile else None,
               "grip": self._locate(self.grip_spaces[hand], self.stage, t)}
        for name, (kind, action) in self.actions.items():
            info = xr.ActionStateGetInfo(action=action, subaction_path=sub)
            if kind == "FLOAT_INPUT":
                state = xr.get_action_state_float(self.session, info)
            elif kind == "BOOLEAN_INPUT":
                state = xr.get_action_state_boolean(self.session, info)
            else:  # the pose itself is located above; add whether its action is active
                out[name]["active"] = bool(xr.get_action_state_pose(self.session, info).is_active)
                continue
            value = state.current_state
            out[name] = {"value": bool(value) if kind == "BOOLEAN_INPUT" else value, "active": bool(state.is_active)}
        return out


def client_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binding", choices=("egl", "glx"), default="egl")
    parser.add_argument("--profile", action="append", choices=sorted(PROFILES),
                        help="interaction profile(s) to suggest bindings for (default: index)")
    parser.add_argument("--frames", type=int, default=20, help="frames to run after FOCUSED (no --serve)")
    parser.add_argument("--serve", action="store_true", help="one frame per 'frame' line on stdin")
    parser.add_argument("--inject-error", action="store_true", help="make one invalid xrEndFrame call")
    args = parser.parse_args(argv)
    # PyOpenGL picks its platform once, at first import.
    os.environ["PYOPENGL_PLATFORM"] = args.binding
    client = Client(args.binding, args.profile or ["index"])
    client.run_until(lambda: "FOCUSED" in client.states)
    xr = client.xr
    props = xr.get_system_properties(client.instance, client.system)
    emit("ready", runtime=xr.get_instance_properties(client.instance).runtime_name.decode(),
         system=props.system_name.decode(), views=[[w, h] for _, w, h, _ in client.swapchains],
         pixel=client.first_pixel, states=client.states)
    if args.serve:
        for line in sys.stdin:
            if line.strip() != "frame":
                break
            sample = None
            while sample is None:
                sample = client.frame()
            emit("frame", **sample)
    else:
        for i in range(args.frames):
            client.frame(inject_error=args.inject_error and i == 2)
    client.exit()
    client.destroy()
    emit("done", states=client.states, frames=client.frames)
    return 0


# ------------------------------------------------------------------------------------------ test side


class ClientProcess:
    """Runs ``xrclient.py`` in a subprocess with ``env`` (take it from ``MonadoService.client_env``).

    All output that is not an event is kept in :attr:`output` (stdout and stderr interleaved), so a
    test can count the validation layer's ``VALID_ERROR`` lines once the process has ended.
    """

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.output: list[str] = []
        self.events: list[dict] = []
        self._queue: queue.Queue = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *args], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def next_event(self, timeout_s: float = 30.0) -> dict:
        """The next event; raises RuntimeError with the output if the client died or timed out."""
        try:
            event = self._queue.get(timeout=timeout_s)
        except queue.Empty:
            raise RuntimeError(f"xrclient: no event in {timeout_s} s\n{self.text()}") from None
        if event is None:
            raise RuntimeError(f"xrclient exited ({self.proc.wait()}) early\n{self.text()}")
        return event

    def expect(self, name: str, timeout_s: float = 30.0) -> dict:
        event = self.next_event(timeout_s)
        if event["event"] != name:
            raise RuntimeError(f"xrclient: expected {name!r}, got {event}\n{self.text()}")
        return event

    def wait_for(self, name: str, timeout_s: float = 60.0) -> dict:
        """Skip other events until ``name`` arrives (e.g. ``done`` after ``injected_error``)."""
        deadline = time.monotonic() + timeout_s
        while True:
            event = self.next_event(max(0.1, deadline - time.monotonic()))
            if event["event"] == name:
                return event

    def frame(self, timeout_s: float = 10.0) -> dict:
        """(``--serve``) run exactly one frame and return its sample."""
        self.proc.stdin.write("frame\n")
        self.proc.stdin.flush()
        return self.expect("frame", timeout_s)

    def finish(self, timeout_s: float = 60.0) -> int:
        """Close stdin (ends ``--serve``), wait for the exit, return the status."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            rc = self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self._reader.join(5)
        return rc

    def text(self) -> str:
        return "\n".join(self.output)

    def count(self, needle: str) -> int:
        return sum(needle in line for line in self.output)

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line.startswith(EVENT_PREFIX):
                event = json.loads(line[len(EVENT_PREFIX):])
                self.events.append(event)
                self._queue.put(event)
            else:
                self.output.append(line)
        self._queue.put(None)


if __name__ == "__main__":
    sys.exit(client_main())
