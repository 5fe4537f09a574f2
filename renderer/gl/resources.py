"""GL objects with explicit release, a registry of live objects, and a deletion queue.

GL names belong to one context and may only be deleted on its thread, so objects are released
explicitly (`release()`, or `with`); one that is garbage-collected while alive is queued, deleted at
the next `collect_garbage()` (frame start) and reported as a leak.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import sys
import threading
import traceback
import weakref
from collections import Counter
from collections.abc import Callable

import numpy as np
from OpenGL import GL
from OpenGL.raw.GL.VERSION import GL_3_3 as raw_query

log = logging.getLogger(__name__)


class ResourceRegistry:
    """Live GL objects of one context: counts by kind, leak reports, the deletion queue."""

    def __init__(self):
        self._live: dict[int, weakref.ref] = {}  # serial -> object (weakly: finalizers report leaks)
        self._serials = itertools.count(1)
        self._pending: list[tuple[str, Callable[[], None]]] = []
        self._lock = threading.Lock()
        self.leaked: Counter[str] = Counter()

    def register(self, obj: GLObject) -> int:
        """Track `obj`; returns its serial. Serials, unlike id(), are never reused after collection."""
        serial = next(self._serials)
        self._live[serial] = weakref.ref(obj)
        return serial

    def unregister(self, serial: int) -> None:
        self._live.pop(serial, None)

    def queue_deletion(self, key: int, kind: str, delete: Callable[[], None]) -> None:
        """Called from a finalizer, on any thread: defer the GL call to the GL thread."""
        with self._lock:
            self._live.pop(key, None)
            self._pending.append((kind, delete))
            self.leaked[kind] += 1

    def collect_garbage(self) -> int:
        with self._lock:
            pending, self._pending = self._pending, []
        for kind, delete in pending:
            log.warning("GL %s was garbage-collected without release(); deleted late", kind)
            delete()
        return len(pending)

    def live_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for ref in list(self._live.values()):
            obj = ref()  # type: ignore[operator]
            if obj is not None:
                counts[obj.kind] += 1
        return counts

    def report_leaks(self) -> Counter[str]:
        counts = self.live_counts()
        for ref in list(self._live.values()):
            obj = ref()  # type: ignore[operator]
            if obj is not None:
                log.warning("leaked GL %s %d created at:\n%s", obj.kind, obj.name, obj.created_at)
        return counts


class GLObject:
    """Base of every GL object wrapper. `name` is the GL name; 0 once released."""

    kind = "object"

    def __init__(self, registry: ResourceRegistry, name: int, delete: Callable[[int], None]):
        self.name = int(name)
        self._registry = registry
        self._delete = delete
        # Frames only (no source lines read, no text made): formatting 2,000 stacks cost seconds when a
        # 500-part scene was uploaded; the text is made only for a leak report (`created_at`).
        self._created_stack = _caller_frames(sys._getframe(2), 4)
        self._serial = registry.register(self)
        self._finalizer = weakref.finalize(
            self, registry.queue_deletion, self._serial, self.kind, lambda n=self.name: delete(n)
        )

    @property
    def created_at(self) -> str:
        """Where this object was created, innermost call last, for leak reports."""
        return "".join(traceback.StackSummary.from_list(list(reversed(self._created_stack))).format())

    def release(self) -> None:
        if self.name:
            self._finalizer.detach()
            self._registry.unregister(self._serial)
            self._delete(self.name)
            self.name = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _create(fn, *leading) -> int:
    """One name from a glCreate* call (PyOpenGL wants the output array passed in)."""
    out = np.zeros(1, dtype=np.uint32)
    fn(*leading, 1, out)
    return int(out[0])


def _deleter(fn) -> Callable[[int], None]:
    return lambda name: fn(1, [name])


class Buffer(GLObject):
    """A GL buffer object created with immutable-size storage updated by sub-ranges."""

    kind = "buffer"

    def __init__(
        self, registry: ResourceRegistry, data: np.ndarray | None = None, size: int | None = None, dynamic: bool = False
    ):
        name = _create(GL.glCreateBuffers)
        super().__init__(registry, name, _deleter(GL.glDeleteBuffers))
        self.size = int(data.nbytes if data is not None else size or 0)
        usage = GL.GL_DYNAMIC_DRAW if dynamic else GL.GL_STATIC_DRAW
        GL.glNamedBufferData(self.name, self.size, data if data is not None else None, usage)

    def write(self, data: np.ndarray, offset_bytes: int = 0) -> None:
        """Upload `data` into [offset, offset + nbytes): the dirty range only."""
        if offset_bytes + data.nbytes > self.size:
            raise ValueError(f"write of {data.nbytes} B at {offset_bytes} exceeds buffer of {self.size} B")
        GL.glNamedBufferSubData(self.name, offset_bytes, data.nbytes, np.ascontiguousarray(data))


class VertexArray(GLObject):
    kind = "vertex array"

    def __init__(self, registry: ResourceRegistry):
        super().__init__(registry, _create(GL.glCreateVertexArrays), _deleter(GL.glDeleteVertexArrays))

    def attribute(
        self, location: int, buffer: Buffer, components: int, stride: int, offset: int = 0, binding: int | None = None
    ) -> None:
        """Float attribute `location` read from `buffer` (one binding point per attribute)."""
        binding = location if binding is None else binding
        GL.glVertexArrayVertexBuffer(self.name, binding, buffer.name, offset, stride)
        GL.glEnableVertexArrayAttrib(self.name, location)
        GL.glVertexArrayAttribFormat(self.name, location, components, GL.GL_FLOAT, GL.GL_FALSE, 0)
        GL.glVertexArrayAttribBinding(self.name, location, binding)

    def indices(self, buffer: Buffer) -> None:
        GL.glVertexArrayElementBuffer(self.name, buffer.name)


class Texture(GLObject):
    """An immutable-storage 2D texture, single- or multi-sampled."""

    kind = "texture"

    def __init__(
        self,
        registry: ResourceRegistry,
        width: int,
        height: int,
        internal_format: int,
        samples: int = 1,
        linear: bool = False,
    ):
        target = GL.GL_TEXTURE_2D_MULTISAMPLE if samples > 1 else GL.GL_TEXTURE_2D
        super().__init__(registry, _create(GL.glCreateTextures, target), _deleter(GL.glDeleteTextures))
        self.width, self.height, self.samples, self.internal_format = width, height, samples, internal_format
        if samples > 1:
            GL.glTextureStorage2DMultisample(self.name, samples, internal_format, width, height, GL.GL_TRUE)
        else:
            GL.glTextureStorage2D(self.name, 1, internal_format, width, height)
            filt = GL.GL_LINEAR if linear else GL.GL_NEAREST
            GL.glTextureParameteri(self.name, GL.GL_TEXTURE_MIN_FILTER, filt)
            GL.glTextureParameteri(self.name, GL.GL_TEXTURE_MAG_FILTER, filt)
            GL.glTextureParameteri(self.name, GL.GL_TEXTURE_WRAP_S, GL.GL_CLAMP_TO_EDGE)
            GL.glTextureParameteri(self.name, GL.GL_TEXTURE_WRAP_T, GL.GL_CLAMP_TO_EDGE)

    def bind(self, unit: int) -> None:
        GL.glBindTextureUnit(unit, self.name)

    def upload(self, pixels: np.ndarray, fmt: int, dtype: int) -> None:
        """Replace the whole level 0 with `pixels`, (height, width, channels), rows bottom-up."""
        GL.glTextureSubImage2D(self.name, 0, 0, 0, self.width, self.height, fmt, dtype, np.ascontiguousarray(pixels))


class TextureArray(GLObject):
    """An immutable-storage 2D array texture (`layers` pages of width x height), one level, bilinear,
    clamped at the edges. Used for alpha-mask atlases (R8)."""

    kind = "texture"

    def __init__(self, registry: ResourceRegistry, width: int, height: int, layers: int, internal_format: int):
        super().__init__(registry, _create(GL.glCreateTextures, GL.GL_TEXTURE_2D_ARRAY), _deleter(GL.glDeleteTextures))
        self.width, self.height, self.layers, self.internal_format = width, height, layers, internal_format
        GL.glTextureStorage3D(self.name, 1, internal_format, width, height, layers)
        for parameter, value in ((GL.GL_TEXTURE_MIN_FILTER, GL.GL_LINEAR), (GL.GL_TEXTURE_MAG_FILTER, GL.GL_LINEAR),
                                 (GL.GL_TEXTURE_WRAP_S, GL.GL_CLAMP_TO_EDGE),
                                 (GL.GL_TEXTURE_WRAP_T, GL.GL_CLAMP_TO_EDGE)):  # fmt: skip
            GL.glTextureParameteri(self.name, parameter, value)

    def bind(self, unit: int) -> None:
        GL.glBindTextureUnit(unit, self.name)

    def upload_r8(self, layer: int, x: int, y: int, pixels: np.ndarray) -> None:
        """Write (h, w) uint8 `pixels` (rows bottom-up) at texel (x, y) of `layer`."""
        pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)  # rows of odd widths are not padded to 4 bytes
        GL.glTextureSubImage3D(self.name, 0, x, y, layer, pixels.shape[1], pixels.shape[0], 1, GL.GL_RED,
                               GL.GL_UNSIGNED_BYTE, pixels)  # fmt: skip
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 4)


class Framebuffer(GLObject):
    """A framebuffer object; attachments are textures owned by the caller (or `owned`)."""

    kind = "framebuffer"

    def __init__(
        self, registry: ResourceRegistry, colors: list[Texture], depth: Texture | None = None, owned: bool = False
    ):
        super().__init__(registry, _create(GL.glCreateFramebuffers), _deleter(GL.glDeleteFramebuffers))
        self.colors, self.depth, self._owned = colors, depth, owned
        for i, tex in enumerate(colors):
            GL.glNamedFramebufferTexture(self.name, GL.GL_COLOR_ATTACHMENT0 + i, tex.name, 0)
        if depth is not None:
            GL.glNamedFramebufferTexture(self.name, GL.GL_DEPTH_ATTACHMENT, depth.name, 0)
        attachments = np.array([GL.GL_COLOR_ATTACHMENT0 + i for i in range(len(colors))], dtype=np.uint32)
        GL.glNamedFramebufferDrawBuffers(self.name, len(colors), attachments)
        status = GL.glCheckNamedFramebufferStatus(self.name, GL.GL_FRAMEBUFFER)
        if status != GL.GL_FRAMEBUFFER_COMPLETE:
            raise RuntimeError(f"framebuffer incomplete: 0x{status:x}")

    @property
    def size(self) -> tuple[int, int]:
        tex = self.colors[0] if self.colors else self.depth
        return tex.width, tex.height

    def release(self) -> None:
        super().release()
        if self._owned:
            for tex in [*self.colors, self.depth]:
                if tex is not None:
                    tex.release()


class Query(GLObject):
    """A GL_TIME_ELAPSED query: GPU time of the commands between begin() and end()."""

    kind = "query"

    def __init__(self, registry: ResourceRegistry):
        super().__init__(registry, _create(GL.glCreateQueries, GL.GL_TIME_ELAPSED), _deleter(GL.glDeleteQueries))

    def begin(self) -> None:
        GL.glBeginQuery(GL.GL_TIME_ELAPSED, self.name)

    def end(self) -> None:
        GL.glEndQuery(GL.GL_TIME_ELAPSED)

    def elapsed_ms(self) -> float:
        """Blocks until the result is available."""
        out = ctypes.c_uint64(0)  # PyOpenGL's wrapper has no converter for this output type
        raw_query.glGetQueryObjectui64v(self.name, GL.GL_QUERY_RESULT, ctypes.byref(out))
        return out.value / 1e6


def _caller_frames(frame, limit: int) -> list[tuple[str, int, str, None]]:
    """(file, line, function, None) of `frame` and its callers, innermost first."""
    out = []
    while frame is not None and len(out) < limit:
        out.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, None))
        frame = frame.f_back
    return out
