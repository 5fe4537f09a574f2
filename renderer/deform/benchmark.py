"""`prosector bench deform`: vertices per second of every deformer, with normals and the hand-off to GL,
on NumPy and (where it runs) CuPy; and the soft-tissue step beside NVIDIA Warp running the same
algorithm on the same lattice. Figures are medians over frames, measured in this one run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import statistics
import sys
import time
from types import ModuleType

import numpy as np

from renderer.deform import xpbd
from renderer.deform.backend import try_cupy
from renderer.deform.frames import DeformContext
from renderer.deform.geometry import incidence_matrix, to_numpy, vertex_normals
from renderer.deform.lattice import build_lattice
from renderer.deform.pipeline import PartDeformation
from renderer.scene import deformers as P

CPU_GOAL_MS = 10.0  # issue 7: 100k vertices of any deformer per frame on the CPU machine


def tube(vertex_count: int) -> tuple[np.ndarray, np.ndarray]:
    """A closed torus-like tube along X, 26 cm long, with about `vertex_count` vertices:
    positions (N, 3) float32 metres, faces (2N, 3) int32, outward."""
    around = max(8, int(round(np.sqrt(vertex_count / 4.0))))
    along = max(8, vertex_count // around)
    u = np.linspace(0, 2 * np.pi, along, endpoint=False)
    v = np.linspace(0, 2 * np.pi, around, endpoint=False)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    major, minor = 0.1, 0.03
    x = (major + minor * np.cos(vv)) * np.cos(uu) * 1.3
    y = (major + minor * np.cos(vv)) * np.sin(uu) * 0.5
    z = minor * np.sin(vv)
    positions = np.stack([x, y, z], axis=-1).reshape(-1, 3).astype(np.float32)
    i, j = np.meshgrid(np.arange(along), np.arange(around), indexing="ij")
    a = i * around + j
    b = ((i + 1) % along) * around + j
    c = ((i + 1) % along) * around + (j + 1) % around
    d = i * around + (j + 1) % around
    faces = np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)])
    return positions, faces.astype(np.int32)


def cases() -> dict[str, object]:
    """One declaration per deformer, placed for the `tube` mesh (scene space = model space)."""
    bones = [P.Bone(name=f"b{k}", head_m=(-0.13 + 0.065 * k, 0, 0), tail_m=(-0.065 + 0.065 * k, 0, 0),
                    parent=f"b{k - 1}" if k else None, rotation_deg=(0, 0, 25)) for k in range(4)]  # fmt: skip
    return {
        "heartbeat": P.Heartbeat(kind="heartbeat", base_m=(-0.13, 0, 0), apex_m=(0.13, 0, 0)),
        "breathing": P.Breathing(kind="breathing"),
        "muscle_contraction": P.MuscleContraction(kind="muscle_contraction", origin_m=(-0.13, 0, 0),
                                                  insertion_m=(0.13, 0, 0)),  # fmt: skip
        "skinning_linear": P.Skinning(kind="skinning", method="linear", bones=bones),
        "skinning_dual_quaternion": P.Skinning(kind="skinning", method="dual_quaternion", bones=bones),
        "exploded_view": P.ExplodedView(kind="exploded_view", direction=(0, 1, 0)),
        "soft_tissue": P.SoftTissue(kind="soft_tissue", lattice_cells=12, poke_m=(0.13, 0, 0.03), poke_start_s=0.0),
    }


def _synchronize(xp: ModuleType) -> None:
    if xp.__name__ == "cupy":
        xp.cuda.Device().synchronize()


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1e3, 3)


def time_deformer(xp: ModuleType, name: str, spec, positions, faces, frames: int, gpu_mesh=None) -> dict:
    """Median per-frame milliseconds of deform, normals and hand-off, and vertices per second."""
    part = PartDeformation(xp, positions, faces, [spec], DeformContext(name))
    part.evaluate(0.05)  # warm up (caches, kernel compilation on CuPy)
    _synchronize(xp)
    deform_s, normals_s, upload_s = [], [], []
    for frame in range(frames):
        t = 0.1 + frame / 90.0
        start = time.perf_counter()
        moved = part.positions(t)
        _synchronize(xp)
        mid = time.perf_counter()
        normals = _normals(part, moved)
        _synchronize(xp)
        end = time.perf_counter()
        deform_s.append(mid - start)
        normals_s.append(end - mid)
        if gpu_mesh is not None:
            start = time.perf_counter()
            gpu_mesh.update_vertices(to_numpy(moved), to_numpy(normals))
            upload_s.append(time.perf_counter() - start)
    row = {"deform_ms": _median_ms(deform_s), "normals_ms": _median_ms(normals_s)}
    if upload_s:
        row["handoff_ms"] = _median_ms(upload_s)
    total = sum(v for k, v in row.items() if k.endswith("_ms"))
    if part.topology.vertex_faces is not None and not part.translation_only:
        row["normals_array_code_ms"] = _array_code_normals_ms(part, moved, frames)  # the baseline, same run
    row["total_ms"] = round(total, 3)
    row["vertices_per_s"] = int(len(positions) / (total / 1e3)) if total > 0 else None
    return row


def _array_code_normals_ms(part: PartDeformation, positions, frames: int) -> float:
    """Median ms of the same normals by the plain array code (a sparse product), for the ratio."""
    faces = to_numpy(part.topology.faces)
    incidence = incidence_matrix(np, faces, part.topology.vertex_count)
    topology = dataclasses.replace(part.topology, vertex_faces=None, incidence=incidence)
    vertex_normals(np, positions, topology)
    samples = []
    for _ in range(frames):
        start = time.perf_counter()
        vertex_normals(np, positions, topology)
        samples.append(time.perf_counter() - start)
    return _median_ms(samples)


def _normals(part: PartDeformation, positions):
    """What `PartDeformation.evaluate` does for normals: recomputed, or the rest normals for a shift."""
    if part.translation_only:
        return part.rest_normals
    return vertex_normals(part.xp, positions, part.topology)


def soft_step_comparison(frames: int, cells: int = 24, substeps: int = 10) -> dict:
    """The XPBD step on a sphere's lattice (about 50k tetrahedra at 24 cells) with NumPy and Warp (CPU),
    the same algorithm on the same lattice, and how far their results drift apart."""
    import trimesh

    sphere = trimesh.creation.icosphere(subdivisions=4, radius=0.05)
    lattice = build_lattice(sphere.vertices, sphere.faces, cells)
    material = xpbd.Material.from_knobs(0.5, 0.1)
    rng = np.random.default_rng(7)
    kick = rng.normal(0.0, 0.05, (len(lattice.nodes), 3)).astype(np.float32)
    body = xpbd.make_body(np, lattice, material, substeps)
    body.v[:] = kick
    out = {"tetrahedra": int(len(lattice.tets)), "particles": int(len(lattice.nodes)), "substeps": substeps}
    samples = []
    for _ in range(frames):
        start = time.perf_counter()
        xpbd.step(np, body)
        samples.append(time.perf_counter() - start)
    out["numpy_ms_per_frame"] = _median_ms(samples)
    try:
        with contextlib.redirect_stdout(sys.stderr):  # Warp prints compile messages; keep --json clean
            from renderer.deform.warp_soft_body import WarpSoftBody

            reference = xpbd.make_body(np, lattice, material, substeps)
            reference.v[:] = kick
            warp_body = WarpSoftBody(reference)
            warp_body.step()  # compiles the kernels (cached afterwards)
            warp_body = WarpSoftBody(reference)
    except ImportError:
        out["warp"] = "not installed (pip install warp-lang)"
        return out
    samples = []
    for _ in range(frames):
        start = time.perf_counter()
        warp_body.step()
        samples.append(time.perf_counter() - start)
    out["warp_cpu_ms_per_frame"] = _median_ms(samples)
    out["numpy_over_warp"] = round(out["numpy_ms_per_frame"] / max(out["warp_cpu_ms_per_frame"], 1e-9), 2)
    out["max_position_difference_m"] = float(np.abs(warp_body.positions() - body.x).max())
    return out


def run(vertices: int = 100_000, frames: int = 20, gl: bool = True, warp: bool = True) -> dict:
    positions, faces = tube(vertices)
    backends: list[tuple[str, ModuleType]] = [("numpy", np)]
    cupy, why = try_cupy()
    if cupy is not None:
        backends.append(("cupy", cupy))
    report: dict = {"vertices": int(len(positions)), "triangles": int(len(faces)), "frames": frames,
                    "cpu_goal_ms": CPU_GOAL_MS, "cupy": "available" if cupy is not None else why,
                    "handoff": "upload (glNamedBufferSubData)" if gl else "not measured (--no-gl)",
                    "deformers": {}}  # fmt: skip
    context = gpu_mesh = None
    if gl:
        from renderer.gl.platform import choose_platform

        choose_platform()  # before anything imports OpenGL (GpuMesh does)
        from renderer.gpu.mesh import GpuMesh
        from renderer.headless import create_headless_context
        from renderer.scene.meshes import MeshData

        context = create_headless_context()
        report["gl_renderer"] = context.info.renderer
        mesh = MeshData("bench", positions, np.zeros_like(positions), faces.astype(np.uint32))
        gpu_mesh = GpuMesh(context.resources, mesh)
    try:
        for name, spec in cases().items():
            report["deformers"][name] = {
                backend: time_deformer(xp, name, spec, positions, faces, frames, gpu_mesh) for backend, xp in backends
            }
    finally:
        if gpu_mesh is not None:
            gpu_mesh.release()
        if context is not None:
            context.close()
    if warp:
        report["soft_tissue_step"] = soft_step_comparison(max(3, frames // 4))
    return report


def _array_code_column(row: dict) -> str:
    if "normals_array_code_ms" not in row:
        return ""
    slow = row["normals_array_code_ms"]
    return f"{slow:>12.2f} ({slow / max(row['normals_ms'], 1e-9):.1f}x)"


def format_table(report: dict) -> str:
    lines = [f"{report['vertices']:,} vertices, {report['triangles']:,} triangles; hand-off: {report['handoff']}; "
             f"CuPy: {report['cupy']}",  # fmt: skip
             f"{'deformer':<26}{'backend':<8}{'deform':>9}{'normals':>9}{'hand-off':>10}{'total':>9}{'Mvert/s':>9}"
             f"{'normals, array code':>21}"]
    for name, rows in report["deformers"].items():
        for backend, row in rows.items():
            lines.append(f"{name:<26}{backend:<8}{row['deform_ms']:>8.2f} {row['normals_ms']:>8.2f} "
                         f"{row.get('handoff_ms', float('nan')):>9.2f} {row['total_ms']:>8.2f} "
                         f"{(row['vertices_per_s'] or 0) / 1e6:>8.2f}"
                         + _array_code_column(row))  # fmt: skip
    soft = report.get("soft_tissue_step")
    if soft:
        lines.append(f"soft-tissue step: {soft['tetrahedra']:,} tets, {soft['substeps']} substeps: "
                     f"NumPy {soft['numpy_ms_per_frame']:.1f} ms/frame"
                     + (f", Warp (CPU) {soft['warp_cpu_ms_per_frame']:.1f} ms/frame, NumPy/Warp = "
                        f"{soft['numpy_over_warp']:.2f}, max difference {soft['max_position_difference_m']:.2e} m"
                        if "warp_cpu_ms_per_frame" in soft else f", Warp: {soft.get('warp')}"))  # fmt: skip
    return "\n".join(lines)
