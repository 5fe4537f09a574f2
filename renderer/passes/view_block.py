"""The per-view uniform buffer: what every pass of one view reads about the view, uploaded once.

Matches shaders/lib/view_block.glsl (std140, row-major): the passes no longer set the same view
uniforms on each of their programs; `bind` fills the block for a view and binds it at
UNIFORM_BLOCKS["ViewBlock"], where every program of that view finds it.
"""

from __future__ import annotations

import numpy as np

from renderer.gl import commands
from renderer.gl.resources import Buffer, ResourceRegistry
from renderer.gl.shader_interface import UNIFORM_BLOCKS
from renderer.view import View

# std140 offsets in floats: three mat4, then vec4 projection params, vec3 eye (a vec4 slot's first
# three floats), vec2 near/far and vec2 viewport size.
_VIEW, _PROJECTION, _INVERSE, _PARAMS, _EYE, _NEAR_FAR, _SIZE, _FLOATS = 0, 16, 32, 48, 52, 56, 58, 60


def pack_view(view: View, width: int, height: int) -> np.ndarray:
    """(60,) float32: the block's bytes for `view` drawn into (width, height)-pixel buffers."""
    data = np.zeros(_FLOATS, dtype=np.float32)
    data[_VIEW:_VIEW + 16] = np.asarray(view.view_matrix, np.float32).ravel()
    data[_PROJECTION:_PROJECTION + 16] = np.asarray(view.projection, np.float32).ravel()
    data[_INVERSE:_INVERSE + 16] = np.linalg.inv(view.view_projection).astype(np.float32).ravel()
    p = view.projection
    data[_PARAMS:_PARAMS + 4] = (p[0, 0], p[1, 1], p[0, 2], p[1, 2])
    data[_EYE:_EYE + 3] = view.eye_m
    data[_NEAR_FAR:_NEAR_FAR + 2] = (view.near_m, view.far_m)
    data[_SIZE:_SIZE + 2] = (width, height)
    return data


class ViewBlock:
    """One per renderer (and per picker): a 240-byte buffer refilled for each view it draws."""

    def __init__(self, registry: ResourceRegistry):
        self.buffer = Buffer(registry, size=_FLOATS * 4, dynamic=True)
        self._contents: bytes | None = None

    def bind(self, view: View, width: int, height: int) -> None:
        """Fill the block for `view` (unless it already holds it) and bind it for the passes."""
        data = pack_view(view, width, height)
        if data.tobytes() != self._contents:
            self.buffer.write(data)
            self._contents = data.tobytes()
        commands.bind_uniform_block(UNIFORM_BLOCKS["ViewBlock"], self.buffer)

    def release(self) -> None:
        self.buffer.release()
