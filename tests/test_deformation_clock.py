"""The interactive deformation clock: wall time, capped per frame, paused without catch-up."""

from __future__ import annotations

import pytest

from renderer.deform.clock import DeformationClock


def test_follows_the_wall_clock_at_frame_rate():
    clock = DeformationClock(max_step_s=0.1)
    clock.hold(10.0)
    for frame in range(1, 91):
        t = clock.tick(10.0 + frame / 90.0)
    assert t == pytest.approx(1.0)


def test_slow_frames_play_in_slow_motion_instead_of_catching_up():
    clock = DeformationClock(max_step_s=0.1)
    clock.hold(0.0)
    assert clock.tick(3.0) == pytest.approx(0.1)  # a 3 s frame: one capped step, not 270 soft-tissue frames
    assert clock.tick(3.05) == pytest.approx(0.15)


def test_a_pause_is_not_caught_up_and_time_never_runs_backwards():
    clock = DeformationClock(max_step_s=0.1)
    clock.tick(1.0)
    clock.tick(1.05)
    assert clock.hold(9.0) == pytest.approx(0.05)
    assert clock.tick(9.02) == pytest.approx(0.07)
    assert clock.tick(8.0) == pytest.approx(0.07)  # a clock that jumped back adds nothing
