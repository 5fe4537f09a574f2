"""What ran the campaign: the GL context (vendor, renderer, version, EGL platform), the CUDA device through
CuPy (name, driver, runtime), nvidia-smi's view, and the host. Each check says ok or why not."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys


def describe(context) -> dict:
    """The `device` object of the campaign's JSON; `context` is the campaign's current GL context."""
    info = context.info
    gl = {"platform": info.platform, "vendor": info.vendor, "renderer": info.renderer, "version": info.version,
          "egl_device_setting": os.environ.get("PROSECTOR_EGL_DEVICE", "auto")}  # fmt: skip
    software = ("llvmpipe", "softpipe", "swrast", "lavapipe", "swiftshader")  # Mesa also lists these as EGL devices
    gl["on_gpu"] = not any(name in info.renderer.lower() for name in software)
    from frames import gl_call_overhead_us

    gl["call_overhead_us"] = gl_call_overhead_us()
    return {
        "host": {
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_1min": round(os.getloadavg()[0], 2),
            "node": platform.node(),
        },  # fmt: skip
        "gl": gl,
        "cuda": cuda_info(),
        "nvidia_smi": nvidia_smi(),
    }


def cuda_info() -> dict:
    """CuPy's device: {"ok": True, name, driver, runtime, cupy, memory_gib} or {"ok": False, "why": ...};
    a tiny kernel runs so that a CuPy that imports but cannot launch is caught here."""
    from renderer.deform.backend import try_cupy

    cupy, why = try_cupy()
    if cupy is None:
        return {"ok": False, "why": why}
    try:
        runtime = cupy.cuda.runtime
        props = runtime.getDeviceProperties(cupy.cuda.Device().id)
        check = float((cupy.arange(1024, dtype=cupy.float32) * 2).sum())
        if check != 1023 * 1024:
            return {"ok": False, "why": f"a test kernel returned {check}, not {1023 * 1024}"}
        name = props["name"]
        return {"ok": True, "name": name.decode() if isinstance(name, bytes) else str(name),
                "driver": _cuda_version(runtime.driverGetVersion()),
                "runtime": _cuda_version(runtime.runtimeGetVersion()),
                "cupy": cupy.__version__, "memory_gib": round(props["totalGlobalMem"] / 2**30, 1),
                "compute_capability": f"{props['major']}.{props['minor']}"}  # fmt: skip
    except Exception as exc:  # CuPy raises driver/runtime errors of several kinds
        return {"ok": False, "why": f"{type(exc).__name__}: {exc}"}


def _cuda_version(v: int) -> str:
    return f"{v // 1000}.{(v % 1000) // 10}"


def nvidia_smi() -> dict:
    if shutil.which("nvidia-smi") is None:
        return {"ok": False, "why": "nvidia-smi not on PATH"}
    try:
        done = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm",
                               "--format=csv,noheader"], capture_output=True, text=True, timeout=20)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"ok": False, "why": str(exc)}
    if done.returncode != 0:
        return {"ok": False, "why": (done.stderr or done.stdout).strip()[-300:]}
    fields = [f.strip() for f in done.stdout.strip().splitlines()[0].split(",")]
    keys = ("name", "driver", "memory", "sm_clock", "sm_clock_max")
    return {"ok": True, **dict(zip(keys, fields, strict=False))}
