"""Progress bars for work that may take more than a couple of seconds (loading many meshes, building
ray-tracing structures, accumulating ray-traced frames, rendering many steps).

A bar appears on standard error only when the work has already run for `SHOW_AFTER_S` and standard
error is a terminal (a heartbeat redraws it twice a second, so one long step, a million-atom file
being read, still shows its bar and its elapsed time), so quick commands, pipes, CI logs and tests stay quiet; `prosector --quiet`
(or PROSECTOR_QUIET=1) silences them everywhere. tqdm draws them: it is small, pure Python and
handles the terminal-width and not-a-terminal cases.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

SHOW_AFTER_S = 2.0
HEARTBEAT_S = 0.5

T = TypeVar("T")


def set_quiet(quiet: bool) -> None:
    """Silence (or allow) every progress bar of this process."""
    if quiet:
        os.environ["PROSECTOR_QUIET"] = "1"
    else:
        os.environ.pop("PROSECTOR_QUIET", None)


def is_quiet() -> bool:
    return os.environ.get("PROSECTOR_QUIET", "") not in ("", "0")


class _Bar:
    """What `task` yields: call `advance()` as items finish; `note(text)` changes the trailing text."""

    def __init__(self, bar):
        self._bar = bar

    def advance(self, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def note(self, text: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)


@contextmanager
def task(description: str, total: int | None, unit: str = "it") -> Iterator[_Bar]:
    """A bar for `total` items (None: unknown), shown only when it lasts long enough."""
    if is_quiet() or not _stderr_is_terminal():
        yield _Bar(None)
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=description, unit=unit, delay=SHOW_AFTER_S, leave=False, file=sys.stderr,
               dynamic_ncols=True)  # fmt: skip
    done = threading.Event()
    heartbeat = threading.Thread(target=_redraw, args=(bar, done), name="progress-heartbeat", daemon=True)
    heartbeat.start()
    try:
        yield _Bar(bar)
    finally:
        done.set()
        heartbeat.join()
        bar.close()


def _redraw(bar, done: threading.Event) -> None:
    """tqdm draws only when a step ends; between steps, redraw once the bar is due to show."""
    if done.wait(SHOW_AFTER_S):
        return
    while not done.is_set():
        bar.refresh()
        done.wait(HEARTBEAT_S)


def track(items: Iterable[T], description: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    """Iterate over `items` with a bar (see `task`)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with task(description, total, unit) as bar:
        for item in items:
            yield item
            bar.advance()


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False
