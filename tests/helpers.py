"""Image helpers for tests: masks, comparisons with references, diff images on failure."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

REFERENCES = Path(__file__).resolve().parent / "references"


def foreground_mask(image: np.ndarray, background_srgb: tuple[int, int, int], tolerance: int = 3) -> np.ndarray:
    """(H, W) bool: pixels that differ from the background colour by more than `tolerance` levels."""
    return (np.abs(image.astype(np.int16) - np.array(background_srgb, dtype=np.int16)) > tolerance).any(axis=2)


def mask_bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) inclusive pixel box of a non-empty mask."""
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def srgb_to_linear(image_u8: np.ndarray) -> np.ndarray:
    c = image_u8.astype(np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def compare_with_reference(
    name: str, image: np.ndarray, output_dir: Path, mean_tolerance: float = 2.0, p99_tolerance: float = 24.0
) -> None:
    """Assert `image` matches tests/references/NAME within tolerances (8-bit levels).

    Set PROSECTOR_UPDATE_REFERENCES=1 to (re)write the reference after a deliberate change.
    On failure, writes actual, reference and an amplified difference image to `output_dir`.
    """
    from PIL import Image

    reference_path = REFERENCES / name
    if os.environ.get("PROSECTOR_UPDATE_REFERENCES") or not reference_path.exists():
        if not os.environ.get("PROSECTOR_UPDATE_REFERENCES") and os.environ.get("CI"):
            raise AssertionError(
                f"reference {reference_path} is missing; generate it with PROSECTOR_UPDATE_REFERENCES=1"
            )
        REFERENCES.mkdir(exist_ok=True)
        Image.fromarray(image).save(reference_path)
        return
    reference = np.asarray(Image.open(reference_path).convert("RGB"))
    assert reference.shape == image.shape, f"{name}: size {image.shape} differs from the reference {reference.shape}"
    difference = np.abs(image.astype(np.int16) - reference.astype(np.int16)).max(axis=2)
    mean, p99 = float(difference.mean()), float(np.percentile(difference, 99))
    if mean > mean_tolerance or p99 > p99_tolerance:
        Image.fromarray(image).save(output_dir / f"actual-{name}")
        Image.fromarray(reference).save(output_dir / f"reference-{name}")
        Image.fromarray(np.clip(difference * 8, 0, 255).astype(np.uint8)).save(output_dir / f"diff-{name}")
        raise AssertionError(
            f"{name}: mean difference {mean:.2f}, 99th percentile {p99:.1f} levels "
            f"(allowed {mean_tolerance}, {p99_tolerance}); images in {output_dir}"
        )
