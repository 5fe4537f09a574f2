"""Alpha masks (glTF `alphaMode: MASK`): which texels of a surface exist, by texture coordinates.

A mask comes from a scene material (`alpha_mask: window.png`, `alpha_cutoff: 0.5`) or from a GLB/glTF
material with `alphaMode: MASK` (its base colour texture's alpha times the base colour factor's
alpha, compared with its `alphaCutoff`). Where the sampled alpha is below the cutoff the surface is a
hole: it is not shaded, not drawn into any pass, and rays pass through it.

Sampling, the same on the CPU (`coverage`) and in shaders/lib/alpha_mask.glsl: texture coordinates
repeat (glTF's default wrap), alpha is filtered bilinearly at full resolution (no mip levels, so the
rasteriser and the ray tracer see the same holes), and the filter stays inside the image (the last
half texel before a repeat seam does not blend across it).

Texture coordinates follow trimesh's (and OBJ's) convention: v = 0 is the image's bottom row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from renderer.errors import MaskImageError

MAX_MASK_SIDE = 4096  # texels per side of one mask image
MAX_MASK_FILE_BYTES = 64 * 1024 * 1024  # a 4096 x 4096 RGBA PNG is at most this, uncompressed
MAX_MASK_TEXELS_PER_SCENE = 64 * 1024 * 1024  # all distinct masks of a scene (64 MiB of R8 on the GPU)
MASK_IMAGE_SUFFIXES = {".png", ".webp", ".tga", ".bmp", ".tif", ".tiff", ".jpg", ".jpeg"}
DEFAULT_CUTOFF = 0.5  # glTF's default alphaCutoff


@dataclass(frozen=True, eq=False)
class AlphaMask:
    """alpha: (H, W) uint8, row 0 = the image's top row, 255 = fully present; cutoff in [0, 1]: texels
    whose filtered alpha / 255 is below it are holes. `source` names the image in messages.
    Compared by identity: parts that share a mask share one atlas slot."""

    alpha: np.ndarray
    cutoff: float
    source: str

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in texels."""
        return self.alpha.shape[1], self.alpha.shape[0]

    def with_cutoff(self, cutoff: float) -> AlphaMask:
        return AlphaMask(self.alpha, float(cutoff), self.source)

    def coverage(self, uv: np.ndarray) -> np.ndarray:
        """Filtered alpha in [0, 1] at texture coordinates uv (K, 2) -> (K,) float64."""
        return bilinear_alpha(self.alpha, uv)

    def present(self, uv: np.ndarray) -> np.ndarray:
        """(K,) bool: True where the surface exists (alpha >= cutoff)."""
        return self.coverage(uv) >= self.cutoff


def bilinear_alpha(alpha: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Repeat-wrapped, edge-clamped bilinear sample of alpha (H, W) uint8 at uv (K, 2) -> (K,) in [0, 1]."""
    height, width = alpha.shape
    uv = np.asarray(uv, dtype=np.float64).reshape(-1, 2)
    wrapped = uv - np.floor(uv)
    x = np.clip(wrapped[:, 0] * width - 0.5, 0.0, width - 1.0)
    y = np.clip(wrapped[:, 1] * height - 0.5, 0.0, height - 1.0)  # texel rows counted from the bottom
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    fx, fy = x - x0, y - y0
    rows = alpha[::-1].astype(np.float64) / 255.0  # bottom row first, as uploaded to the GPU
    top = rows[y1, x0] * (1 - fx) + rows[y1, x1] * fx
    bottom = rows[y0, x0] * (1 - fx) + rows[y0, x1] * fx
    return bottom * (1 - fy) + top * fy


def read_mask_image(path: Path) -> np.ndarray:
    """The mask of an image file: its alpha channel when it has one, else its grey level (white =
    present). Returns (H, W) uint8, top row first. Raises MaskImageError naming the file."""
    stat = path.stat()
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _read_cached(path: str, _mtime: int, _size: int) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    suffix = Path(path).suffix.lower()
    if suffix not in MASK_IMAGE_SUFFIXES:
        raise MaskImageError(path, f"unsupported image format '{suffix}'; use one of "
                                   f"{', '.join(sorted(MASK_IMAGE_SUFFIXES))}")  # fmt: skip
    from renderer.scene.safe_read import UnsafeFileError, read_checked

    try:
        data = read_checked(Path(path), MAX_MASK_FILE_BYTES, what="alpha-mask image")
    except UnsafeFileError as exc:
        raise MaskImageError(path, str(exc)) from None
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size  # read from the header: nothing is decoded yet
            if width > MAX_MASK_SIDE or height > MAX_MASK_SIDE:
                raise MaskImageError(path, f"is {width}x{height} pixels; an alpha mask may be at most "
                                           f"{MAX_MASK_SIDE}x{MAX_MASK_SIDE}")  # fmt: skip
            image.load()
            alpha = image_alpha(image)
    except MaskImageError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:  # Pillow's ways of saying "corrupt"
        raise MaskImageError(path, f"cannot be read as an image: {str(exc)[:200]}") from None
    except Exception as exc:  # noqa: BLE001  decoders also raise struct.error, EOFError, IndexError, bombs...
        raise MaskImageError(path, f"cannot be read as an image: {type(exc).__name__}: {str(exc)[:200]}") from None
    if alpha.size == 0:
        raise MaskImageError(path, "is an empty image")
    return alpha


def image_alpha(image, use_luminance: bool = True) -> np.ndarray:
    """(H, W) uint8 coverage of a Pillow image: alpha if it has any, else grey level (or 255 when
    `use_luminance` is False, as glTF reads a texture without alpha)."""
    bands = image.getbands()
    if "A" in bands or (image.mode == "P" and "transparency" in image.info):
        return np.asarray(image.convert("RGBA"))[:, :, 3].copy()
    if not use_luminance:
        return np.full((image.height, image.width), 255, dtype=np.uint8)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit and float greys: scale, do not clip
        values = np.asarray(image, dtype=np.float64)
        top = 1.0 if image.mode == "F" else 65535.0
        return np.clip(np.round(values / top * 255.0), 0, 255).astype(np.uint8)
    return np.asarray(image.convert("L")).copy()


def mask_from_gltf_material(material, source: str) -> AlphaMask | None:
    """The alpha mask of a trimesh PBR material with alphaMode MASK, else None.

    Alpha = base colour texture alpha (1 where the texture has none or there is no texture) x
    base colour factor alpha. Textures larger than MAX_MASK_SIDE are reduced (box filter)."""
    if str(getattr(material, "alphaMode", None) or "").upper() != "MASK":
        return None
    factor = getattr(material, "baseColorFactor", None)
    factor_alpha = 1.0
    if factor is not None and len(factor) == 4:
        factor_alpha = float(factor[3]) / (255.0 if np.asarray(factor).dtype == np.uint8 else 1.0)
    texture = getattr(material, "baseColorTexture", None)
    if texture is None:
        alpha = np.full((1, 1), 255, dtype=np.uint8)
    else:
        if max(texture.size) > MAX_MASK_SIDE:
            texture = texture.copy()
            texture.thumbnail((MAX_MASK_SIDE, MAX_MASK_SIDE))
        alpha = image_alpha(texture, use_luminance=False)
    if factor_alpha < 1.0:
        alpha = np.round(alpha.astype(np.float64) * max(factor_alpha, 0.0)).astype(np.uint8)
    cutoff = getattr(material, "alphaCutoff", None)
    return AlphaMask(alpha, DEFAULT_CUTOFF if cutoff is None else float(cutoff), source)
