"""The floor under any Python renderer's start-up on this machine: the least a Python process can do
to put a mesh in a PNG, so that bench_startup.py can say how far Prosector is from it.

    python benchmarks/startup_floor.py ARRAYS.npz EYE TARGET FOV WIDTHxHEIGHT OUT.png

ARRAYS.npz holds `positions` (V, 3) float32 metres, `normals` (V, 3) float32 and `indices` (T, 3)
uint32, written once by the parent (`write_arrays`), the counterpart of a renderer's warm mesh
cache. The child imports NumPy and PyOpenGL, makes an EGL surfaceless OpenGL 3.3 context, uploads
the arrays, draws them once with a one-light Lambert shader (single sample, depth test, no AO, no
tone mapping), reads the pixels back and writes the PNG with zlib. Nothing here is shared with the
renderer package: it is a baseline, not a product path.
"""

from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")

import numpy as np  # noqa: E402

VERTEX = """#version 330 core
layout(location = 0) in vec3 position;
layout(location = 1) in vec3 normal;
uniform mat4 view_projection;
out vec3 v_normal;
void main() { v_normal = normal; gl_Position = view_projection * vec4(position, 1.0); }
"""
FRAGMENT = """#version 330 core
in vec3 v_normal;
uniform vec3 light;
out vec4 colour;
void main() { colour = vec4(vec3(0.9, 0.8, 0.6) * (0.25 + 0.75 * max(dot(normalize(v_normal), light), 0.0)), 1.0); }
"""


def write_arrays(meshes: list, path: Path) -> None:
    """`meshes`: trimesh.Trimesh objects already in metres; concatenated into `path` (.npz)."""
    offsets = np.cumsum([0] + [len(m.vertices) for m in meshes[:-1]])
    np.savez(path, positions=np.concatenate([m.vertices for m in meshes]).astype(np.float32),
             normals=np.concatenate([m.vertex_normals for m in meshes]).astype(np.float32),
             indices=np.concatenate([m.faces + o for m, o in zip(meshes, offsets)]).astype(np.uint32))  # fmt: skip


def _context():
    import ctypes

    from OpenGL import EGL

    display = EGL.eglGetPlatformDisplayEXT(0x31DD, None, None)  # EGL_PLATFORM_SURFACELESS_MESA
    major, minor = EGL.EGLint(), EGL.EGLint()
    assert EGL.eglInitialize(display, ctypes.pointer(major), ctypes.pointer(minor))
    EGL.eglBindAPI(EGL.EGL_OPENGL_API)
    config, count = EGL.EGLConfig(), EGL.EGLint()
    attributes = (EGL.EGLint * 3)(EGL.EGL_RENDERABLE_TYPE, EGL.EGL_OPENGL_BIT, EGL.EGL_NONE)
    assert EGL.eglChooseConfig(display, attributes, ctypes.pointer(config), 1, ctypes.pointer(count))
    version = (EGL.EGLint * 7)(EGL.EGL_CONTEXT_MAJOR_VERSION, 3, EGL.EGL_CONTEXT_MINOR_VERSION, 3,
                               EGL.EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL.EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                               EGL.EGL_NONE)  # fmt: skip
    context = EGL.eglCreateContext(display, config, EGL.EGL_NO_CONTEXT, version)
    assert EGL.eglMakeCurrent(display, EGL.EGL_NO_SURFACE, EGL.EGL_NO_SURFACE, context)


def _view_projection(eye, target, fov_deg: float, aspect: float, near: float, far: float) -> np.ndarray:
    forward = np.asarray(target, float) - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    view = np.eye(4)
    view[0, :3], view[1, :3], view[2, :3] = right, up, -forward
    view[:3, 3] = -view[:3, :3] @ eye
    f = 1.0 / np.tan(np.radians(fov_deg) / 2)
    projection = np.array([[f / aspect, 0, 0, 0], [0, f, 0, 0],
                           [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)], [0, 0, -1, 0]])  # fmt: skip
    return projection @ view, forward


def _png(path: Path, rgb: np.ndarray) -> None:
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6))
                     + chunk(b"IEND", b""))  # fmt: skip


def main(argv: list[str]) -> int:
    arrays_path, eye, target, fov, size, out = argv
    eye, target = np.array(_triplet(eye)), np.array(_triplet(target))
    width, height = (int(v) for v in size.split("x"))
    arrays = np.load(arrays_path)
    positions, normals, indices = arrays["positions"], arrays["normals"], arrays["indices"]
    _context()
    from OpenGL import GL

    def shader(kind, source):
        handle = GL.glCreateShader(kind)
        GL.glShaderSource(handle, source)
        GL.glCompileShader(handle)
        return handle

    program = GL.glCreateProgram()
    for kind, source in ((GL.GL_VERTEX_SHADER, VERTEX), (GL.GL_FRAGMENT_SHADER, FRAGMENT)):
        GL.glAttachShader(program, shader(kind, source))
    GL.glLinkProgram(program)
    framebuffer = GL.glGenFramebuffers(1)
    GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, framebuffer)
    for attachment, storage in ((GL.GL_COLOR_ATTACHMENT0, GL.GL_RGBA8), (GL.GL_DEPTH_ATTACHMENT, GL.GL_DEPTH_COMPONENT24)):
        buffer = GL.glGenRenderbuffers(1)
        GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, buffer)
        GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, storage, width, height)
        GL.glFramebufferRenderbuffer(GL.GL_FRAMEBUFFER, attachment, GL.GL_RENDERBUFFER, buffer)
    GL.glBindVertexArray(GL.glGenVertexArrays(1))
    for location, data in ((0, positions), (1, normals)):
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, GL.glGenBuffers(1))
        GL.glBufferData(GL.GL_ARRAY_BUFFER, data.nbytes, data, GL.GL_STATIC_DRAW)
        GL.glVertexAttribPointer(location, 3, GL.GL_FLOAT, GL.GL_FALSE, 0, None)
        GL.glEnableVertexAttribArray(location)
    GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, GL.glGenBuffers(1))
    GL.glBufferData(GL.GL_ELEMENT_ARRAY_BUFFER, indices.nbytes, indices, GL.GL_STATIC_DRAW)
    centre = (positions.min(axis=0) + positions.max(axis=0)) / 2
    radius = float(np.linalg.norm(positions.max(axis=0) - positions.min(axis=0))) / 2
    distance = float(np.linalg.norm(centre - eye))
    view_projection, forward = _view_projection(eye, target, float(fov), width / height,
                                                max(distance - radius, 0.01), distance + radius)  # fmt: skip
    GL.glUseProgram(program)
    GL.glUniformMatrix4fv(GL.glGetUniformLocation(program, "view_projection"), 1, GL.GL_TRUE,
                          view_projection.astype(np.float32))  # fmt: skip
    GL.glUniform3f(GL.glGetUniformLocation(program, "light"), *(-forward))
    GL.glViewport(0, 0, width, height)
    GL.glEnable(GL.GL_DEPTH_TEST)
    GL.glClearColor(0.1, 0.1, 0.1, 1.0)
    GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)
    GL.glDrawElements(GL.GL_TRIANGLES, indices.size, GL.GL_UNSIGNED_INT, None)
    pixels = GL.glReadPixels(0, 0, width, height, GL.GL_RGB, GL.GL_UNSIGNED_BYTE)
    image = np.frombuffer(pixels, dtype=np.uint8).reshape(height, width, 3)[::-1]
    _png(Path(out), np.ascontiguousarray(image))
    return 0


def _triplet(text: str) -> list[float]:
    return [float(v) for v in text.split(",")]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
