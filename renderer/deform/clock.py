"""The time that interactive views (window, headset) pose deformers at.

It follows the wall clock, but advances at most `max_step_s` per rendered frame. Soft tissue steps in
fixed 1/90 s frames until it reaches the time asked for; on a machine that renders slower than that
(software GL, an overloaded CPU), catching up the whole real interval makes the next frame slower
still, until the view freezes (measured in the XR tests on llvmpipe under load: 3 s per frame).
Capped, motion plays slower there instead and interaction stays live; at the headset's 90 Hz (or any
rate above 1 / max_step_s) the cap never engages and the clock is the wall clock.
"""

from __future__ import annotations

MAX_STEP_S = 0.1  # at most 9 soft-tissue frames of catch-up per rendered frame


class DeformationClock:
    """Seconds of deformation time; `tick(now_s)` once per rendered frame while playing."""

    def __init__(self, max_step_s: float = MAX_STEP_S):
        self.max_step_s = max_step_s
        self.time_s = 0.0
        self._last_s: float | None = None

    def tick(self, now_s: float) -> float:
        """Advance by the wall time since the last tick (at most `max_step_s`); the new time."""
        if self._last_s is not None:
            self.time_s += min(max(now_s - self._last_s, 0.0), self.max_step_s)
        self._last_s = now_s
        return self.time_s

    def hold(self, now_s: float) -> float:
        """Paused: time stands still, and the pause is not caught up when playing resumes."""
        self._last_s = now_s
        return self.time_s
