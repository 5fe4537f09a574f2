"""What each atom belongs to: protein, nucleic acid, water or ligand, and what kind each chain is.

Residue names decide, from the Chemical Component Dictionary's lists of amino acids and nucleotides
(biotite's copy, so modified residues such as PSU or MSE count) with a built-in fallback of the
standard names. Shared by `prosector info`, scaffolds and cartoons.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from renderer.molecules.ccd_cache import component_names
from renderer.molecules.structure import AMINO_ACIDS, NUCLEOTIDES, WATER_NAMES, Structure, names_in, residue_keys

KINDS = ("protein", "nucleic", "water", "ligand")


@lru_cache(maxsize=1)
def _component_names() -> tuple[frozenset, frozenset]:
    amino, nucleic = component_names()
    return frozenset(amino | set(AMINO_ACIDS)), frozenset((nucleic | set(NUCLEOTIDES)) - set(WATER_NAMES))


def amino_acid_residues(res_names: np.ndarray) -> np.ndarray:
    """(N,) bool: residues the CCD calls amino acids (biotite's `filter_amino_acids`, by unique names)."""
    unique, inverse = np.unique(np.asarray(res_names, dtype=str), return_inverse=True)
    amino = _component_names()[0]
    return np.array([n in amino for n in unique.tolist()], bool)[inverse.ravel()] if len(unique) else \
        np.zeros(0, bool)  # fmt: skip


def residue_name_kinds(res_names: np.ndarray, hetero: np.ndarray | None = None) -> np.ndarray:
    """(N,) "<U7" per atom: "protein", "nucleic", "water" or "ligand".

    res_names: (N,) str; hetero: (N,) bool HETATM flags. A HETATM amino acid or nucleotide (a free
    ATP, a modified residue outside a chain) is a ligand unless it is one of the file's polymer
    residues by name (MSE and other modified residues written as HETATM inside a chain stay polymer
    when the chain around them is polymer: see `atom_kinds`).
    """
    res_names = np.asarray(res_names, dtype=str)
    unique, inverse = np.unique(res_names, return_inverse=True)
    amino, nucleic = _component_names()
    table = np.array(
        ["water" if n in WATER_NAMES else "protein" if n in amino else "nucleic" if n in nucleic else "ligand"
         for n in unique.tolist()], dtype="<U7")  # fmt: skip
    kinds = table[inverse] if len(unique) else np.zeros(0, "<U7")
    if hetero is not None:
        kinds = np.where(np.asarray(hetero, bool) & names_in(kinds, ("protein", "nucleic")), "ligand", kinds)
    return kinds


def atom_kinds(structure: Structure) -> np.ndarray:
    """(N,) "<U7" per atom: "protein", "nucleic", "water" or "ligand".

    HETATM residues named as amino acids or nucleotides (MSE, PSU) count as polymer when they are
    covalently bonded to the polymer; free ones (a nucleotide cofactor) are ligands.
    """
    s = structure
    by_name = residue_name_kinds(s.res_names)
    kinds = residue_name_kinds(s.res_names, s.hetero)
    suspect = (kinds == "ligand") & names_in(by_name, ("protein", "nucleic"))
    if suspect.any() and s.bond_count:
        a, b = s.bonds[:, 0], s.bonds[:, 1]
        polymer = names_in(kinds, ("protein", "nucleic"))
        linked = np.zeros(s.atom_count, bool)
        linked[a[suspect[a] & polymer[b]]] = True
        linked[b[suspect[b] & polymer[a]]] = True
        keys = residue_keys(s)
        linked_residue = np.zeros(keys.max() + 1, bool)
        linked_residue[keys[linked]] = True
        promote = suspect & linked_residue[keys]
        kinds = np.where(promote, by_name, kinds)
    return kinds


def polymer_kind(kinds: np.ndarray) -> str:
    """The kind of a chain from its polymer atoms' kinds: "protein", "nucleic" (the majority), or
    "other" when it has neither."""
    protein, nucleic = int((kinds == "protein").sum()), int((kinds == "nucleic").sum())
    if protein == nucleic == 0:
        return "other"
    return "protein" if protein >= nucleic else "nucleic"
