"""Image metrics for single-channel data images in [0, 1]: mean absolute error, SSIM and FLIP."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Comparison:
    """Scores of a test image against a reference. mae_covered: only where geometry is (mask)."""

    mae: float
    mae_covered: float
    ssim: float
    flip: float
    flip_map: np.ndarray  # (H, W, 3) float32, magma-coloured

    def row(self) -> str:
        return f"MAE {self.mae:.4f}  MAE(geometry) {self.mae_covered:.4f}  SSIM {self.ssim:.4f}  FLIP {self.flip:.4f}"


def compare(reference: np.ndarray, test: np.ndarray, covered: np.ndarray | None = None) -> Comparison:
    """reference, test: (H, W) float in [0, 1]; covered: (H, W) bool, pixels that show geometry."""
    import flip_evaluator
    from skimage.metrics import structural_similarity

    reference = np.clip(np.asarray(reference, dtype=np.float32), 0.0, 1.0)
    test = np.clip(np.asarray(test, dtype=np.float32), 0.0, 1.0)
    if reference.shape != test.shape:
        raise ValueError(f"image sizes differ: {reference.shape} vs {test.shape}")
    error = np.abs(reference - test)
    covered = np.ones_like(error, dtype=bool) if covered is None or not covered.any() else covered
    ssim = float(structural_similarity(reference, test, data_range=1.0))
    rgb = lambda image: np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2))
    flip_map, flip_mean, _params = flip_evaluator.evaluate(rgb(reference), rgb(test), "LDR")
    return Comparison(float(error.mean()), float(error[covered].mean()), ssim, float(flip_mean),
                      np.asarray(flip_map, dtype=np.float32))  # fmt: skip


def side_by_side(*images: np.ndarray) -> np.ndarray:
    """(H, W) grey or (H, W, 3) float images in [0, 1] -> one (H, sum W, 3) uint8 strip."""
    rows = [np.repeat(i[:, :, None], 3, axis=2) if i.ndim == 2 else i for i in images]
    return (np.clip(np.concatenate(rows, axis=1), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
