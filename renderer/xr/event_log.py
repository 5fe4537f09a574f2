"""The headset app's event log (`--events FILE`): JSON lines for tools and tests -- session states,
recoveries, interaction, the exit summary."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np


class EventLog:
    def __init__(self, path: Path | None):
        self._file = open(path, "w", encoding="utf-8", buffering=1) if path else None  # noqa: SIM115

    def write(self, event: str, **data) -> None:
        if self._file is not None:
            self._file.write(json.dumps({"event": event, "t": round(time.monotonic(), 4), **data},
                                        default=jsonable) + "\n")  # fmt: skip

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def jsonable(value):
    """NumPy arrays and scalars as JSON; anything else as its text."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
