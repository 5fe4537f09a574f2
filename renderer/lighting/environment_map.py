"""A procedural studio environment for image-based lighting, pre-filtered with GGX on the CPU.

Equirectangular maps, world directions (Y up): u = atan2(x, -z) / 2pi + 0.5, v = acos(y) / pi
(row 0 = straight up). The studio is the scene's sky/ground hemisphere plus two soft boxes (a large
one above and in front, a strip behind for rim light) and a brighter horizon band, so glossy and
wet surfaces show shaped highlights instead of a featureless gradient.

`prefiltered_levels` returns one map per roughness (level k: roughness k / (levels - 1)), each the
radiance convolved with the GGX lobe around the reflection direction (the split-sum's first term,
with n = v = r); `irradiance_map` is the cosine convolution divided by pi (diffuse radiance).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

BASE_WIDTH, BASE_HEIGHT = 128, 64
LEVELS = 6


def texel_directions(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """(H, W, 3) unit directions at texel centres and (H, W) solid angles (steradians)."""
    u = (np.arange(width) + 0.5) / width
    v = (np.arange(height) + 0.5) / height
    phi = (u - 0.5) * 2 * np.pi
    theta = v * np.pi
    sin_t = np.sin(theta)[:, None]
    dirs = np.stack([sin_t * np.sin(phi)[None, :], np.cos(theta)[:, None] * np.ones((1, width)),
                     -sin_t * np.cos(phi)[None, :]], axis=-1)  # fmt: skip
    solid = (2 * np.pi / width) * (np.pi / height) * np.broadcast_to(sin_t, (height, width))
    return dirs, solid


def _soft_box(dirs: np.ndarray, centre, size_rad: float, softness: float) -> np.ndarray:
    centre = np.asarray(centre, dtype=np.float64)
    centre /= np.linalg.norm(centre)
    angle = np.arccos(np.clip(dirs @ centre, -1.0, 1.0))
    return 1.0 - np.clip((angle - size_rad) / softness, 0.0, 1.0)


def studio_radiance(sky, ground, width: int = BASE_WIDTH, height: int = BASE_HEIGHT) -> np.ndarray:
    """(H, W, 3) float32 linear radiance of the studio for sky/ground colours (linear RGB)."""
    dirs, _ = texel_directions(width, height)
    y = dirs[..., 1:2]
    sky, ground = np.asarray(sky, dtype=np.float64), np.asarray(ground, dtype=np.float64)
    blend = np.clip((y + 0.05) / 0.35, 0.0, 1.0)
    radiance = ground * (1 - blend) + sky * blend
    horizon = np.exp(-((y - 0.04) / 0.08) ** 2)
    radiance = radiance * (0.85 + 0.35 * horizon)
    grey = float(np.mean(sky))
    radiance += 3.0 * grey * _soft_box(dirs, (0.3, 0.85, 0.45), 0.32, 0.12)[..., None]  # overhead front
    radiance += 1.6 * grey * _soft_box(dirs, (-0.7, 0.35, -0.6), 0.18, 0.08)[..., None]  # rim strip, behind
    return radiance.astype(np.float32)


def _convolve(source: np.ndarray, width: int, height: int, weight_fn) -> np.ndarray:
    src_dirs, src_solid = texel_directions(source.shape[1], source.shape[0])
    src_dirs = src_dirs.reshape(-1, 3).astype(np.float32)
    src = (source.reshape(-1, 3) * src_solid.reshape(-1, 1)).astype(np.float32)
    solid = src_solid.reshape(-1).astype(np.float32)
    out_dirs, _ = texel_directions(width, height)
    out_dirs = out_dirs.reshape(-1, 3).astype(np.float32)
    out = np.empty((len(out_dirs), 3))
    for start in range(0, len(out_dirs), 256):
        cos = out_dirs[start:start + 256] @ src_dirs.T  # (chunk, S)
        weights = weight_fn(cos)
        out[start:start + 256] = (weights @ src) / np.maximum(weights @ solid, 1e-12)[:, None]
    return out.reshape(height, width, 3).astype(np.float32)


def _ggx_weights(roughness: float):
    alpha2 = max(roughness, 0.02) ** 4  # alpha = roughness^2

    def weights(cos_rl: np.ndarray) -> np.ndarray:
        n_dot_l = np.clip(cos_rl, 0.0, 1.0)
        n_dot_h = np.sqrt(np.clip((1.0 + cos_rl) / 2.0, 0.0, 1.0))  # h halfway between r (= n = v) and l
        d = n_dot_h * n_dot_h * (alpha2 - 1.0) + 1.0
        return alpha2 / (np.pi * d * d) * n_dot_l

    return weights


@lru_cache(maxsize=4)
def prefiltered_levels(sky: tuple, ground: tuple, levels: int = LEVELS) -> tuple[np.ndarray, ...]:
    """Maps for roughness 0, 1/(levels-1), ..., 1, each (H, W, 3) float32; sizes halve per level."""
    radiance = studio_radiance(sky, ground)
    coarse = studio_radiance(sky, ground, BASE_WIDTH // 2, BASE_HEIGHT // 2)  # wide lobes need less detail
    maps = [radiance]
    for level in range(1, levels):
        width, height = BASE_WIDTH >> level, BASE_HEIGHT >> level  # the mip chain of the base map
        maps.append(_convolve(coarse, width, height, _ggx_weights(level / (levels - 1))))
    return tuple(maps)


@lru_cache(maxsize=4)
def irradiance_map(sky: tuple, ground: tuple, width: int = 32, height: int = 16) -> np.ndarray:
    """(H, W, 3) cosine-weighted mean radiance around each normal (irradiance / pi)."""
    source = studio_radiance(sky, ground, BASE_WIDTH // 4, BASE_HEIGHT // 4)
    return _convolve(source, width, height, lambda cos: np.clip(cos, 0.0, 1.0))


def environment_maps(sky: tuple, ground: tuple) -> tuple[list[np.ndarray], np.ndarray]:
    """`prefiltered_levels` and `irradiance_map` for one sky/ground pair, kept in the cache folder
    (renderer/cache_dir.py) across runs: the GGX convolution costs about a second of CPU. The key
    holds the colours and this module's source, so editing the studio recomputes it."""
    from renderer.cache_dir import cached_arrays

    def compute() -> dict[str, np.ndarray]:
        arrays = {f"level{k}": level for k, level in enumerate(prefiltered_levels(sky, ground))}
        arrays["irradiance"] = irradiance_map(sky, ground)
        return arrays

    key = f"{sky!r}|{ground!r}|{LEVELS}|{BASE_WIDTH}x{BASE_HEIGHT}|{_source_digest()}"
    arrays = cached_arrays("environment", key, compute)
    levels = [arrays.get(f"level{k}") for k in range(LEVELS)]
    shapes = [(BASE_HEIGHT >> k, BASE_WIDTH >> k, 3) for k in range(LEVELS)]
    if any(level is None or level.dtype != np.float32 or level.shape != shape
           for level, shape in zip(levels, shapes, strict=True)) or "irradiance" not in arrays:  # fmt: skip
        arrays = compute()  # an entry from another layout: use fresh maps
        levels = [arrays[f"level{k}"] for k in range(LEVELS)]
    return levels, arrays["irradiance"]


@lru_cache(maxsize=1)
def _source_digest() -> str:
    import hashlib
    from pathlib import Path

    return hashlib.blake2b(Path(__file__).read_bytes(), digest_size=12).hexdigest()
