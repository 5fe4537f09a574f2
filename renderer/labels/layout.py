"""Screen-space layout of labels: greedy, so that no two labels overlap and none hides an anchor.

Pixels, origin top-left, y down. Each label goes beside its anchor, on the side away from the
middle of the picture (labels fan out around the anatomy rather than covering it), at the nearest
free spot from a short list of candidates; the leader line bridges the gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Placement:
    """A label's box (x0, y0, x1, y1) and the end of its leader line on the box edge, pixels."""

    box: tuple[float, float, float, float]
    line_end: tuple[float, float]


def place_labels(anchors: np.ndarray, sizes: np.ndarray, view_size: tuple[int, int], centre: np.ndarray,
                 gap: float) -> list[Placement]:  # fmt: skip
    """anchors (N, 2) and sizes (N, 2) = (width, height), pixels; `centre` (2,) the middle of the
    subject on screen; `gap` the typical distance between anchor and label. One Placement per label."""
    width, height = view_size
    placed: list[tuple[float, float, float, float]] = [None] * len(anchors)  # type: ignore[list-item]
    order = sorted(range(len(anchors)), key=lambda i: (anchors[i][1], anchors[i][0]))
    margin = max(2.0, gap * 0.15)
    for index in order:
        ax, ay = anchors[index]
        w, h = sizes[index]
        outward = 1.0 if ax >= centre[0] else -1.0
        best, best_cost = None, np.inf
        for cost, box in _candidates(ax, ay, w, h, outward, gap, width, height):
            overlap = sum(_overlap(box, other, margin) for other in placed if other is not None)
            covers = sum(_contains(box, anchor, margin) for anchor in anchors)  # its own included: boxes
            # pushed against the view's edge can land on their own anchor
            total = cost + 1e4 * overlap + 1e3 * covers
            if total < best_cost:
                best, best_cost = box, total
            if overlap == 0 and covers == 0:
                break  # candidates come cheapest first
        placed[index] = best
    return [Placement(box, _line_end(box, anchors[i])) for i, box in enumerate(placed)]


def follow_placements(anchors: np.ndarray, sizes: np.ndarray,
                      offsets: list[tuple[float, float] | None]) -> list[Placement] | None:
    """The other eye of a stereo pair: each label at the same offset from its anchor as in the first
    eye's layout (`offsets`, (dx, dy) of the box's top-left corner from the anchor, pixels), so a label
    floats at its anchor's depth in both eyes instead of changing sides between them (which the eyes
    cannot fuse). Boxes are not pushed back inside the view: near the edge of one eye's picture a
    label is cut there, as anything floating at that spot would be. None when a label has no offset
    (it was off screen in the first eye)."""
    if any(offset is None for offset in offsets):
        return None
    placements = []
    for (ax, ay), (w, h), (dx, dy) in zip(anchors, sizes, offsets):
        box = (float(ax + dx), float(ay + dy), float(ax + dx + w), float(ay + dy + h))
        placements.append(Placement(box, _line_end(box, (ax, ay))))
    return placements


def _candidates(ax, ay, w, h, outward, gap, width, height):
    """(cost, box) pairs, cheapest first: outward side before the other, near before far."""
    options = []
    for side_cost, side in ((0.0, outward), (2.5 * gap, -outward)):
        for reach in (1.0, 1.8, 2.8, 4.0, 5.5):
            for shift in (0, -1, 1, -2, 2, -3, 3, -4, 4):
                dx = gap * reach
                dy = shift * (h + gap * 0.3)
                x0 = ax + dx if side > 0 else ax - dx - w
                y0 = ay + dy - h / 2
                x0 = float(np.clip(x0, 1, max(1, width - w - 1)))
                y0 = float(np.clip(y0, 1, max(1, height - h - 1)))
                cost = side_cost + dx + abs(dy) * 1.2
                options.append((cost, (x0, y0, x0 + w, y0 + h)))
    for reach in (1.0, 1.8, 2.8, 4.0):  # above or below, for narrow views and crowded sides
        for sign in (-1.0, 1.0):
            x0 = float(np.clip(ax - w / 2, 1, max(1, width - w - 1)))
            y0 = ay + sign * (gap * reach) - (h if sign < 0 else 0.0)
            y0 = float(np.clip(y0, 1, max(1, height - h - 1)))
            options.append((1.5 * gap + gap * reach * 1.3, (x0, y0, x0 + w, y0 + h)))
    options.sort(key=lambda item: item[0])
    return options


def _overlap(a, b, margin: float) -> float:
    """Area shared by boxes a and b, each grown by `margin`."""
    dx = min(a[2], b[2]) - max(a[0], b[0]) + 2 * margin
    dy = min(a[3], b[3]) - max(a[1], b[1]) + 2 * margin
    return max(dx, 0.0) * max(dy, 0.0)


def _contains(box, point, margin: float) -> bool:
    return box[0] - margin <= point[0] <= box[2] + margin and box[1] - margin <= point[1] <= box[3] + margin


def _line_end(box, anchor) -> tuple[float, float]:
    """Point of the box's outline nearest the anchor, where the leader line meets the label."""
    x = float(np.clip(anchor[0], box[0], box[2]))
    y = float(np.clip(anchor[1], box[1], box[3]))
    if box[0] < x < box[2] and box[1] < y < box[3]:  # anchor inside the box: meet the nearest side
        x = box[0] if anchor[0] - box[0] < box[2] - anchor[0] else box[2]
    return x, y


def overlaps(placements: list[Placement]) -> int:
    """How many pairs of boxes overlap (for tests and diagnostics)."""
    count = 0
    for i, a in enumerate(placements):
        for b in placements[i + 1 :]:
            if _overlap(a.box, b.box, 0.0) > 0:
                count += 1
    return count
