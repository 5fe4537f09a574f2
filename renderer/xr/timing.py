"""Frame timing of the XR loop: CPU frame time, GPU time per eye and missed frames.

A frame is missed when the runtime's predicted display time advances by more than 1.5 periods from
one frame to the next (the compositor had to show an old image in between).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class FrameRecord:
    """One frame: index, CPU ms (xrWaitFrame return to xrEndFrame return, minus the wait), GPU ms per
    eye (NaN when not measured), the predicted period (ms) and whether the previous display was missed."""

    index: int
    cpu_ms: float
    gpu_ms: tuple[float, ...]
    period_ms: float
    missed: int


@dataclass
class FrameTimings:
    records: list[FrameRecord] = field(default_factory=list)
    _last_display_ns: int | None = None

    def record(self, cpu_ms: float, gpu_ms: list[float], display_time_ns: int, period_ns: int) -> FrameRecord:
        missed = 0
        if self._last_display_ns is not None and period_ns > 0:
            steps = (display_time_ns - self._last_display_ns) / period_ns
            missed = max(0, int(round(steps)) - 1)
        self._last_display_ns = display_time_ns
        rec = FrameRecord(len(self.records), cpu_ms, tuple(gpu_ms), period_ns / 1e6, missed)
        self.records.append(rec)
        return rec

    def forget_display_time(self) -> None:
        """A new session starts a new timeline (its display times are not comparable)."""
        self._last_display_ns = None

    def summary(self) -> dict:
        if not self.records:
            return {"frames": 0}
        cpu = np.array([r.cpu_ms for r in self.records])
        eyes = max(len(r.gpu_ms) for r in self.records)
        gpu = [np.array([r.gpu_ms[i] for r in self.records if len(r.gpu_ms) > i]) for i in range(eyes)]
        return {
            "frames": len(self.records),
            "cpu_ms_mean": float(cpu.mean()),
            "cpu_ms_p95": float(np.percentile(cpu, 95)),
            "gpu_ms_mean_per_eye": [_nanmean(g) for g in gpu],
            "missed_frames": int(sum(r.missed for r in self.records)),
            "period_ms": float(self.records[-1].period_ms),
        }

    def report(self) -> str:
        s = self.summary()
        if not s["frames"]:
            return "no frames rendered"
        gpu = ", ".join(f"{g:.2f}" if not math.isnan(g) else "n/a" for g in s["gpu_ms_mean_per_eye"])
        return (f"{s['frames']} frames: CPU {s['cpu_ms_mean']:.2f} ms mean ({s['cpu_ms_p95']:.2f} p95), "
                f"GPU per eye [{gpu}] ms, {s['missed_frames']} missed, budget {s['period_ms']:.1f} ms")  # fmt: skip

    def overlay_text(self, last: int = 30) -> str:
        """A short line for the in-headset display: averages of the last `last` frames."""
        recent = self.records[-last:]
        if not recent:
            return "timing: no frames yet"
        cpu = float(np.mean([r.cpu_ms for r in recent]))
        gpu = sum(_nanmean(np.array([r.gpu_ms[i] for r in recent])) for i in range(len(recent[-1].gpu_ms)))
        missed = sum(r.missed for r in recent)
        return f"CPU {cpu:.1f} ms | GPU {gpu:.1f} ms | missed {missed} | budget {recent[-1].period_ms:.1f} ms"

    def write(self, path: Path, extra: dict | None = None) -> None:
        """JSON: the summary, `extra` (e.g. governor changes) and every frame."""
        data = {"summary": self.summary(), **(extra or {}),
                "frames": [{"index": r.index, "cpu_ms": r.cpu_ms, "gpu_ms": list(r.gpu_ms), "period_ms": r.period_ms,
                            "missed": r.missed} for r in self.records]}  # fmt: skip
        path.write_text(json.dumps(data, indent=1, default=_json_number))


def _nanmean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)] if len(values) else values
    return float(values.mean()) if len(values) else float("nan")


def _json_number(value):
    return float(value)
