"""Tests of the XR test harness itself: Monado starts, stops and restarts; a minimal pyopenxr client
(xrclient.py) goes through the whole session lifecycle over EGL and GLX, passes the core validation
layer, and reads back exactly what the remote rig sends, one frame after it was sent.
"""

from __future__ import annotations

import dataclasses
import math
import subprocess

import pytest
from monado import VALIDATION_LAYER, EyeView, Fov, HeadState, Pose, RemoteRig, ServiceError
from xrclient import ClientProcess

LIFECYCLE = ["IDLE", "READY", "SYNCHRONIZED", "VISIBLE", "FOCUSED",
             "VISIBLE", "SYNCHRONIZED", "STOPPING", "IDLE", "EXITING"]
INDEX = "/interaction_profiles/valve/index_controller"
SIMPLE = "/interaction_profiles/khr/simple_controller"
# The wire carries float32: compare with a tolerance that float32 rounding of metres passes.
TOL = 1e-6


def client_env(service, binding, request, **extra):
    display = request.getfixturevalue("xvfb").display if binding == "glx" else None
    return {**service.client_env(display=display), **extra}


def run_client(args, env, timeout_s=60.0):
    """Run xrclient to completion; return (ready event, done event, process)."""
    client = ClientProcess(args, env)
    ready = client.expect("ready", timeout_s)
    done = client.wait_for("done", timeout_s)
    assert client.finish() == 0, client.text()
    return ready, done, client


def approx(values, tol=TOL):
    return pytest.approx(list(values), abs=tol)


# ------------------------------------------------------------------------------------- runtime service


def test_service_starts_and_stops_cleanly(monado):
    assert monado.running and monado.socket_path.is_socket()
    assert monado.stop() == 0  # a line on stdin: Monado's own clean shutdown
    assert not monado.socket_path.exists()
    assert "Server exiting: '0'" in monado.log_text()


def test_start_replaces_stale_socket_after_a_crash(monado):
    first_pid = monado.pid
    monado.kill()
    assert monado.socket_path.exists(), "a killed service leaves its socket behind"
    monado.start()
    assert monado.pid != first_pid and monado.running


def test_client_without_service_fails_cleanly(monado):
    monado.stop()
    client = ClientProcess(["--binding", "egl"], monado.client_env())
    assert client.finish(30) != 0
    assert "RuntimeFailureError" in client.text()  # xrCreateInstance: XR_ERROR_RUNTIME_FAILURE


def test_service_crash_mid_session_then_restart(monado):
    client = ClientProcess(["--binding", "egl", "--serve"], monado.client_env())
    client.expect("ready")
    client.frame()
    monado.kill()
    with pytest.raises(RuntimeError):
        client.frame()
    assert client.finish(30) != 0
    assert "InstanceLostError" in client.text()  # the next xrPollEvent: XR_ERROR_INSTANCE_LOST
    monado.start()
    _, done, _ = run_client(["--binding", "egl", "--frames", "5"], monado.client_env())
    assert done["states"] == LIFECYCLE


def test_xvfb_display_is_usable(xvfb):
    result = subprocess.run(["xwd", "-root", "-silent", "-display", xvfb.display], capture_output=True, timeout=30)
    assert result.returncode == 0 and len(result.stdout) > 1280 * 1024, result.stderr


# ------------------------------------------------------------------------------------- client lifecycle


@pytest.mark.parametrize("binding", ["egl", "glx"])
def test_session_lifecycle(monado, binding, request):
    ready, done, _ = run_client(["--binding", binding, "--frames", "20"], client_env(monado, binding, request))
    assert ready["runtime"].startswith("Monado")
    assert ready["system"] == "Monado: Simulated HMD"
    assert ready["views"] == [[320, 240], [320, 240]]  # the null compositor's recommendation
    assert ready["pixel"] == [0, 128, 255, 255]  # the clear colour, read back from a swapchain image
    assert done["states"] == LIFECYCLE
    assert done["frames"] >= 20


@pytest.mark.parametrize("binding", ["egl", "glx"])
def test_core_validation_layer_is_silent(monado, binding, request):
    env = client_env(monado, binding, request, XR_ENABLE_API_LAYERS=VALIDATION_LAYER)
    _, done, client = run_client(["--binding", binding, "--frames", "20"], env)
    assert done["states"][-1] == "EXITING"
    assert client.count("VUID-CoreValidation-Initialize") == 1, "the layer did not load"
    assert client.count("VALID_ERROR") == 0, client.text()


@pytest.mark.parametrize("binding", ["egl", "glx"])
def test_core_validation_layer_reports_errors(monado, binding, request):
    """The positive control: without it, zero VALID_ERROR lines could mean the layer never loaded."""
    env = client_env(monado, binding, request, XR_ENABLE_API_LAYERS=VALIDATION_LAYER)
    _, _, client = run_client(["--binding", binding, "--frames", "5", "--inject-error"], env)
    assert client.count("VALID_ERROR") >= 1, client.text()


# ------------------------------------------------------------------------------------- remote driver


@pytest.fixture
def served_client(monado_remote, request):
    """An xrclient in lockstep (--serve, EGL), FOCUSED, on the remote-driver service."""
    profiles = getattr(request, "param", ["index"])
    args = ["--binding", "egl", "--serve"] + [a for p in profiles for a in ("--profile", p)]
    client = ClientProcess(args, monado_remote.client_env())
    client.expect("ready")
    yield client
    assert client.finish() == 0, client.text()


def test_remote_reset_state_is_seen(remote_rig, served_client):
    sample = served_client.frame()
    assert sample["head"]["position"] == approx([0.0, 1.6, 0.0])
    for hand, x in (("left", -0.2), ("right", 0.2)):
        got = sample["hands"][hand]
        assert got["profile"] == INDEX
        assert got["grip"]["valid"] and got["grip"]["active"]
        assert got["grip"]["position"] == approx([x, 1.3, -0.5])
        assert got["trigger"] == {"value": 0.0, "active": True}
    # Monado's reset state is what RigState() encodes.
    reset, _ = remote_rig.greeting
    assert list(reset.right.pose.position) == approx(remote_rig.state.right.pose.position)


def test_remote_head_and_controller_one_frame_after_sending(remote_rig, served_client):
    quarter_turn = (0.0, math.sin(math.pi / 8), 0.0, math.cos(math.pi / 8))  # 45 deg about +Y
    head = Pose(position=(0.1, 1.7, 0.2), orientation=quarter_turn)
    grip = Pose(position=(0.3, 1.1, -0.4), orientation=(math.sin(0.25), 0.0, 0.0, math.cos(0.25)))
    remote_rig.set_head(head)
    remote_rig.set_controller("right", pose=grip, trigger=0.25, a_click=True)
    remote_rig.set_controller("left", squeeze=1.0)

    sample = served_client.frame()  # the first frame after sending

    assert sample["head"]["valid"]
    assert sample["head"]["position"] == approx(head.position)
    assert sample["head"]["orientation"] == approx(head.orientation)
    # LOCAL is STAGE raised 1.6 m.
    assert sample["head_in_local"]["position"] == approx([0.1, 0.1, 0.2])
    # xrLocateViews: eyes share the head orientation, centred on the head, 63 mm apart.
    left_eye, right_eye = (v["position"] for v in sample["views"])
    assert [(a + b) / 2 for a, b in zip(left_eye, right_eye, strict=True)] == approx(head.position)
    assert math.dist(left_eye, right_eye) == pytest.approx(0.063, abs=1e-4)
    assert all(v["orientation"] == approx(head.orientation) for v in sample["views"])
    right, left = sample["hands"]["right"], sample["hands"]["left"]
    assert right["grip"]["position"] == approx(grip.position)
    assert right["grip"]["orientation"] == approx(grip.orientation)
    assert right["trigger"] == {"value": 0.25, "active": True}
    assert right["a_click"] == {"value": True, "active": True}
    assert right["squeeze"]["value"] == 0.0
    assert left["squeeze"] == {"value": 1.0, "active": True}
    assert left["trigger"]["value"] == 0.0


def test_remote_every_change_is_seen_on_the_next_frame(remote_rig, served_client):
    for i in range(1, 21):
        value = i / 20
        remote_rig.set_controller("right", trigger=value, pose=Pose(position=(0.2, 1.0 + value, -0.5)))
        right = served_client.frame()["hands"]["right"]
        assert right["trigger"]["value"] == pytest.approx(value, abs=TOL), f"step {i}"
        assert right["grip"]["position"][1] == pytest.approx(1.0 + value, abs=TOL), f"step {i}"


def test_remote_controller_lost_and_regained(remote_rig, served_client):
    remote_rig.set_controller("right", active=False, trigger=0.5)
    right = served_client.frame()["hands"]["right"]
    assert not right["grip"]["valid"] and not right["grip"]["active"]
    assert right["trigger"] == {"value": 0.0, "active": False}
    assert served_client.frame()["hands"]["left"]["grip"]["valid"], "the other hand is unaffected"
    remote_rig.set_controller("right", active=True)
    right = served_client.frame()["hands"]["right"]
    assert right["grip"]["valid"] and right["trigger"] == {"value": 0.5, "active": True}


def test_remote_per_view_fov_and_eye_poses(remote_rig, served_client):
    fov = Fov(angle_left=-0.5, angle_right=0.6, angle_up=0.4, angle_down=-0.3)
    eyes = (EyeView(fov, Pose(position=(-0.03, 0.0, 0.0))), EyeView(fov, Pose(position=(0.03, 0.0, 0.0))))
    remote_rig.update(head=HeadState(pose=Pose(position=(0.0, 1.5, 0.0)), views=eyes))
    views = served_client.frame()["views"]
    assert [v["fov"] for v in views] == [approx(dataclasses.astuple(fov))] * 2
    assert views[0]["position"] == approx([-0.03, 1.5, 0.0])
    assert views[1]["position"] == approx([0.03, 1.5, 0.0])


@pytest.mark.parametrize("served_client", [["simple"]], indirect=True)
def test_remote_simple_controller_profile(remote_rig, served_client):
    """On khr/simple_controller Monado maps select to trigger_value and menu to b_click."""
    remote_rig.set_controller("right", trigger=1.0, b_click=True)
    right = served_client.frame()["hands"]["right"]
    assert right["profile"] == SIMPLE
    assert right["trigger"] == {"value": 1.0, "active": True}
    assert right["menu"] == {"value": True, "active": True}
    remote_rig.set_controller("right", trigger=0.0, b_click=False)
    right = served_client.frame()["hands"]["right"]
    assert right["trigger"]["value"] == 0.0 and right["menu"]["value"] is False


def test_remote_state_survives_reconnect_and_one_feeder_at_a_time(monado_remote, remote_rig):
    remote_rig.set_controller("left", trigger=0.75)
    with pytest.raises(ServiceError, match="another rig"):
        RemoteRig(monado_remote.remote_port).connect(timeout_s=1.0)
    remote_rig.close()  # the driver now accepts the abandoned second connection, then this one
    with RemoteRig(monado_remote.remote_port).connect(reset=False) as again:
        _, latest = again.greeting
        assert latest.left.trigger == 0.75, "the service keeps the last state: reset every test"
    assert monado_remote.running


def test_remote_service_restart_keeps_port(monado_remote, remote_rig):
    port = monado_remote.remote_port
    monado_remote.restart()
    remote_rig.connect()
    assert remote_rig.port == port == monado_remote.remote_port
    _, latest = remote_rig.greeting
    assert list(latest.head.pose.position) == approx([0.0, 1.6, 0.0])
