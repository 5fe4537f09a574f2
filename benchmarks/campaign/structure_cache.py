"""1hpv as parsed by biotite, saved as plain arrays (.npz, no pickle) for the GPU machine.

biotite's wheel is 57 MB (its chemical component dictionary), too big to carry within the device tool's
64 MiB, and the device image lacks it. So `benchmarks/gpu_prepare.sh` parses the entry here, where biotite
is installed, and the campaign reads the arrays there; on machines with biotite it parses the PDB itself.

    python benchmarks/campaign/structure_cache.py OUT.npz     # writes assets/molecules/1hpv.pdb's Structure
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
HPV = ROOT / "assets" / "molecules" / "1hpv.pdb"
DEFAULT = ROOT / ".device-cache" / "1hpv.npz"


def save(structure, path: Path) -> None:
    arrays = {f.name: getattr(structure, f.name) for f in dataclasses.fields(structure) if f.name != "extra"}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{k: np.asarray(v) for k, v in arrays.items()})


def load(path: Path):
    from renderer.molecules.structure import Structure

    with np.load(path, allow_pickle=False) as data:
        values = {}
        for f in dataclasses.fields(Structure):
            if f.name in data.files:
                value = data[f.name]
                values[f.name] = value.item() if value.ndim == 0 else value
    return Structure(**values)


def read_1hpv():
    """(structure, where it came from): parsed by biotite when it is installed, else from the cache."""
    try:
        import biotite  # noqa: F401
    except ImportError:
        if not DEFAULT.is_file():
            raise FileNotFoundError(f"biotite is not installed and {DEFAULT.relative_to(ROOT)} was not carried "
                                    "(run benchmarks/gpu_prepare.sh and carry .device-cache)") from None  # fmt: skip
        return load(DEFAULT), f"{DEFAULT.relative_to(ROOT)} (parsed by biotite in gpu_prepare.sh)"
    from renderer.molecules.io import read_structure

    return read_structure(HPV), "assets/molecules/1hpv.pdb (biotite)"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from renderer.molecules.io import read_structure

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    original = read_structure(HPV)
    save(original, out)
    again = load(out)
    assert again.atom_count == original.atom_count and np.array_equal(again.bonds, original.bonds)
    print(f"{out}: {again.atom_count} atoms, {len(again.bonds)} bonds, {out.stat().st_size // 1024} KiB")
