"""The array backend, chosen once per process: CuPy on a CUDA device, else NumPy.

Everything downstream receives `xp` and never asks again. `PROSECTOR_ARRAY_BACKEND` (auto, numpy,
cupy) or the scene's settings choose; `auto` falls back to NumPy when CuPy is missing or has no
device (CuPy imports fine without a GPU and only fails on first use, so we ask it explicitly).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from types import ModuleType

import numpy as np

CHOICES = ("auto", "numpy", "cupy")


@dataclass(frozen=True)
class ArrayBackend:
    name: str  # "numpy" or "cupy"
    xp: ModuleType
    device: str  # e.g. "CPU" or "NVIDIA H100 80GB HBM3"
    reason: str  # why this backend, for `prosector info`


class BackendError(ValueError):
    pass


@cache
def choose_backend(preference: str | None = None) -> ArrayBackend:
    wanted = (preference or os.environ.get("PROSECTOR_ARRAY_BACKEND") or "auto").lower()
    if wanted not in CHOICES:
        raise BackendError(f"array backend {wanted!r} is not one of {', '.join(CHOICES)}")
    if wanted == "numpy":
        return ArrayBackend("numpy", np, "CPU", "requested")
    cupy, why = try_cupy()
    if cupy is not None:
        return ArrayBackend("cupy", cupy, _device_name(cupy), "CUDA device available")
    if wanted == "cupy":
        raise BackendError(f"array backend 'cupy' requested but unavailable: {why}")
    return ArrayBackend("numpy", np, "CPU", f"CuPy not used: {why}")


def try_cupy() -> tuple[ModuleType | None, str]:
    """(cupy, "") when CuPy imports and has a usable device, else (None, why not)."""
    try:
        import cupy
    except ImportError:
        return None, "not installed (pip install 'prosector[gpu]')"
    except Exception as exc:  # a broken CUDA install raises assorted errors at import
        return None, f"import failed: {exc}"
    try:
        if not cupy.is_available():
            return None, "no CUDA device"
    except Exception as exc:
        return None, f"no usable CUDA device: {exc}"
    return cupy, ""


def _device_name(cupy) -> str:
    try:
        props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
        name = props["name"]
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:
        return "CUDA device"
