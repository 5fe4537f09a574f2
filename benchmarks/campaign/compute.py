"""Deformation and soft-body cases: every deformer on N vertices with NumPy and CuPy, the CuPy results handed
to GL by upload and by CUDA-GL interop; the XPBD soft body at 10 substeps. Per-frame medians.

The per-deformer timing is `prosector bench deform`'s (renderer/deform/benchmark.py `time_deformer`); this
module adds the interop hand-off, which needs the GL context on the CUDA device, and the CuPy soft body.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

GOAL_MS = 1.0  # the claim to check: 1M vertices deformed in <= 1 ms with CuPy


def _case(name: str, backend: str, handoff: str, vertices: int, row: dict) -> dict:
    passes = {k[: -len("_ms")]: v for k, v in row.items() if k.endswith("_ms") and k != "total_ms"}
    passes.pop("normals_array_code", None)  # the CPU baseline of the normals, not a stage of this frame
    return {"name": f"deform/{name}/{backend}-{handoff}", "kind": "deform", "backend": backend, "handoff": handoff,
            "vertices": vertices, "frame_ms": row["total_ms"], "passes_ms": passes, "goal_ms": GOAL_MS,
            "vertices_per_s": row.get("vertices_per_s")}  # fmt: skip


def _skip(name: str, why: str, **extra) -> dict:
    return {"name": name, "frame_ms": None, "passes_ms": {}, "skipped": why, **extra}


def deformation_cases(context, vertices: int, frames: int, progress=print) -> list[dict]:
    """Cases for every deformer: numpy-upload, cupy-upload, cupy-interop (the last two skipped, with the
    reason, where CuPy or interop cannot run). `context` is the campaign's GL context (current)."""
    from renderer.deform.backend import try_cupy
    from renderer.deform.benchmark import cases, time_deformer, tube
    from renderer.gpu.mesh import GpuMesh
    from renderer.scene.meshes import MeshData

    positions, faces = tube(vertices)
    count = int(len(positions))
    mesh = None  # without GL (it failed to start) the hand-off is not measured
    if context is not None:
        mesh = GpuMesh(context.resources, MeshData("campaign-deform", positions, np.zeros_like(positions),
                                                   faces.astype(np.uint32)))  # fmt: skip
    cupy, cupy_why = try_cupy()
    interop, interop_why = (None, cupy_why) if cupy is None else (None, "no GL context") if mesh is None else \
        _open_interop(cupy, mesh)  # fmt: skip
    out = []
    try:
        for name, spec in cases().items():
            started = time.perf_counter()
            out.append(_case(name, "numpy", "upload", count, time_deformer(np, name, spec, positions, faces, frames,
                                                                             mesh)))  # fmt: skip
            if cupy is None:
                out.append(_skip(f"deform/{name}/cupy-upload", f"CuPy: {cupy_why}"))
                out.append(_skip(f"deform/{name}/cupy-interop", f"CuPy: {cupy_why}"))
            else:
                out.append(_case(name, "cupy", "upload", count,
                                 time_deformer(cupy, name, spec, positions, faces, frames, mesh)))  # fmt: skip
                if interop is None:
                    out.append(_skip(f"deform/{name}/cupy-interop", f"CUDA-GL interop: {interop_why}"))
                else:
                    out.append(
                        _case(
                            name,
                            "cupy",
                            "interop",
                            count,
                            _time_interop(cupy, interop, name, spec, positions, faces, frames, mesh),
                        )
                    )
            row = ", ".join(f"{c['name'].rsplit('/', 1)[1]} {c['frame_ms']:.2f}" for c in out[-3:] if c["frame_ms"])
            progress(f"  deform/{name}: {row} ms ({time.perf_counter() - started:.1f} s)")
    finally:
        if interop is not None:
            interop.release()
        if mesh is not None:
            mesh.release()
    return out


def _open_interop(cupy, mesh):
    from renderer.deform.interop import InteropError, open_interop

    interop, why = open_interop()
    if interop is None:
        return None, why
    try:
        interop.register(mesh.positions.name)
        interop.register(mesh.normals.name)
    except (InteropError, RuntimeError) as exc:  # the GL context is not on the CUDA device (llvmpipe)
        interop.release()
        return None, str(exc)
    return interop, ""


def _time_interop(cupy, interop, name, spec, positions, faces, frames: int, mesh) -> dict:
    """Like `time_deformer`, with the hand-off by interop: the CuPy arrays copied into the GL buffers on the GPU."""
    from renderer.deform.frames import DeformContext
    from renderer.deform.geometry import vertex_normals
    from renderer.deform.pipeline import PartDeformation

    part = PartDeformation(cupy, positions, faces, [spec], DeformContext(name))
    part.evaluate(0.05)
    stream = cupy.cuda.get_current_stream()
    stream.synchronize()
    deform_s, normals_s, handoff_s = [], [], []
    for frame in range(frames):
        t = 0.1 + frame / 90.0
        t0 = time.perf_counter()
        moved = part.positions(t)
        stream.synchronize()
        t1 = time.perf_counter()
        normals = part.rest_normals if part.translation_only else vertex_normals(cupy, moved, part.topology)
        stream.synchronize()
        t2 = time.perf_counter()
        interop.write([(mesh.positions.name, cupy.ascontiguousarray(moved, dtype=cupy.float32)),
                       (mesh.normals.name, cupy.ascontiguousarray(normals, dtype=cupy.float32))])  # fmt: skip
        stream.synchronize()
        t3 = time.perf_counter()
        deform_s.append(t1 - t0)
        normals_s.append(t2 - t1)
        handoff_s.append(t3 - t2)
    row = {k: round(statistics.median(v) * 1e3, 3) for k, v in
           (("deform_ms", deform_s), ("normals_ms", normals_s), ("handoff_ms", handoff_s))}  # fmt: skip
    row["total_ms"] = round(sum(row.values()), 3)
    row["vertices_per_s"] = int(len(positions) / (row["total_ms"] / 1e3)) if row["total_ms"] > 0 else None
    return row


def _sync(xp) -> None:
    if xp.__name__ == "cupy":
        xp.cuda.get_current_stream().synchronize()


def soft_body_cases(cells: int, frames: int, substeps: int = 10, progress=print) -> list[dict]:
    """The XPBD step (renderer/deform/xpbd.py) on a sphere's lattice, NumPy and CuPy, `substeps` per frame."""
    import trimesh

    from renderer.deform import xpbd
    from renderer.deform.backend import try_cupy
    from renderer.deform.lattice import build_lattice

    sphere = trimesh.creation.icosphere(subdivisions=4, radius=0.05)
    lattice = build_lattice(sphere.vertices, sphere.faces, cells)
    material = xpbd.Material.from_knobs(0.5, 0.1)
    kick = np.random.default_rng(7).normal(0.0, 0.05, (len(lattice.nodes), 3)).astype(np.float32)
    cupy, why = try_cupy()
    out = []
    for backend, xp in (("numpy", np), ("cupy", cupy)):
        name = f"soft_body/{backend}"
        if xp is None:
            out.append(_skip(name, f"CuPy: {why}"))
            continue
        body = xpbd.make_body(xp, lattice, material, substeps)
        body.v[:] = xp.asarray(kick)
        xpbd.step(xp, body)  # warm up (kernel compilation on CuPy)
        _sync(xp)
        samples = []
        for _ in range(frames):
            t0 = time.perf_counter()
            xpbd.step(xp, body)
            _sync(xp)
            samples.append(time.perf_counter() - t0)
        ms = round(statistics.median(samples) * 1e3, 3)
        out.append({"name": name, "kind": "soft_body", "backend": backend, "frame_ms": ms, "passes_ms": {"step": ms},
                    "substeps": substeps, "tetrahedra": int(len(lattice.tets)),
                    "particles": int(len(lattice.nodes))})  # fmt: skip
        progress(f"  {name}: {ms:.2f} ms per frame ({len(lattice.tets):,} tetrahedra, {substeps} substeps)")
    return out
