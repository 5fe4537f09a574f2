"""What a molecule file holds, for `prosector new SCENE --from FILE.pdb` and `prosector info`:
chains, ligands, waters, models, and a sensible first set of representations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renderer.molecules.chains import atom_kinds
from renderer.molecules.io import read_structure
from renderer.molecules.structure import Structure, names_in, residue_keys


@dataclass(frozen=True)
class ChainSummary:
    chain_id: str
    residues: int
    atoms: int
    kind: str  # "protein", "nucleic" or "other" (renderer.molecules.chains)


@dataclass(frozen=True)
class LigandSummary:
    res_name: str
    chain_id: str
    res_id: int
    atoms: int

    @property
    def selection(self) -> str:
        chain = f"chain {self.chain_id} and " if self.chain_id.strip() else ""
        return f"{chain}resn {self.res_name} and resi {self.res_id}"


@dataclass(frozen=True)
class MoleculeSummary:
    path: str
    title: str
    models: int
    atoms: int
    bonds: int
    waters: int
    chains: list[ChainSummary] = field(default_factory=list)
    ligands: list[LigandSummary] = field(default_factory=list)
    bounds_a: tuple = ()

    def suggested_representations(self) -> list[dict]:
        """Representations (as scene-file dictionaries) a teacher can start from."""
        reps: list[dict] = []
        if any(c.kind == "protein" for c in self.chains):
            color = "chain" if len(self.chains) > 1 else "secondary"
            reps.append({"style": "cartoon", "select": "protein", "color": color})
        if any(c.kind == "nucleic" for c in self.chains):
            reps.append({"style": "cartoon", "select": "nucleic", "color": "residue"})
        if not reps:
            reps.append({"style": "ball_and_stick", "select": "all", "color": "element"})
        if self.ligands:
            reps.append({"style": "ball_and_stick", "select": "ligand", "color": "element"})
            reps.append({"style": "hbonds", "select": "ligand"})
        return reps

    def lines(self) -> list[str]:
        out = [f"{self.path}: {self.atoms} atoms, {self.bonds} bonds, {self.models} model(s), {self.waters} waters"]
        out += [f"  chain {c.chain_id or '-'}: {c.kind}, {c.residues} residues, {c.atoms} atoms" for c in self.chains]
        out += [f"  ligand {lig.res_name} ({lig.selection}): {lig.atoms} atoms" for lig in self.ligands]
        return out


def describe_structure(structure: Structure) -> MoleculeSummary:
    """Counts per chain and ligand, grouped with array operations (a 1M-atom assembly has
    thousands of chains and ligands; a mask per chain would take minutes)."""
    s = structure
    keys = residue_keys(s)
    kinds = atom_kinds(s)
    polymer = ~s.hetero & ~s.is_water | names_in(kinds, ("protein", "nucleic"))
    chains = []
    if polymer.any():
        names, first, code = np.unique(s.chain_ids[polymer], return_index=True, return_inverse=True)
        code = code.ravel()
        atoms = np.bincount(code, minlength=len(names))
        residue_pairs = np.unique(code.astype(np.int64) * (keys.max() + 1) + keys[polymer])
        residues = np.bincount(residue_pairs // (keys.max() + 1), minlength=len(names))
        protein = np.bincount(code, weights=kinds[polymer] == "protein", minlength=len(names))
        nucleic = np.bincount(code, weights=kinds[polymer] == "nucleic", minlength=len(names))
        for index in np.argsort(first, kind="stable").tolist():  # file order
            kind = "other" if protein[index] + nucleic[index] == 0 else \
                "protein" if protein[index] >= nucleic[index] else "nucleic"  # fmt: skip
            chains.append(ChainSummary(str(names[index]), int(residues[index]), int(atoms[index]), kind))
    ligands = []
    ligand_keys, first, counts = np.unique(keys[s.is_ligand], return_index=True, return_counts=True)
    first_atoms = np.flatnonzero(s.is_ligand)[first]
    for atom, count in zip(first_atoms.tolist(), counts.tolist(), strict=True):
        ligands.append(LigandSummary(str(s.res_names[atom]), str(s.chain_ids[atom]), int(s.res_ids[atom]), count))
    return MoleculeSummary(
        path=s.source, title=s.title, models=s.model_count, atoms=s.atom_count, bonds=s.bond_count,
        waters=int(len(np.unique(keys[s.is_water]))), chains=chains, ligands=ligands,
        bounds_a=tuple(map(tuple, s.bounds().round(3).tolist())),
    )  # fmt: skip


def describe_molecule(path: str | Path) -> MoleculeSummary:
    """Read `path` (any supported format) and summarise it. Raises MoleculeError for a bad file."""
    return describe_structure(read_structure(path))
