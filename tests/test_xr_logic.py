"""Pure logic of the OpenXR target: session state machine, back-off, quality governor, frame timing,
swapchain format choice, and the message naming the active runtime."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from renderer.passes.options import RenderOptions
from renderer.xr.governor import Quality, QualityGovernor
from renderer.xr.runtime_info import active_runtime, describe, unavailable
from renderer.xr.state_machine import BEGIN, END, EXIT, RECREATE, Backoff, SessionStateMachine
from renderer.xr.swapchains import choose_format
from renderer.xr.timing import FrameTimings

SRGB8_ALPHA8, RGBA8, RGBA16F = 0x8C43, 0x8058, 0x881A


def test_state_machine_lifecycle():
    machine = SessionStateMachine()
    actions = [machine.on_state(s) for s in ("IDLE", "READY", "SYNCHRONIZED", "VISIBLE")]
    assert actions == [None, BEGIN, None, None] and machine.should_render and not machine.input_enabled
    machine.on_state("FOCUSED")
    assert machine.input_enabled
    machine.on_state("VISIBLE")
    assert not machine.input_enabled and machine.should_render
    machine.on_state("SYNCHRONIZED")
    assert machine.running and not machine.should_render  # frames go on, nothing is drawn
    assert machine.on_state("STOPPING") == END and not machine.running
    assert machine.on_state("EXITING") == EXIT
    assert SessionStateMachine().on_state("LOSS_PENDING") == RECREATE


def test_backoff_doubles_up_to_a_limit():
    backoff = Backoff(initial_s=0.25, max_s=1.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.25, 0.5, 1.0, 1.0, 1.0]
    backoff.reset()
    assert backoff.next_delay() == 0.25


def test_governor_lowers_costliest_first_and_recovers():
    best = Quality(RenderOptions(msaa_samples=4, ao_directions=8, ao_steps=6))
    governor = QualityGovernor(best, budget_ms=11.1, window=5)
    messages = [governor.observe(14.0) for _ in range(5)]
    assert messages[:4] == [None] * 4 and "MSAA 4x -> 2x" in messages[4]
    assert governor.quality.options.msaa_samples == 2
    for _ in range(50):
        governor.observe(30.0)
    final = governor.quality
    assert final.options.msaa_samples == 1 and final.render_scale == 0.7 and not final.options.ambient_occlusion
    assert not final.options.subsurface_scattering and "SSS off" in final.describe()
    assert [c.split(": ")[1] for c in governor.changes] == [
        "MSAA 4x -> 2x", "AO samples 8x6 -> 4x4", "subsurface scattering taps 25 -> 11", "MSAA -> off",
        "light through soft tissue (thickness pass) -> off", "subsurface scattering -> off",
        "render scale -> 0.85", "render scale -> 0.70", "ambient occlusion -> off"]  # fmt: skip
    for _ in range(5):
        governor.observe(2.0)
    assert governor.quality.options.ambient_occlusion and "undo ambient occlusion -> off" in governor.changes[-1]
    assert governor.observe(float("nan")) is None
    traced = QualityGovernor(Quality(RenderOptions(ao_tier="raytraced")), budget_ms=11.1, window=1)
    traced.observe(50.0)
    traced.observe(50.0)
    assert traced.quality.options.ao_tier == "ssao" and traced.quality.options.msaa_samples == 4


def test_frame_timings_count_missed_frames(tmp_path):
    timings = FrameTimings()
    period = 11_111_111
    for display in (0, 1, 2, 4, 5):  # one display period skipped between 2 and 4
        timings.record(5.0, [2.0, 2.5], display * period, period)
    summary = timings.summary()
    assert summary["frames"] == 5 and summary["missed_frames"] == 1
    assert summary["gpu_ms_mean_per_eye"] == [2.0, 2.5]
    assert "1 missed" in timings.report() and "GPU" in timings.overlay_text()
    timings.write(tmp_path / "t.json", {"governor": []})
    assert len(json.loads((tmp_path / "t.json").read_text())["frames"]) == 5


def test_swapchain_format_prefers_srgb():
    assert choose_format([RGBA16F, RGBA8, SRGB8_ALPHA8], (SRGB8_ALPHA8, RGBA8)) == SRGB8_ALPHA8
    assert choose_format([RGBA16F, RGBA8], (SRGB8_ALPHA8, RGBA8)) == RGBA8
    assert choose_format([RGBA16F], (SRGB8_ALPHA8, RGBA8)) is None


def test_runtime_message_names_the_active_runtime(tmp_path):
    manifest = tmp_path / "openxr/1/active_runtime.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"runtime": {"name": "SteamVR", "library_path": "/nowhere/vrclient.so"}}))
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path), "XDG_CONFIG_DIRS": str(tmp_path / "x")}
    info = active_runtime(env)
    assert info.name == "SteamVR" and info.source == "user config"
    assert "SteamVR" in describe(info) and "/nowhere/vrclient.so is missing" in describe(info)
    error = unavailable("no headset", info)
    assert str(error).startswith("no headset: the active OpenXR runtime is SteamVR") and "To fix it" in str(error)
    override = {**env, "XR_RUNTIME_JSON": str(tmp_path / "missing.json")}
    assert active_runtime(override).source == "XR_RUNTIME_JSON" and not active_runtime(override).readable
    empty = {"HOME": str(tmp_path / "h"), "XDG_CONFIG_HOME": str(tmp_path / "c"),
             "XDG_CONFIG_DIRS": str(tmp_path / "d")}  # fmt: skip
    if not Path("/etc/openxr/1/active_runtime.json").exists():  # the last place the loader looks
        assert active_runtime(empty) is None
        assert "no OpenXR runtime is installed or active" in str(unavailable("cannot start", None, empty))


@pytest.mark.parametrize("argv", [["xr", "missing.yaml"], ["xr", "scenes/brain.yaml", "--dump-frame", "3"]])
def test_cli_errors_are_messages(argv, capsys):
    from renderer.cli import main

    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_eyes_the_runtime_could_not_locate_are_not_drawn():
    """Zeroed views with cleared pose bits (Monado after an interrupted IPC call) must not reach the
    projection (it divided by zero); well-formed views do. Real pyopenxr structures, no runtime."""
    xr = pytest.importorskip("xr")
    from renderer.targets.openxr import views_usable

    def views(left, right, down, up):
        return [xr.View(fov=xr.Fovf(left, right, up, down)) for _ in range(2)]

    valid = xr.ViewState(view_state_flags=xr.ViewStateFlags.ORIENTATION_VALID_BIT | xr.ViewStateFlags.POSITION_VALID_BIT)
    assert views_usable(valid, views(-0.8, 0.7, -0.8, 0.75))
    assert not views_usable(xr.ViewState(), views(-0.8, 0.7, -0.8, 0.75))
    assert not views_usable(valid, views(0.0, 0.0, 0.0, 0.0))
    assert not views_usable(valid, views(-0.8, float("nan"), -0.8, 0.75))
    assert not views_usable(valid, [])
