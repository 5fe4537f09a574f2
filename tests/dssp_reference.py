"""mkdssp (Debian package `dssp`, DSSP 4.2) as the reference for renderer.molecules.dssp.

mkdssp 4 rejects old PDB headers and blank chain ids, so the protein atoms are rewritten as a plain
PDB file with the minimal header it accepts; its classic output is read per residue.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

MKDSSP = shutil.which("mkdssp")
_HEADER = ["HEADER    TEST                                    01-JAN-00   XXXX", "TITLE     X", "COMPND    MOL_ID: 1;",
           "SOURCE    MOL_ID: 1;", "KEYWDS    X", "EXPDTA    X-RAY DIFFRACTION", "AUTHOR    X"]  # fmt: skip


def mkdssp_codes(atoms, workdir: Path) -> dict[tuple[str, int], str]:
    """{(chain, residue number): DSSP code (" " for loop)} for the amino acids of a biotite AtomArray."""
    import biotite.structure as struc
    import biotite.structure.io.pdb as pdb

    protein = atoms[struc.filter_amino_acids(atoms)].copy()
    protein.element = struc.infer_elements(protein)
    protein.hetero[:] = False
    blank = protein.chain_id == ""
    if (protein.chain_id == "_").any() and blank.any():
        raise ValueError("chain ids '' and '_' both present")
    protein.chain_id[blank] = "_"  # mkdssp needs a chain id; mapped back below
    file = pdb.PDBFile()
    file.set_structure(protein)
    body = [line for line in str(file).splitlines() if not line.startswith("CRYST1")]
    source, out = workdir / "protein.pdb", workdir / "protein.dssp"
    source.write_text("\n".join([f"{line:<80}" for line in _HEADER] + body) + "\n")
    subprocess.run([MKDSSP, "--output-format", "dssp", str(source), str(out)], check=True, capture_output=True)
    lines = out.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  #  RESIDUE"))
    codes = {}
    for line in lines[start + 1 :]:
        if line[13] == "!":
            continue  # a chain break marker
        codes[(line[11].replace("_", ""), int(line[5:10]))] = line[16]
    return codes
