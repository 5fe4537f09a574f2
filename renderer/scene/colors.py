"""Colours as teachers write them (`"#d9c9a8"`, `[0.85, 0.79, 0.66]`) -> linear RGB floats."""

from __future__ import annotations

import re

import numpy as np

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def srgb_to_linear(c):
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(c):
    c = np.clip(np.asarray(c, dtype=np.float64), 0, None)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def parse_color(value) -> tuple[float, float, float]:
    """sRGB colour, as a hex string or three numbers in [0, 1], -> the same sRGB triple as floats.

    Raises ValueError with a hint; conversion to linear happens where the renderer needs it.
    """
    if isinstance(value, str):
        match = _HEX.match(value.strip())
        if not match:
            raise ValueError(f"colour {value!r} is not '#rrggbb' (e.g. '#d9c9a8') or [r, g, b] in 0..1")
        digits = match.group(1)
        return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
    if (
        isinstance(value, (list, tuple))
        and len(value) == 3
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        if not all(0 <= v <= 1 for v in value):
            raise ValueError("colour components must lie in 0..1 (for 0..255 values, use '#rrggbb')")
        return tuple(float(v) for v in value)  # type: ignore[return-value]
    raise ValueError(f"colour {value!r} is not '#rrggbb' (e.g. '#d9c9a8') or [r, g, b] in 0..1")
