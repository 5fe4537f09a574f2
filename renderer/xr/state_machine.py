"""The OpenXR session state machine as pure logic: what to do on each state change.

States (XrSessionState): IDLE, READY, SYNCHRONIZED, VISIBLE, FOCUSED, STOPPING, LOSS_PENDING,
EXITING. The app calls `on_state(name)` for each XrEventDataSessionStateChanged and performs the
returned action; `should_render` and `input_enabled` gate the frame's work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATES = ("IDLE", "READY", "SYNCHRONIZED", "VISIBLE", "FOCUSED", "STOPPING", "LOSS_PENDING", "EXITING")
BEGIN, END, RECREATE, EXIT = "begin", "end", "recreate", "exit"


@dataclass
class SessionStateMachine:
    """`running`: between xrBeginSession and xrEndSession (frames must be waited, begun and ended).
    `exit_requested`: the app asked to leave (EXITING then ends the app rather than recreating)."""

    state: str = "IDLE"
    running: bool = False
    exit_requested: bool = False
    history: list[str] = field(default_factory=list)

    def on_state(self, state: str) -> str | None:
        """Record `state`; return BEGIN, END, RECREATE, EXIT or None (nothing to do)."""
        if state not in STATES:
            return None
        self.state = state
        self.history.append(state)
        if state == "READY":
            self.running = True
            return BEGIN
        if state == "STOPPING":
            self.running = False
            return END
        if state == "LOSS_PENDING":
            self.running = False
            return RECREATE
        if state == "EXITING":
            self.running = False
            return EXIT
        return None

    @property
    def should_render(self) -> bool:
        """Submit rendered layers only while the runtime shows us (VISIBLE or FOCUSED)."""
        return self.running and self.state in ("VISIBLE", "FOCUSED")

    @property
    def input_enabled(self) -> bool:
        """Actions are only meaningful while FOCUSED (the runtime may route input elsewhere otherwise)."""
        return self.running and self.state == "FOCUSED"


@dataclass
class Backoff:
    """Delays between attempts to reach a lost runtime: `initial_s`, doubling up to `max_s`."""

    initial_s: float = 0.25
    max_s: float = 4.0
    attempts: int = 0

    def next_delay(self) -> float:
        delay = min(self.initial_s * 2 ** self.attempts, self.max_s)
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0
