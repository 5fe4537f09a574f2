"""The quality governor: keeps the frame inside the runtime's budget by lowering the costliest
settings first, and raises them again when there is plenty of room. Pure logic.

The ladder goes from full quality down; each rung changes one thing. Why this order: on the GPUs
headsets run on, multisampling of the HDR target and the AO sample count dominate the per-pixel cost
of the renderer's passes at headset resolutions (2 x 2064x2208), so they go first; rendering fewer
pixels (render scale) blurs the image, so it comes after; switching AO off changes the look most.
With the ray-traced tier (issue 5), tracing at half resolution and then falling back to screen-space
AO come first: tracing rays costs far more per pixel than any other pass. Subsurface scattering's
blur taps go down with the AO samples (fewer taps only coarsen the spread of wide kernels); the pass
goes off with the thickness pass, as both change how soft tissue looks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

from renderer.passes.options import RenderOptions


@dataclass(frozen=True)
class Quality:
    """What the governor controls: the render options and the render scale (fraction of the
    runtime's recommended eye size, per axis)."""

    options: RenderOptions
    render_scale: float = 1.0

    def describe(self) -> str:
        o = self.options
        ao = f"AO {o.ao_directions}x{o.ao_steps}" if o.ambient_occlusion else "AO off"
        sss = f"SSS {o.subsurface_samples}" if o.subsurface_scattering else "SSS off"
        return f"MSAA {o.msaa_samples}x, {ao}, {sss}, scale {self.render_scale:.2f}"


def _rungs(best: Quality) -> list[tuple[str, Quality]]:
    """(what changed, quality) from the best quality down, one change per rung."""
    out = [("", best)]

    def step(what: str, **option_changes) -> None:
        prev = out[-1][1]
        scale = option_changes.pop("render_scale", prev.render_scale)
        out.append((what, Quality(replace(prev.options, **option_changes), scale)))

    o = best.options
    if o.ambient_occlusion and o.ao_tier == "raytraced":
        if o.rt_resolution_scale > 0.5:
            step("ray-traced AO and shadows at half resolution", rt_resolution_scale=0.5)
        step("ray-traced AO -> screen-space AO", ao_tier="ssao")
    if o.msaa_samples > 2:
        step(f"MSAA {o.msaa_samples}x -> 2x", msaa_samples=2)
    if o.ambient_occlusion and (o.ao_directions > 4 or o.ao_steps > 4):
        step(f"AO samples {o.ao_directions}x{o.ao_steps} -> 4x4", ao_directions=min(o.ao_directions, 4),
             ao_steps=min(o.ao_steps, 4))  # fmt: skip
    if o.subsurface_scattering and o.subsurface_samples > 11:
        step(f"subsurface scattering taps {o.subsurface_samples} -> 11", subsurface_samples=11)
    if o.msaa_samples > 1:
        step("MSAA -> off", msaa_samples=1)
    if o.thickness_transmission:
        step("light through soft tissue (thickness pass) -> off", thickness_transmission=False)
    if o.subsurface_scattering:
        step("subsurface scattering -> off", subsurface_scattering=False)
    for scale in (0.85, 0.7):
        if best.render_scale > scale:
            step(f"render scale -> {scale:.2f}", render_scale=scale)
    if o.ambient_occlusion:
        step("ambient occlusion -> off", ambient_occlusion=False)
    return out


@dataclass
class QualityGovernor:
    """Feed it each frame's time with `observe(ms)`; it returns a message when it changed the quality.

    budget_ms: the runtime's frame period (e.g. 11.1 ms at 90 Hz); it lowers quality when the average
    of the last `window` frames exceeds `high` x budget, and raises it one rung after `window` frames
    averaging below `low` x budget. After each change it waits `window` frames before judging again.
    """

    best: Quality
    budget_ms: float
    window: int = 30
    high: float = 0.9
    low: float = 0.55
    level: int = 0
    changes: list[str] = field(default_factory=list)
    _recent: deque = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.ladder = _rungs(self.best)

    @property
    def quality(self) -> Quality:
        return self.ladder[self.level][1]

    def observe(self, frame_ms: float) -> str | None:
        if frame_ms != frame_ms:  # NaN: no measurement this frame
            return None
        self._recent.append(frame_ms)
        if len(self._recent) > self.window:
            self._recent.popleft()
        if len(self._recent) < self.window:
            return None
        average = sum(self._recent) / len(self._recent)
        if average > self.high * self.budget_ms and self.level + 1 < len(self.ladder):
            self.level += 1
            message = f"frame {average:.1f} ms > budget {self.budget_ms:.1f} ms: {self.ladder[self.level][0]}"
        elif average < self.low * self.budget_ms and self.level > 0:
            undone = self.ladder[self.level][0]
            self.level -= 1
            message = f"frame {average:.1f} ms, room in {self.budget_ms:.1f} ms: undo {undone}"
        else:
            return None
        self._recent.clear()
        self.changes.append(message)
        return message
