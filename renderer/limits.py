"""How many sections can cut one part at once: the limits the scene checks, the classroom protocol
accepts and the shaders size their arrays by (renderer/gl/shader_interface.py passes them to GLSL).
Pure Python, no GL: the scene model and the protocol read them without a context."""

from __future__ import annotations

MAX_CLIP_PLANES = 6  # gl_ClipDistance slots the mesh shader writes (GL guarantees 8; two stay free)
MAX_CUT_BOXES = 2  # cut-away boxes per part or molecule, tested per fragment
