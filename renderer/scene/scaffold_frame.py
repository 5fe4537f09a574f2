"""One length unit and one up axis for a whole batch of mesh files, guessed from the set's combined
size and shape (used by `prosector new` and by `validate`'s "new would have placed it elsewhere" lint).

Files of one set share a unit: deciding per file put 41 small bones of a body in cm and the rest in mm.
So the set's typical files (those within `CORE_RATIO` of the median file size) decide together; a
file far outside them (a metre-sized mesh among millimetre ones) gets its own unit only when another
unit brings it within 3x of their median size (no unit brings BodyParts3D's few files in another
frame back, so they keep the batch's unit and `detached_files` finds them).

Size rules, on the combined extent E of the typical files in file units (a body is ~1.7 m tall):
- E <= 10: metres (glTF's and the scene's unit; a room-sized set stays what it says);
- E > 250: millimetres (in cm the set would be taller than 2.5 m);
- otherwise cm if the set is shaped like a standing body 1.4-2.1 m tall in cm, else mm (anatomy
  exports in this range, from segmentation tools and atlases, are millimetres).
Up axis: Z when the set is clearly longest along Z (bodies and limbs stand along their long axis),
else Y (glTF's convention).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNIT_METRES = {"m": 1.0, "cm": 0.01, "mm": 0.001}
CORE_RATIO = 30.0  # a file this many times larger or smaller than the median one is not "typical"
Z_UP_RATIO = 1.3  # Z must be this much longer than Y (and about as long as X) to call the set Z-up


@dataclass(frozen=True)
class Frame:
    """unit, up_axis for the batch, why (a sentence for the scene's comment), and per-file unit
    overrides {index: (unit, why)} for files far off the others; unit_why and up_why are the two
    halves of `why`."""

    unit: str
    up_axis: str
    why: str
    overrides: dict[int, tuple[str, str]]
    unit_why: str = ""
    up_why: str = ""
    up_strong: bool = False  # Z at least twice as long as Y and X: clear enough for validate to warn


def file_extent(bounds: np.ndarray) -> float:
    """Largest side of a (2, 3) box."""
    return float((bounds[1] - bounds[0]).max())


def typical_files(boxes: list[np.ndarray]) -> list[int]:
    """Indices of files within CORE_RATIO of the median file extent (all of them for <= 2 files,
    which are too few to tell which is off)."""
    extents = np.array([max(file_extent(b), 1e-12) for b in boxes])
    if len(boxes) <= 2:
        return list(range(len(boxes)))
    median = float(np.median(extents))
    return [i for i, e in enumerate(extents) if median / CORE_RATIO <= e <= median * CORE_RATIO]


def combined(boxes: list[np.ndarray]) -> np.ndarray:
    """(2, 3) box around (2, 3) boxes."""
    return np.array([np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)])


def guess_up_axis(box: np.ndarray) -> tuple[str, str]:
    """('y' | 'z', why) from a (2, 3) box in file axes."""
    x, y, z = (float(v) for v in box[1] - box[0])
    if z > Z_UP_RATIO * y and z >= 0.8 * x:
        return "z", f"it is longest along Z ({_size(x)} x {_size(y)} x {_size(z)} in X, Y, Z), so Z is up"
    return "y", "Y is up (the glTF convention; the set is not clearly longest along Z)"


def guess_unit(box: np.ndarray, up_axis: str) -> tuple[str, str]:
    """(unit, why) from the (2, 3) box of a set's typical files, file units."""
    size = box[1] - box[0]
    extent = float(size.max())
    if extent <= 10.0:
        return "m", f"it spans {_size(extent)} units, a size that makes sense in metres"
    if extent > 250.0:
        return "mm", f"it spans {_size(extent)} units: {extent / 1000:.3g} m in mm ({extent / 100:.3g} m in cm " \
                     "would be taller than a person)"  # fmt: skip
    height = float(size[2] if up_axis == "z" else size[1])
    across = float(max(size[0], size[1] if up_axis == "z" else size[2]))
    if 140.0 <= height <= 210.0 and height >= 2.0 * across:
        return "cm", f"it is shaped like a standing body {height / 100:.3g} m tall in cm"
    return "mm", f"it spans {_size(extent)} units: {extent / 1000:.3g} m in mm, the usual unit of anatomy " \
                 "exports of this size"  # fmt: skip


def decide_frame(boxes: list[np.ndarray]) -> Frame:
    """The batch's unit and up axis from per-file (2, 3) boxes in file units (node transforms applied)."""
    core = typical_files(boxes)
    box = combined([boxes[i] for i in core])
    up_axis, up_why = guess_up_axis(combined(boxes))  # the shape of everything: a skin mesh may be atypical
    unit, unit_why = guess_unit(box, up_axis)
    overrides = {}
    median_m = float(np.median([file_extent(boxes[i]) for i in core])) * UNIT_METRES[unit]
    for index, file_box in enumerate(boxes):
        if index in core:
            continue
        extent = file_extent(file_box)
        best = min(UNIT_METRES, key=lambda u: abs(np.log10(max(extent * UNIT_METRES[u], 1e-12) / median_m)))
        if best != unit and abs(np.log10(extent * UNIT_METRES[best] / median_m)) < np.log10(3.0):
            why = f"in {unit} it would be {extent * UNIT_METRES[unit] / median_m:.3g} times the size of the other " \
                  f"files; in {best} it matches them"  # fmt: skip
            overrides[index] = (best, why)
    count = len(boxes)
    why = f"decided for all {count} file{'s' if count != 1 else ''} together: {unit_why}; {up_why}"
    size = combined(boxes)[1] - combined(boxes)[0]
    strong = bool(size[2] >= 2 * size[1] and size[2] >= size[0]) if up_axis == "z" else bool(size[1] >= 2 * size[2])
    return Frame(unit, up_axis, why, overrides, unit_why, up_why, strong)


def _size(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def touching_clusters(boxes: np.ndarray) -> list[list[int]]:
    """Clusters of (n, 2, 3) boxes that touch or nearly touch (a gap under a quarter of the smaller
    box's size): the parts of one body overlap their neighbours, a file in another frame does not."""
    count = len(boxes)
    size = (boxes[:, 1] - boxes[:, 0]).max(axis=1)
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(count):
        gap = np.maximum(boxes[:, 0] - boxes[i, 1], boxes[i, 0] - boxes[:, 1]).max(axis=1)  # <= 0: overlap
        near = np.nonzero(gap <= 0.25 * np.minimum(size, size[i]))[0]
        for j in near[near > i]:
            parent[root(int(j))] = root(i)
    clusters: dict[int, list[int]] = {}
    for i in range(count):
        clusters.setdefault(root(i), []).append(i)
    return sorted(clusters.values(), key=len, reverse=True)


def detached_files(boxes: list[np.ndarray]) -> dict[int, str]:
    """{index: why} of files that sit apart from the main cluster of the set and are several times
    smaller than its typical file: in another scale or frame (BodyParts3D's atlas, mandible, sacrum...),
    so they would land in the wrong place. Needs at least 5 files to tell."""
    if len(boxes) < 5:
        return {}
    stacked = np.array(boxes)
    clusters = touching_clusters(stacked)
    main = clusters[0]
    typical = float(np.median([file_extent(stacked[i]) for i in main]))
    out = {}
    for cluster in clusters[1:]:
        if len(cluster) > max(2.0, 0.1 * len(boxes)):
            continue
        for i in cluster:
            ratio = typical / max(file_extent(stacked[i]), 1e-12)
            if ratio >= 5.0:
                out[i] = (f"{ratio:.0f} times smaller than the typical part and apart from the others: this "
                          "file seems to be in another scale or frame; set its unit and transform, then show it")
    return out
