"""CUDA-OpenGL interop: CuPy arrays written straight into GL buffer objects, no trip through the CPU.

CuPy has no GL interop of its own, so this uses NVIDIA's `cuda-bindings` runtime API: register the GL
buffer once (cudaGraphicsGLRegisterBuffer), then per frame map it, get its device pointer, wrap that as
a CuPy array (UnownedMemory + MemoryPointer), copy into it on CuPy's current stream, and unmap. Mapping
and unmapping are the synchronisation points with GL. Only GL buffer *names* (ints) cross into this
module; it makes no GL calls. It works only when the GL context runs on the same NVIDIA GPU as CUDA
(EGL device platform), never on Mesa; `open_interop` says why when it cannot be used, and the caller
then uploads through the CPU instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from renderer.deform.backend import try_cupy


class InteropError(RuntimeError):
    pass


def open_interop() -> tuple[CudaGLInterop | None, str]:
    """(interop, "") when cuda-bindings and CuPy can run here, else (None, why not)."""
    cupy, why = try_cupy()
    if cupy is None:
        return None, why
    try:
        from cuda.bindings import runtime as cudart
    except ImportError as exc:
        return None, f"cuda-bindings not installed ({exc.name}); pip install 'prosector[gpu]'"
    except Exception as exc:  # a broken CUDA install raises assorted errors at import
        return None, f"CUDA Python failed to import: {exc}"
    return CudaGLInterop(cupy, cudart), ""


@dataclass
class CudaGLInterop:
    """Registered GL buffers by GL name. Create through `open_interop`; `release()` before the GL
    context goes (unregistering needs the buffers to still exist)."""

    cupy: object
    cudart: object
    _resources: dict[int, object] = field(default_factory=dict)

    def register(self, gl_buffer: int) -> None:
        """Register a GL buffer (its name) for whole-buffer writes; raises InteropError on failure,
        which is what happens when the GL context is not on the CUDA device."""
        if gl_buffer in self._resources:
            return
        flags = self.cudart.cudaGraphicsRegisterFlags.cudaGraphicsRegisterFlagsWriteDiscard
        err, resource = self.cudart.cudaGraphicsGLRegisterBuffer(int(gl_buffer), flags)
        self._check(err, f"registering GL buffer {gl_buffer}")
        self._resources[gl_buffer] = resource

    def write(self, writes: list[tuple[int, object]]) -> None:
        """Copy each CuPy array into the whole GL buffer with that name (sizes must match exactly)."""
        stream = self.cupy.cuda.get_current_stream().ptr
        mapped = []
        try:
            for gl_buffer, array in writes:
                resource = self._resources[gl_buffer]
                self._check(self.cudart.cudaGraphicsMapResources(1, resource, stream)[0], "mapping a GL buffer")
                mapped.append(resource)
                err, pointer, size = self.cudart.cudaGraphicsResourceGetMappedPointer(resource)
                self._check(err, "getting a mapped GL buffer's pointer")
                if size != array.nbytes:
                    raise InteropError(f"GL buffer {gl_buffer} holds {size} B, the array {array.nbytes} B")
                memory = self.cupy.cuda.UnownedMemory(int(pointer), size, self)
                target = self.cupy.ndarray(array.shape, array.dtype, self.cupy.cuda.MemoryPointer(memory, 0))
                self.cupy.copyto(target, array)
        finally:
            for resource in mapped:  # unmapping orders the copies before GL's next use of the buffers
                self.cudart.cudaGraphicsUnmapResources(1, resource, stream)

    def unregister(self, gl_buffer: int) -> None:
        resource = self._resources.pop(gl_buffer, None)
        if resource is not None:
            self.cudart.cudaGraphicsUnregisterResource(resource)

    def release(self) -> None:
        for gl_buffer in list(self._resources):
            self.unregister(gl_buffer)

    def _check(self, err, doing: str) -> None:
        if err != self.cudart.cudaError_t.cudaSuccess:
            raise InteropError(f"CUDA-GL interop failed {doing}: {getattr(err, 'name', err)}")
