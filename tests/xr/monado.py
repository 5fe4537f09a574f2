"""Run a real OpenXR runtime (Monado) headless for tests, and script its head and controllers.

This module runs *inside* the XR test root (``tools/xr/run-in-root.sh``), where Monado 25 from
Debian trixie, Xvfb and pyopenxr are installed. It has no test-framework code: ``conftest.py`` wraps
it in pytest fixtures, and other tools may use it directly.

Pieces:

* :class:`MonadoService` -- one ``monado-service`` process with the *null* compositor (it paces frames
  at a fixed 20 Hz, recommends 320x240 per eye and discards the submitted images). ``driver="simulated"``
  gives Monado's own "Simulated HMD" and no controllers; ``driver="remote"`` gives a "Remote HMD" and
  two ``valve/index_controller`` controllers whose state a test scripts through :class:`RemoteRig`.
* :class:`Xvfb` -- a virtual X server, for clients that use the GLX binding.
* :class:`RemoteRig` and the state types (:class:`Pose`, :class:`HeadState`,
  :class:`ControllerState`, :class:`RigState`) -- a client for Monado's remote driver.

Units and spaces, everywhere in this module: positions in metres, angles in radians, quaternions as
``(x, y, z, w)``. Poses sent to the remote driver are absolute poses in the OpenXR **STAGE** space
(origin on the floor, +Y up, -Z forward). Monado defines LOCAL as STAGE raised by 1.6 m (no rotation)
and LOCAL_FLOOR as STAGE.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Name of the IPC socket ``monado-service`` creates in ``$XDG_RUNTIME_DIR``.
IPC_SOCKET_NAME = "monado_comp_ipc"
#: Debian's manifest for the Monado runtime; set as ``XR_RUNTIME_JSON`` so no alternatives are needed.
RUNTIME_JSON = "/usr/share/openxr/1/openxr_monado.json"
#: Name of the core validation layer (pyopenxr bundles one and puts it first on the layer path).
VALIDATION_LAYER = "XR_APILAYER_LUNARG_core_validation"
#: Frame period of the null compositor, in seconds (it paces at a fixed 20 Hz).
NULL_COMPOSITOR_FRAME_S = 0.05


def missing_requirements() -> list[str]:
    """What this machine lacks to run the XR tests (an empty list inside the XR test root)."""
    missing = [tool for tool in ("monado-service", "Xvfb") if shutil.which(tool) is None]
    try:
        import xr  # noqa: F401  (pyopenxr)
    except ImportError:
        missing.append("pyopenxr")
    return missing


def free_tcp_port() -> int:
    """A TCP port that is free now on 127.0.0.1 (runs on one machine share the network namespace)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(predicate, timeout_s: float, interval_s: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return predicate()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class ServiceError(RuntimeError):
    """monado-service (or Xvfb) did not start or stop as expected; the message carries its log tail."""


# --------------------------------------------------------------------------------------------- runtime


class MonadoService:
    """One ``monado-service`` process with the null compositor.

    ``driver``: ``"simulated"`` (Monado picks its Simulated HMD when no hardware is found; no
    controllers) or ``"remote"`` (``P_OVERRIDE_ACTIVE_CONFIG=remote``: a Remote HMD and two Index
    controllers driven over TCP, see :class:`RemoteRig`).

    ``work_dir`` holds the service's log (``monado.log``) and its ``XDG_CONFIG_HOME`` (Monado writes a
    ``config_v0.json`` there; the remote driver's port comes from it). ``runtime_dir`` is the
    ``XDG_RUNTIME_DIR`` where the IPC socket appears; clients must use the same one, so take their
    environment from :meth:`client_env`. ``remote_port`` defaults to a free port (not 4242) so that
    runs sharing a machine do not collide. ``env`` adds or overrides service variables (e.g.
    ``XRT_LOG=debug``).

    Lifecycle: :meth:`start` (removes a stale socket first, waits for the new one), :meth:`stop`
    (graceful: a line on the service's stdin, then SIGTERM, then SIGKILL, all by pid), :meth:`kill`
    (SIGKILL, as a crash would, leaving the stale socket behind) and :meth:`restart`. The service also
    stops by itself when its stdin closes, i.e. when the Python process that started it dies.
    """

    def __init__(
        self,
        work_dir: Path,
        driver: str = "simulated",
        runtime_dir: Path | None = None,
        remote_port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        if driver not in ("simulated", "remote"):
            raise ValueError(f"unknown driver {driver!r}")
        self.driver = driver
        self.work_dir = Path(work_dir)
        self.runtime_dir = Path(runtime_dir or os.environ.get("XDG_RUNTIME_DIR") or "/tmp/run")
        self.remote_port = (remote_port or free_tcp_port()) if driver == "remote" else None
        self.extra_env = dict(env or {})
        self.log_path = self.work_dir / "monado.log"
        self._proc: subprocess.Popen | None = None
        self._log_file = None
        self.starts = 0  #: how many times start() has launched a process

    # ------------------------------------------------------------------ public

    @property
    def socket_path(self) -> Path:
        """The IPC socket clients connect to: ``$XDG_RUNTIME_DIR/monado_comp_ipc``."""
        return self.runtime_dir / IPC_SOCKET_NAME

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout_s: float = 15.0) -> MonadoService:
        """Launch the service and return once its IPC socket exists. Raises :class:`ServiceError`."""
        if self.running:
            raise ServiceError(f"monado-service already running (pid {self.pid})")
        self._prepare_dirs()
        # A socket left by a killed service makes the new one fail to bind.
        self.socket_path.unlink(missing_ok=True)
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"=== start #{self.starts + 1} driver={self.driver}\n".encode())
        self._log_file.flush()
        # stdin is a pipe: a line on it asks the service to shut down cleanly, and its EOF (the test
        # process died) does the same, so a crashed test does not leave a service behind.
        self._proc = subprocess.Popen(
            ["monado-service"],
            stdin=subprocess.PIPE,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=self._service_env(),
            cwd=self.work_dir,
            # Keep SIGPIPE ignored (Python ignores it; the default would restore it). Monado 25's
            # remote driver writes its greeting to whatever connection it accepts next: if that
            # client has gone (e.g. a second rig that gave up waiting), SIGPIPE kills the service.
            restore_signals=False,
        )
        self.starts += 1
        if not _wait_until(lambda: self.socket_path.exists() or not self.running, timeout_s):
            self._fail_start(f"no IPC socket after {timeout_s} s")
        if not self.running:
            self._fail_start(f"exited with status {self._proc.returncode} during start")
        return self

    def stop(self, timeout_s: float = 5.0) -> int | None:
        """Stop the service cleanly if it runs; return its exit status (None if it was not started)."""
        if self._proc is None:
            return None
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            self._ask_to_quit(proc)
            if not self._wait(proc, timeout_s):
                proc.send_signal(signal.SIGTERM)
                if not self._wait(proc, timeout_s):
                    proc.kill()
                    proc.wait()
        self._close_log()
        self.socket_path.unlink(missing_ok=True)
        return proc.returncode

    def kill(self) -> None:
        """SIGKILL the service, as a crash would; the stale IPC socket is left for :meth:`start`."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        proc.kill()
        proc.wait()
        self._close_log()

    def restart(self, timeout_s: float = 15.0) -> MonadoService:
        """Stop (cleanly) if running, then start again. Clients connected before must reconnect."""
        self.stop()
        return self.start(timeout_s)

    def client_env(self, display: str | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for an OpenXR client process of this service.

        Without ``display`` the client gets ``EGL_PLATFORM=surfaceless`` (EGL with no X server, use
        ``XR_MNDX_egl_enable``); with ``display`` (e.g. ``Xvfb.display``) it gets ``DISPLAY`` for GLX.
        ``base`` defaults to the current environment.
        """
        env = dict(os.environ if base is None else base)
        env.update(XDG_RUNTIME_DIR=str(self.runtime_dir), XR_RUNTIME_JSON=RUNTIME_JSON)
        env.pop("DISPLAY", None)
        env.pop("EGL_PLATFORM", None)
        if display:
            env["DISPLAY"] = display
        else:
            env["EGL_PLATFORM"] = "surfaceless"
        return env

    def log_text(self) -> str:
        """Everything the service has logged so far (all starts)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)

    # ------------------------------------------------------------------ internals

    def _prepare_dirs(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        config_dir = self.work_dir / "config" / "monado"
        config_dir.mkdir(parents=True, exist_ok=True)
        config = {}
        if self.driver == "remote":
            config["remote"] = {"version": 0, "port": self.remote_port, "view_count": 2}
        (config_dir / "config_v0.json").write_text(json.dumps(config))

    def _service_env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "XDG_CONFIG_HOME": str(self.work_dir / "config"),
            "XRT_COMPOSITOR_NULL": "1",  # no display, no GPU: frames are paced and thrown away
            "XRT_LOG": "info",
        }
        if self.driver == "remote":
            env["P_OVERRIDE_ACTIVE_CONFIG"] = "remote"
        env.update(self.extra_env)
        return env

    @staticmethod
    def _ask_to_quit(proc: subprocess.Popen) -> None:
        try:
            proc.stdin.write(b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    @staticmethod
    def _wait(proc: subprocess.Popen, timeout_s: float) -> bool:
        try:
            proc.wait(timeout_s)
            return True
        except subprocess.TimeoutExpired:
            return False

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _fail_start(self, why: str):
        self.stop(timeout_s=2.0)
        raise ServiceError(f"monado-service: {why}\n--- {self.log_path}\n{self.log_tail()}")


# --------------------------------------------------------------------------------------------- X server


class Xvfb:
    """A virtual X server for GLX clients. ``display`` (e.g. ``":1"``) is valid after :meth:`start`.

    The display number is chosen by Xvfb itself (``-displayfd``): X display numbers are shared with
    every other process on the machine's network namespace, so a fixed ``:99`` could collide.
    """

    def __init__(self, work_dir: Path, screen: str = "1280x1024x24") -> None:
        self.work_dir = Path(work_dir)
        self.screen = screen
        self.display: str | None = None
        self.log_path = self.work_dir / "xvfb.log"
        self._proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout_s: float = 10.0) -> Xvfb:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        read_fd, write_fd = os.pipe()
        try:
            with open(self.log_path, "ab") as log:
                self._proc = subprocess.Popen(
                    ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self.screen, "-nolisten", "tcp"],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=(write_fd,),
                )
            os.close(write_fd)
            write_fd = -1
            number = self._read_display_number(read_fd, timeout_s)
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
        if number is None:
            self.stop()
            raise ServiceError(f"Xvfb gave no display number in {timeout_s} s\n{_tail(self.log_path)}")
        self.display = f":{number}"
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.display = None

    @staticmethod
    def _read_display_number(fd: int, timeout_s: float) -> int | None:
        data = b""
        deadline = time.monotonic() + timeout_s
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, 16)
            if not chunk:  # Xvfb exited
                return None
            data += chunk
        return int(data)


# --------------------------------------------------------------------------------------------- remote rig

Vec2 = tuple[float, float]
Vec3 = tuple[float, float, float]
Quat = tuple[float, float, float, float]


@dataclass(frozen=True)
class Pose:
    """A rigid pose: ``position`` in metres, ``orientation`` a unit quaternion ``(x, y, z, w)``.

    For the head and controllers the pose is absolute in STAGE space; for a per-eye view
    (:class:`EyeView`) it is relative to the head centre.
    """

    position: Vec3 = (0.0, 0.0, 0.0)
    orientation: Quat = (0.0, 0.0, 0.0, 1.0)

    def floats(self) -> tuple[float, ...]:
        # The wire order is quaternion first, then position (struct xrt_pose).
        return (*self.orientation, *self.position)

    @classmethod
    def from_floats(cls, values) -> Pose:
        values = tuple(values)
        return cls(position=values[4:7], orientation=values[0:4])


@dataclass(frozen=True)
class Fov:
    """Angles of the view frustum edges from the view direction, in radians (left and down negative)."""

    angle_left: float = -0.7
    angle_right: float = 0.7
    angle_up: float = 0.7
    angle_down: float = -0.7


@dataclass(frozen=True)
class EyeView:
    """One eye's field of view and its pose relative to the head centre."""

    fov: Fov = Fov()
    pose: Pose = Pose()


@dataclass(frozen=True)
class HeadState:
    """The headset. ``pose`` is the head centre (OpenXR VIEW space) in STAGE space.

    ``views=None`` lets Monado derive both eyes (its default eye separation and field of view); two
    :class:`EyeView` pin each eye's pose (relative to the head centre) and field of view exactly.
    """

    pose: Pose = Pose(position=(0.0, 1.6, 0.0))
    views: tuple[EyeView, EyeView] | None = None


@dataclass(frozen=True)
class ControllerState:
    """One Index-style controller. ``pose`` is absolute in STAGE space; Monado reports it for both
    the grip and the aim pose. Velocities are in m/s and rad/s (angular velocity in the controller's
    own frame). Analog values are 0..1 (thumbstick and trackpad axes -1..1). ``active=False`` makes
    the controller's actions inactive and its pose invalid, as when tracking is lost.
    """

    pose: Pose = Pose()
    linear_velocity: Vec3 = (0.0, 0.0, 0.0)
    angular_velocity: Vec3 = (0.0, 0.0, 0.0)
    hand_curl: tuple[float, float, float, float, float] = (0.0, 0.0, 0.0, 0.0, 0.0)
    trigger: float = 0.0
    squeeze: float = 0.0
    squeeze_force: float = 0.0
    thumbstick: Vec2 = (0.0, 0.0)
    trackpad_force: float = 0.0
    trackpad: Vec2 = (0.0, 0.0)
    hand_tracking_active: bool = True
    active: bool = True
    system_click: bool = False
    system_touch: bool = False
    a_click: bool = False
    a_touch: bool = False
    b_click: bool = False
    b_touch: bool = False
    trigger_click: bool = False
    trigger_touch: bool = False
    thumbstick_click: bool = False
    thumbstick_touch: bool = False
    trackpad_touch: bool = False


def _controller(x: float) -> ControllerState:
    return ControllerState(pose=Pose(position=(x, 1.3, -0.5)))


@dataclass(frozen=True)
class RigState:
    """Everything the remote driver tracks. The defaults equal Monado 25's own reset state: head at
    1.6 m, controllers at (-/+0.2, 1.3, -0.5), identity orientations, active, nothing pressed."""

    head: HeadState = HeadState()
    left: ControllerState = field(default_factory=lambda: _controller(-0.2))
    right: ControllerState = field(default_factory=lambda: _controller(0.2))

    def pack(self) -> bytes:
        """The 376-byte ``struct r_remote_data`` of Monado 25 (little-endian, no framing)."""
        head_views = self.head.views or (EyeView(), EyeView())
        values: list = [WIRE_HEADER]
        for view in head_views:
            values += [*dataclasses.astuple(view.fov), *view.pose.floats(), 0]
        values += [*self.head.pose.floats(), self.head.views is not None]
        for hand in (self.left, self.right):
            values += _controller_values(hand)
        return WIRE_FORMAT.pack(*values)

    @classmethod
    def unpack(cls, data: bytes) -> RigState:
        values = list(WIRE_FORMAT.unpack(data))[1:]
        views = []
        for _ in range(2):
            fov, pose, values = Fov(*values[0:4]), Pose.from_floats(values[4:11]), values[12:]
            views.append(EyeView(fov, pose))
        head_pose, per_view_valid, values = Pose.from_floats(values[0:7]), values[7], values[8:]
        head = HeadState(head_pose, tuple(views) if per_view_valid else None)
        hands = [_controller_from_values(values[i * _CONTROLLER_FIELDS:][:_CONTROLLER_FIELDS]) for i in (0, 1)]
        return cls(head=head, left=hands[0], right=hands[1])


def _controller_values(c: ControllerState) -> list:
    return [
        *c.pose.floats(), *c.linear_velocity, *c.angular_velocity, *c.hand_curl,
        c.trigger, c.squeeze, c.squeeze_force, *c.thumbstick, c.trackpad_force, *c.trackpad,
        c.hand_tracking_active, c.active, c.system_click, c.system_touch, c.a_click, c.a_touch,
        c.b_click, c.b_touch, c.trigger_click, c.trigger_touch, c.thumbstick_click, c.thumbstick_touch,
        c.trackpad_touch, False, False, False,
    ]


def _controller_from_values(v: list) -> ControllerState:
    flags = ("hand_tracking_active active system_click system_touch a_click a_touch b_click b_touch "
             "trigger_click trigger_touch thumbstick_click thumbstick_touch trackpad_touch").split()
    return ControllerState(
        pose=Pose.from_floats(v[0:7]), linear_velocity=tuple(v[7:10]), angular_velocity=tuple(v[10:13]),
        hand_curl=tuple(v[13:18]), trigger=v[18], squeeze=v[19], squeeze_force=v[20],
        thumbstick=tuple(v[21:23]), trackpad_force=v[23], trackpad=tuple(v[24:26]),
        **dict(zip(flags, v[26:39], strict=True)),
    )


#: ``struct r_remote_data`` (Monado 25.0.0 src/xrt/drivers/remote/r_interface.h): a 64-bit header, the
#: head (two views of {fov, pose, u32 pad}, the centre pose, ``per_view_data_valid`` + 3 pad bytes),
#: then the left and right controllers (pose, velocities, curls, analog values, 13 bools + 3 pad).
WIRE_FORMAT = struct.Struct("<8s" + "4f7fI" * 2 + "7f?3x" + "7f3f3f5ffff2ff2f16?" * 2)
#: Monado 25.0.0 ignores the header; later versions check for this value.
WIRE_HEADER = b"mndrmt3\x00"
_CONTROLLER_FIELDS = 7 + 3 + 3 + 5 + 3 + 2 + 1 + 2 + 16
assert WIRE_FORMAT.size == 376


class RemoteRig:
    """Scripted head and controllers through Monado's remote driver (TCP, 127.0.0.1).

    Protocol facts (Monado 25): on connect the service sends two states (its reset state, then its
    latest one); after that the rig sends whole states whenever it likes, and the last one received
    is what an app sees at its next ``xrSyncActions`` / ``xrLocateSpace`` / ``xrLocateViews``.
    Inputs are *sampled, not queued*: a press shorter than a frame (50 ms with the null compositor)
    may never be seen, so hold every state for at least one frame of the app. The service keeps the
    last state across reconnects, so :meth:`connect` sends :meth:`reset` by default. Only one rig can
    feed a service at a time: a second connection waits in the listen queue and never gets the two
    greeting states, which :meth:`connect` reports as an error. (When the first rig later
    disconnects, the driver accepts the abandoned second connection and writes to it; that would kill
    the service with SIGPIPE, which :class:`MonadoService` prevents by starting it with SIGPIPE
    ignored.)
    """

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self.state = RigState()  #: the last state sent
        self.greeting: tuple[RigState, RigState] | None = None  #: (reset, latest) sent by the service
        self._sock: socket.socket | None = None

    def connect(self, timeout_s: float = 10.0, reset: bool = True) -> RemoteRig:
        """Connect (retrying while the driver's listener comes up) and read the greeting. Call it
        again after the service restarts; it drops the old connection first."""
        self.close()
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.settimeout(max(0.5, deadline - time.monotonic()))
        try:
            self.greeting = (RigState.unpack(self._recv_state()), RigState.unpack(self._recv_state()))
        except TimeoutError as exc:
            self.close()
            raise ServiceError("remote driver sent no greeting: is another rig connected?") from exc
        self._sock.settimeout(5.0)
        if reset:
            self.reset()
        return self

    def send(self, state: RigState) -> RigState:
        """Send a complete state; it replaces whatever the service had. Returns ``state``."""
        if self._sock is None:
            raise ServiceError("RemoteRig is not connected")
        self._sock.sendall(state.pack())
        self.state = state
        return state

    def reset(self) -> RigState:
        """Send the default :class:`RigState` (Monado's reset state)."""
        return self.send(RigState())

    def update(self, head: HeadState | None = None, **hands) -> RigState:
        """Send the last state with the given parts replaced, e.g.
        ``rig.update(right=dataclasses.replace(rig.state.right, trigger=0.25))``."""
        return self.send(dataclasses.replace(self.state, head=head or self.state.head, **hands))

    def set_controller(self, hand: str, **fields) -> RigState:
        """Change some fields of one controller (``hand`` is ``"left"`` or ``"right"``) and send."""
        current = getattr(self.state, hand)
        return self.update(**{hand: dataclasses.replace(current, **fields)})

    def set_head(self, pose: Pose) -> RigState:
        return self.update(head=dataclasses.replace(self.state.head, pose=pose))

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> RemoteRig:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _recv_state(self) -> bytes:
        data = b""
        while len(data) < WIRE_FORMAT.size:
            chunk = self._sock.recv(WIRE_FORMAT.size - len(data))
            if not chunk:
                raise ServiceError("remote driver closed the connection")
            data += chunk
        return data
