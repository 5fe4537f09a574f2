"""The geometry of one part as plain arrays: what every mesh reader returns and the mesh cache
stores (kept apart from the readers so the cache needs no reader to rebuild it)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from renderer.scene.alpha_masks import AlphaMask


@dataclass(frozen=True)
class MeshData:
    """One part's geometry in model space.

    positions: (N, 3) float32, metres; normals: (N, 3) float32, unit length;
    indices: (M, 3) uint32 into positions, counter-clockwise = front;
    uvs: (N, 2) float32 texture coordinates (v = 0 at the image's bottom), None when the file has none;
    alpha_mask: the file's own mask (a glTF material with alphaMode MASK), None without.
    """

    name: str
    positions: np.ndarray
    normals: np.ndarray
    indices: np.ndarray
    uvs: np.ndarray | None = None
    alpha_mask: AlphaMask | None = None

    @property
    def triangle_count(self) -> int:
        return len(self.indices)

    @property
    def bounds(self) -> np.ndarray:
        """(2, 3) float64: min and max corner, metres, model space."""
        return np.array([self.positions.min(axis=0), self.positions.max(axis=0)], dtype=np.float64)

    @cached_property
    def closed(self) -> bool:
        """True when every edge is shared by exactly two triangles: no back face can be seen unless
        the mesh is cut open, so back faces may be culled."""
        edges = np.sort(self.indices[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2).astype(np.int64), axis=1)
        keys = edges[:, 0] * (len(self.positions) + 1) + edges[:, 1]
        _, counts = np.unique(keys, return_counts=True)
        return bool((counts == 2).all())

    @property
    def nbytes(self) -> int:
        uvs = 0 if self.uvs is None else self.uvs.nbytes
        return self.positions.nbytes + self.normals.nbytes + self.indices.nbytes + uvs
