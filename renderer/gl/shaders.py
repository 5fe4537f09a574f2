"""Shader loading: plain `.glsl` files with `#include "file"`, `#define` variants, and compile
errors that name the right file and line.

Every included file gets its own GLSL source-string number through `#line LINE FILE_ID`, so the
driver's `0:12(5): error` (Mesa) or `0(12) : error` (NVIDIA) maps back to `lighting.glsl:12`.
Every program also gets the limits and binding points Python shares with GLSL
(renderer.gl.shader_interface) as defines, after its own. Programs are cached per (stage files,
defines), and linked binaries across runs (`program_cache`, keyed on the full text, so on the shared
defines too).
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from OpenGL import GL
from OpenGL.raw.GL.VERSION import GL_2_0 as raw_gl2

from renderer.errors import ShaderError
from renderer.gl.program_cache import ProgramBinaryCache
from renderer.gl.resources import GLObject, ResourceRegistry
from renderer.gl.shader_interface import glsl_defines

GLSL_VERSION = "#version 450 core"
_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')
_MESA_ERROR = re.compile(r"^(\d+):(\d+)\((\d+)\):\s*(.*)$")
_NVIDIA_ERROR = re.compile(r"^(\d+)\((\d+)\)\s*:\s*(.*)$")
_STAGES = {
    ".vert": GL.GL_VERTEX_SHADER,
    ".frag": GL.GL_FRAGMENT_SHADER,
    ".comp": GL.GL_COMPUTE_SHADER,
    ".geom": GL.GL_GEOMETRY_SHADER,
}


def default_shader_dirs() -> list[Path]:
    """The installed copy (`renderer/shaders`, in wheels) first, then the repository's `shaders/`."""
    package = Path(__file__).resolve().parent.parent
    return [p for p in (package / "shaders", package.parent / "shaders") if p.is_dir()]


@dataclass
class ExpandedSource:
    """GLSL text ready to compile plus the file name of each source-string number."""

    text: str
    files: list[str] = field(default_factory=list)


class ShaderSources:
    """Resolves shader names against search directories and expands includes."""

    def __init__(self, dirs: list[Path] | None = None):
        self.dirs = dirs if dirs is not None else default_shader_dirs()
        if not self.dirs:
            raise ShaderError("no shader directory found (expected renderer/shaders or shaders/)")

    def find(self, name: str) -> Path:
        for directory in self.dirs:
            path = directory / name
            if path.is_file():
                return path
        raise ShaderError(f"shader file {name!r} not found in {', '.join(map(str, self.dirs))}")

    def expand(self, name: str, defines: Mapping[str, object] | None = None) -> ExpandedSource:
        out = ExpandedSource(text="")
        lines = [GLSL_VERSION]
        shared = glsl_defines()
        for key, value in sorted((defines or {}).items()):
            if key in shared:
                raise ShaderError(f"{name}: define {key} is shared with Python (renderer/gl/shader_interface.py); "
                                  "a program may not redefine it")
            lines.append(f"#define {key} {_define_value(value)}")
        lines.extend(f"#define {key} {value}" for key, value in shared.items())
        self._expand_file(name, lines, out.files, stack=[])
        out.text = "\n".join(lines) + "\n"
        return out

    def _expand_file(self, name: str, lines: list[str], files: list[str], stack: list[str]) -> None:
        if name in stack:
            chain = " -> ".join([*stack, name])
            raise ShaderError(f"{stack[-1]}: #include cycle: {chain}")
        path = self.find(name)
        file_id = len(files)
        files.append(name)
        lines.append(f"#line 1 {file_id}")
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = _INCLUDE.match(line)
            if match:
                self._expand_file(match.group(1), lines, files, [*stack, name])
                lines.append(f"#line {number + 1} {file_id}")
            elif line.strip().startswith("#version"):
                lines.append("")  # the loader writes the version line; keep numbering
            else:
                lines.append(line)


def _define_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def map_compile_log(log: str, files: list[str]) -> str:
    """Rewrite driver messages so each names `file.glsl:LINE` instead of a source-string number."""
    out = []
    for raw in log.splitlines():
        line = raw.strip()
        if not line:
            continue
        mesa, nvidia = _MESA_ERROR.match(line), _NVIDIA_ERROR.match(line)
        if mesa:
            source, number, message = int(mesa.group(1)), mesa.group(2), mesa.group(4)
        elif nvidia:
            source, number, message = int(nvidia.group(1)), nvidia.group(2), nvidia.group(3)
        else:
            out.append(line)
            continue
        name = files[source] if 0 <= source < len(files) else f"<source {source}>"
        out.append(f"{name}:{number}: {message}")
    return "\n".join(out)


class Program(GLObject):
    """A linked GL program with its active uniforms; set them with `program["u_name"] = value`."""

    kind = "program"

    def __init__(self, registry: ResourceRegistry, stages: list[tuple[int, ExpandedSource]], label: str,
                 binary_cache: ProgramBinaryCache | None = None):  # fmt: skip
        key = binary_cache.key([(stage, source.text) for stage, source in stages]) if binary_cache else None
        if binary_cache is not None and key is not None:
            program = GL.glCreateProgram()
            if binary_cache.load(program, key):
                super().__init__(registry, program, GL.glDeleteProgram)
                self.label, self.from_cache = label, True
                self.uniforms = _active_uniforms(self.name)
                self._last_values: dict[int, tuple] = {}
                return
            GL.glDeleteProgram(program)  # a refused binary may leave it unusable: start afresh
        shaders: list[int] = []
        try:  # compile every stage before creating the program, so a failure leaves nothing behind
            for stage, source in stages:
                shaders.append(_compile(stage, source))
        except ShaderError:
            for shader in shaders:
                GL.glDeleteShader(shader)
            raise
        super().__init__(registry, GL.glCreateProgram(), GL.glDeleteProgram)
        self.label, self.from_cache = label, False
        for shader in shaders:
            GL.glAttachShader(self.name, shader)
        if binary_cache is not None:
            binary_cache.prepare(self.name)
        GL.glLinkProgram(self.name)
        for shader in shaders:
            GL.glDetachShader(self.name, shader)
            GL.glDeleteShader(shader)
        if not GL.glGetProgramiv(self.name, GL.GL_LINK_STATUS):
            log = GL.glGetProgramInfoLog(self.name)
            log = log.decode(errors="replace") if isinstance(log, bytes) else str(log)
            self.release()
            raise ShaderError(f"linking {label} failed:\n{log}")
        self.uniforms = _active_uniforms(self.name)
        self._last_values = {}
        if binary_cache is not None and key is not None:
            binary_cache.store(self.name, key)

    def use(self) -> None:
        GL.glUseProgram(self.name)

    def __setitem__(self, uniform: str, value) -> None:
        entry = self.uniforms.get(uniform)
        if entry is None:
            return  # optimised away by the compiler in this variant: nothing to set
        location, gl_type = entry
        if gl_type in SAMPLER_TYPES or gl_type == GL.GL_IMAGE_2D:
            raise ShaderError(f"{self.label}: {uniform} is bound at its unit in renderer/gl/shader_interface.py "
                              "(layout(binding = ...)); bind the texture there instead of setting the sampler")
        # Uniforms live in the program: a value already set is not sent again. Hundreds of parts share
        # a few materials, and each PyOpenGL call costs tens of microseconds of argument conversion.
        array = np.asarray(value)
        key = (array.dtype.char, array.shape, array.tobytes())
        last = self._last_values.get(location)
        if last == key:
            return
        _set_uniform(self.name, location, gl_type, value)
        self._last_values[location] = key


def _compile(stage: int, source: ExpandedSource) -> int:
    shader = GL.glCreateShader(stage)
    GL.glShaderSource(shader, source.text)
    GL.glCompileShader(shader)
    if not GL.glGetShaderiv(shader, GL.GL_COMPILE_STATUS):
        log = GL.glGetShaderInfoLog(shader)
        log = log.decode(errors="replace") if isinstance(log, bytes) else str(log)
        GL.glDeleteShader(shader)
        raise ShaderError("shader compilation failed:\n" + map_compile_log(log, source.files))
    return shader


def _active_uniforms(program: int) -> dict[str, tuple[int, int]]:
    """name -> (location, GL type). Raw calls with one reused buffer: PyOpenGL's wrapper queries the
    name length on every call, which made this a tenth of a second per run on llvmpipe."""
    result = {}
    longest = max(int(GL.glGetProgramiv(program, GL.GL_ACTIVE_UNIFORM_MAX_LENGTH)), 1)
    name_buffer = ctypes.create_string_buffer(longest + 1)
    length, size, gl_type = GL.GLsizei(0), GL.GLint(0), GL.GLenum(0)
    for index in range(GL.glGetProgramiv(program, GL.GL_ACTIVE_UNIFORMS)):
        raw_gl2.glGetActiveUniform(program, index, len(name_buffer), ctypes.byref(length), ctypes.byref(size),
                                   ctypes.byref(gl_type), name_buffer)  # fmt: skip
        name = name_buffer.raw[: length.value]
        location = raw_gl2.glGetUniformLocation(program, name)
        if location >= 0:
            result[name.decode().removesuffix("[0]")] = (location, int(gl_type.value))
    return result


_FLOAT_SETTERS = {
    GL.GL_FLOAT: GL.glProgramUniform1fv,
    GL.GL_FLOAT_VEC2: GL.glProgramUniform2fv,
    GL.GL_FLOAT_VEC3: GL.glProgramUniform3fv,
    GL.GL_FLOAT_VEC4: GL.glProgramUniform4fv,
}
_INT_SETTERS = {
    GL.GL_INT: GL.glProgramUniform1iv,
    GL.GL_INT_VEC2: GL.glProgramUniform2iv,
    GL.GL_INT_VEC3: GL.glProgramUniform3iv,
    GL.GL_INT_VEC4: GL.glProgramUniform4iv,
    GL.GL_BOOL: GL.glProgramUniform1iv,
    GL.GL_UNSIGNED_INT: GL.glProgramUniform1uiv,
}
SAMPLER_TYPES = {
    GL.GL_SAMPLER_2D,
    GL.GL_SAMPLER_2D_MULTISAMPLE,
    GL.GL_SAMPLER_3D,
    GL.GL_SAMPLER_CUBE,
    GL.GL_SAMPLER_2D_ARRAY,
    GL.GL_UNSIGNED_INT_SAMPLER_2D,
}
_COMPONENTS = {
    GL.GL_FLOAT: 1,
    GL.GL_FLOAT_VEC2: 2,
    GL.GL_FLOAT_VEC3: 3,
    GL.GL_FLOAT_VEC4: 4,
    GL.GL_INT: 1,
    GL.GL_INT_VEC2: 2,
    GL.GL_INT_VEC3: 3,
    GL.GL_INT_VEC4: 4,
    GL.GL_BOOL: 1,
    GL.GL_UNSIGNED_INT: 1,
}


def _set_uniform(program: int, location: int, gl_type: int, value) -> None:
    if gl_type == GL.GL_FLOAT_MAT4:
        # Matrices are row-major numpy arrays (maths convention); GL reads them transposed.
        data = np.ascontiguousarray(value, dtype=np.float32).reshape(-1, 4, 4)
        GL.glProgramUniformMatrix4fv(program, location, len(data), GL.GL_TRUE, data)
    elif gl_type == GL.GL_FLOAT_MAT3:
        data = np.ascontiguousarray(value, dtype=np.float32).reshape(-1, 3, 3)
        GL.glProgramUniformMatrix3fv(program, location, len(data), GL.GL_TRUE, data)
    elif gl_type in _FLOAT_SETTERS:
        data = np.ascontiguousarray(value, dtype=np.float32).ravel()
        _FLOAT_SETTERS[gl_type](program, location, max(1, data.size // _COMPONENTS[gl_type]), data)
    elif gl_type in _INT_SETTERS:
        dtype = np.uint32 if gl_type == GL.GL_UNSIGNED_INT else np.int32
        data = np.ascontiguousarray(value, dtype=dtype).ravel()
        _INT_SETTERS[gl_type](program, location, max(1, data.size // _COMPONENTS[gl_type]), data)
    else:
        raise ShaderError(f"uniform type 0x{gl_type:x} not supported by the setter")


class ShaderLibrary:
    """Compiles and caches programs by (stage files, defines) for one GL context."""

    def __init__(self, registry: ResourceRegistry, sources: ShaderSources | None = None,
                 binary_cache: ProgramBinaryCache | None = None):  # fmt: skip
        """`binary_cache`: linked programs kept across runs; default: one for the current context."""
        self.registry = registry
        self.sources = sources or ShaderSources()
        self.binary_cache = binary_cache if binary_cache is not None else ProgramBinaryCache()
        self._cache: dict[tuple, Program] = {}

    def program(self, *files: str, defines: Mapping[str, object] | None = None) -> Program:
        """Program from stage files named by extension (`mesh.vert`, `pbr.frag`, `ssao.comp`)."""
        key = (files, tuple(sorted((defines or {}).items())))
        program = self._cache.get(key)
        if program is None:
            stages = []
            for name in files:
                stage = _STAGES.get(Path(name).suffix)
                if stage is None:
                    raise ShaderError(f"{name}: unknown shader stage (use .vert, .frag, .geom or .comp)")
                stages.append((stage, self.sources.expand(name, defines)))
            program = Program(self.registry, stages, label="+".join(files), binary_cache=self.binary_cache)
            self._cache[key] = program
        return program

    def release(self) -> None:
        for program in self._cache.values():
            program.release()
        self._cache.clear()
