"""A warning for atoms far from the rest of their structure: a typo in a coordinate (12.5 written
125.0), or a stray copy from another frame, that would shrink the molecule to a dot when framed.

Robust against the structure's own size: distances from the median position, compared with the
95th percentile of those distances, so a long fibre or a large assembly is not flagged.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
FACTOR = 10.0  # farther than 10x the typical radius...
MARGIN_A = 100.0  # ...and more than 100 Å beyond it


def far_atoms(positions_a: np.ndarray) -> np.ndarray:
    """(K,) int64 indices of atoms far from the rest; positions_a: (N, 3) ångström."""
    if len(positions_a) < 20:
        return np.zeros(0, np.int64)
    centre = np.median(positions_a, axis=0)
    distance = np.linalg.norm(positions_a - centre, axis=1)
    typical = float(np.percentile(distance, 95))
    limit = max(FACTOR * typical, typical + MARGIN_A)
    return np.flatnonzero(distance > limit)


def warn_far_atoms(path: Path, positions_a: np.ndarray, atoms=None) -> np.ndarray:
    """Log `FILE: warning: ...` naming the first far atom (chain, residue, name when `atoms`, a
    biotite AtomArray, has them); returns the indices found."""
    far = far_atoms(positions_a)
    if len(far):
        first = int(far[0])
        name = f"atom {first + 1}"
        if atoms is not None:
            name += f" ({atoms.chain_id[first]} {atoms.res_name[first]} {atoms.res_id[first]} {atoms.atom_name[first]})"
        where = ", ".join(f"{v:.1f}" for v in positions_a[first])
        more = f" and {len(far) - 1} more" if len(far) > 1 else ""
        log.warning("%s: warning: %s%s lie far from the rest of the structure (at %s Å); check their coordinates",
                    path, name, more, where)  # fmt: skip
    return far
