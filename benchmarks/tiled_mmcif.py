"""A large mmCIF made by tiling a real entry (1hpv, waters included) on a lattice: the input of the
loading benchmarks (bench_loading.py) at 100k, 500k and 1M atoms.

Each copy gets its own chains (A, B -> A12, B12...), so residues stay distinct, and its own
struct_conf / struct_sheet_range rows, as a deposited assembly would have. Written with biotite's
CIF writer, so the file is what a real PDBx tool produces. Usage:

    python benchmarks/tiled_mmcif.py ATOMS OUT.cif
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

HPV = Path(__file__).resolve().parent.parent / "assets" / "molecules" / "1hpv.pdb"


def tiled_mmcif(atoms_wanted: int, out: Path, source: Path = HPV) -> int:
    """Write about `atoms_wanted` atoms (whole copies of `source`) to `out`; returns the atom count."""
    import biotite.structure as struc
    import biotite.structure.io.pdb as pdb
    import biotite.structure.io.pdbx as pdbx

    file = pdb.PDBFile.read(str(source))
    base = file.get_structure(model=1, altloc="occupancy", extra_fields=["b_factor", "occupancy"])
    base.element = struc.infer_elements(base)  # 1hpv predates the element column (it holds an id there)
    helices, strands = _pdb_records(source)
    copies = max(1, round(atoms_wanted / base.array_length()))
    side = math.ceil(copies ** (1 / 3))
    spacing = float(np.ptp(base.coord, axis=0).max() + 4.0)
    arrays, conf_rows, sheet_rows = [], [], []
    for copy in range(copies):
        offset = np.array([copy % side, copy // side % side, copy // side // side]) * spacing
        tile = base.copy()
        tile.coord = tile.coord + offset
        tile.chain_id = np.char.add(tile.chain_id.astype("<U4"), str(copy))
        arrays.append(tile)
        conf_rows += [(f"{chain}{copy}", first, last) for chain, first, last in helices]
        sheet_rows += [(f"{chain}{copy}", first, last) for chain, first, last in strands]
    atoms = struc.concatenate(arrays)
    cif = pdbx.CIFFile()
    pdbx.set_structure(cif, atoms, data_block="TILED_1HPV")
    block = cif.block
    if conf_rows:
        block["struct_conf"] = pdbx.CIFCategory({
            "conf_type_id": ["HELX_P"] * len(conf_rows), "id": [f"HELX_P{i + 1}" for i in range(len(conf_rows))],
            "beg_label_asym_id": [r[0] for r in conf_rows], "beg_label_seq_id": [r[1] for r in conf_rows],
            "end_label_asym_id": [r[0] for r in conf_rows], "end_label_seq_id": [r[2] for r in conf_rows],
            "beg_auth_asym_id": [r[0] for r in conf_rows], "beg_auth_seq_id": [r[1] for r in conf_rows],
            "end_auth_asym_id": [r[0] for r in conf_rows], "end_auth_seq_id": [r[2] for r in conf_rows],
        })  # fmt: skip
    if sheet_rows:
        block["struct_sheet_range"] = pdbx.CIFCategory({
            "sheet_id": ["S"] * len(sheet_rows), "id": [str(i + 1) for i in range(len(sheet_rows))],
            "beg_label_asym_id": [r[0] for r in sheet_rows], "beg_label_seq_id": [r[1] for r in sheet_rows],
            "end_label_asym_id": [r[0] for r in sheet_rows], "end_label_seq_id": [r[2] for r in sheet_rows],
            "beg_auth_asym_id": [r[0] for r in sheet_rows], "beg_auth_seq_id": [r[1] for r in sheet_rows],
            "end_auth_asym_id": [r[0] for r in sheet_rows], "end_auth_seq_id": [r[2] for r in sheet_rows],
        })  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    cif.write(str(out))
    return atoms.array_length()


def _pdb_records(path: Path) -> tuple[list, list]:
    helices, strands = [], []
    for line in path.read_text().splitlines():
        if line.startswith("HELIX "):
            helices.append((line[19], int(line[21:25]), int(line[33:37])))
        elif line.startswith("SHEET "):
            strands.append((line[21], int(line[22:26]), int(line[33:37])))
    return helices, strands


def main() -> int:
    atoms, out = int(sys.argv[1]), Path(sys.argv[2])
    start = time.perf_counter()
    written = tiled_mmcif(atoms, out)
    print(f"{out}: {written:,} atoms, {out.stat().st_size / 2**20:.0f} MiB, {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
