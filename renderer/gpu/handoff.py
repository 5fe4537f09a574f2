"""Handing deformed vertices to the GL buffers: straight from CUDA (interop) or uploaded from the CPU.

`UploadHandoff` works everywhere: NumPy arrays go up with glNamedBufferSubData; CuPy arrays are copied
to the host first (`.get()`). `InteropHandoff` writes CuPy arrays into the GL buffers on the GPU; it is
chosen only when the backend is CuPy and registering the buffers succeeds, else the upload is used.
"""

from __future__ import annotations

import logging

from renderer.deform.backend import ArrayBackend
from renderer.deform.geometry import to_numpy
from renderer.gpu.mesh import GpuMesh

log = logging.getLogger(__name__)


class UploadHandoff:
    name = "upload"

    def attach(self, mesh: GpuMesh) -> None:
        pass

    def push(self, mesh: GpuMesh, positions, normals) -> None:
        mesh.update_vertices(to_numpy(positions), to_numpy(normals))

    def release(self) -> None:
        pass


class InteropHandoff:
    name = "cuda-gl interop"

    def __init__(self, interop):
        self.interop = interop

    def attach(self, mesh: GpuMesh) -> None:
        self.interop.register(mesh.positions.name)
        self.interop.register(mesh.normals.name)

    def push(self, mesh: GpuMesh, positions, normals) -> None:
        self.interop.write([(mesh.positions.name, positions), (mesh.normals.name, normals)])

    def release(self) -> None:
        self.interop.release()


def choose_handoff(backend: ArrayBackend, meshes: list[GpuMesh]) -> tuple[UploadHandoff | InteropHandoff, str]:
    """Interop when the backend is CuPy and every buffer registers; else the upload, with the reason."""
    if backend.name != "cupy":
        return UploadHandoff(), "NumPy backend: vertices are uploaded"
    from renderer.deform.interop import InteropError, open_interop

    interop, why = open_interop()
    if interop is None:
        return UploadHandoff(), f"upload fallback: {why}"
    handoff = InteropHandoff(interop)
    try:
        for mesh in meshes:
            handoff.attach(mesh)
    except (InteropError, RuntimeError) as exc:  # e.g. the GL context is Mesa, not the CUDA device
        handoff.release()
        log.info("CUDA-GL interop unavailable, uploading instead: %s", exc)
        return UploadHandoff(), f"upload fallback: {exc}"
    return handoff, "CUDA-GL interop"
