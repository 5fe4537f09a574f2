"""Which module deforms each declared `kind`. Every module offers the same two functions:

    setup(xp, rest_positions, faces, params, context) -> state        once per part, on the rest shape
    deform(xp, positions, params, t, state) -> positions              every frame; pure array code

positions are (N, 3) float32, metres, model space, on the backend `xp`; `t` is seconds.
"""

from __future__ import annotations

from types import ModuleType

from renderer.deform import breathing, exploded, heartbeat, muscle, skinning, soft_tissue

DEFORMERS: dict[str, ModuleType] = {
    "heartbeat": heartbeat,
    "breathing": breathing,
    "muscle_contraction": muscle,
    "skinning": skinning,
    "exploded_view": exploded,
    "soft_tissue": soft_tissue,
}
