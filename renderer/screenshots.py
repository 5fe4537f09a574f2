"""The one writer of images to disk: `prosector render`, the window's screenshots, the headset's eye
dumps and the classroom follower all write PNGs through `write_png`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from renderer.atomic_file import write_atomically


def write_png(path: Path, image: np.ndarray) -> None:
    """Write (H, W, 3|4) uint8 to `path` atomically (temporary file + rename): a reader never sees
    half an image, and a failed write leaves what was there."""
    from PIL import Image  # Pillow: the PNG writer; also rasterises label text

    write_atomically(path, lambda handle: Image.fromarray(image).save(handle, format="PNG"))
