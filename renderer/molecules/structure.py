"""A molecular structure as flat NumPy arrays: what representations, colours and selections read.

Readers (renderer.molecules.io) fill it from biotite; nothing here depends on biotite, so the
representation and GPU code works on arrays only. Coordinates are in ångström, model space.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

WATER_NAMES = ("HOH", "WAT", "H2O", "DOD", "TIP", "TIP3", "SOL")
AMINO_ACIDS = ("ALA", "ARG", "ASN", "ASP", "CYS", "GLN", "GLU", "GLY", "HIS", "ILE", "LEU", "LYS", "MET",
               "PHE", "PRO", "SER", "THR", "TRP", "TYR", "VAL", "MSE", "SEC", "PYL")  # fmt: skip
NUCLEOTIDES = ("A", "C", "G", "U", "T", "DA", "DC", "DG", "DT", "DU", "I", "DI")


@dataclass(frozen=True)
class Structure:
    """One model of a structure. N atoms, M bonds; every per-atom array has length N.

    positions_a: (N, 3) float32, ångström, model space.
    elements: (N,) str, upper case ("C", "FE"); atom_names, res_names, chain_ids: (N,) str.
    res_ids: (N,) int32 residue numbers as written in the file; hetero: (N,) bool (HETATM records).
    b_factors: (N,) float32 (0 where the format has none).
    bonds: (M, 2) int32 atom indices, i < j, each bond once; bond_orders: (M,) uint8 biotite BondType
        values: 0 unknown, 1 single, 2 double, 3 triple, 5/6 aromatic single/double (Kekulé form of
        an aromatic ring), 8 coordination, 9 aromatic (order not given, e.g. MOL2 `ar`).
    secondary: (N,) "<U1": "a" helix, "b" strand, "c" coil for amino-acid residues, "" elsewhere.
    """

    positions_a: np.ndarray
    elements: np.ndarray
    atom_names: np.ndarray
    res_names: np.ndarray
    res_ids: np.ndarray
    chain_ids: np.ndarray
    hetero: np.ndarray
    b_factors: np.ndarray
    bonds: np.ndarray
    bond_orders: np.ndarray
    secondary: np.ndarray
    source: str = ""
    model_count: int = 1
    title: str = ""
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def atom_count(self) -> int:
        return len(self.positions_a)

    @property
    def bond_count(self) -> int:
        return len(self.bonds)

    @property
    def is_water(self) -> np.ndarray:
        return names_in(self.res_names, WATER_NAMES)

    @property
    def is_amino_acid(self) -> np.ndarray:
        return names_in(self.res_names, AMINO_ACIDS) & ~self.hetero | (self.res_names == "MSE")

    @property
    def is_ligand(self) -> np.ndarray:
        """Hetero groups that are neither water nor single ions: what a teacher calls 'the ligand'."""
        het = self.hetero & ~self.is_water & ~names_in(self.res_names, AMINO_ACIDS)
        keys = residue_keys(self)
        sizes = np.bincount(keys)[keys]
        return het & (sizes > 1)

    def bounds(self) -> np.ndarray:
        """(2, 3) float64 box of the atom centres, ångström; a unit box when empty."""
        if self.atom_count == 0:
            return np.array([[-0.5] * 3, [0.5] * 3])
        return np.array([self.positions_a.min(axis=0), self.positions_a.max(axis=0)], dtype=np.float64)

    def subset(self, mask: np.ndarray) -> Structure:
        """The atoms where `mask` (N,) bool is true, with the bonds among them renumbered."""
        mask = np.asarray(mask, dtype=bool)
        new_index = np.cumsum(mask) - 1
        keep = mask[self.bonds[:, 0]] & mask[self.bonds[:, 1]] if self.bond_count else np.zeros(0, bool)
        per_atom = {name: getattr(self, name)[mask] for name in PER_ATOM}
        bonds = new_index[self.bonds[keep]].astype(np.int32).reshape(-1, 2)
        return replace(self, **per_atom, bonds=bonds, bond_orders=self.bond_orders[keep])

    def replicate_lattice(self, counts: tuple[int, int, int], spacing_a: float | None = None) -> Structure:
        """Copies on a counts[0] x counts[1] x counts[2] grid (the million-atom benchmark).

        Copies are `spacing_a` apart (default: the structure's largest extent + 4 Å); bonds are
        repeated with per-copy offsets. No per-atom Python loops: everything is broadcast.
        """
        lo, hi = self.bounds()
        spacing = float(spacing_a if spacing_a is not None else (hi - lo).max() + 4.0)
        grid = np.stack(np.meshgrid(*[np.arange(c) for c in counts], indexing="ij"), axis=-1).reshape(-1, 3)
        copies = len(grid)
        offsets = (grid * spacing).astype(np.float32)
        positions = (self.positions_a[None, :, :] + offsets[:, None, :]).reshape(-1, 3)
        per_atom = {name: np.tile(getattr(self, name), copies) for name in PER_ATOM if name != "positions_a"}
        chain_suffix = np.repeat(np.arange(copies), self.atom_count)
        per_atom["chain_ids"] = np.char.add(per_atom["chain_ids"].astype("<U4"), (chain_suffix % 10).astype("<U1"))
        base = np.arange(copies, dtype=np.int64)[:, None, None] * self.atom_count
        bonds = (self.bonds[None, :, :].astype(np.int64) + base).reshape(-1, 2)
        if bonds.size and bonds.max() >= 2**31:
            raise ValueError("too many atoms for 32-bit bond indices")
        return replace(self, positions_a=positions, **per_atom, bonds=bonds.astype(np.int32),
                       bond_orders=np.tile(self.bond_orders, copies), extra={})  # fmt: skip


PER_ATOM = ("positions_a", "elements", "atom_names", "res_names", "res_ids", "chain_ids", "hetero", "b_factors",
            "secondary")  # fmt: skip


def packed_names(names: np.ndarray) -> np.ndarray | None:
    """(N,) uint64: each name's ASCII bytes, first character lowest (what `astype("S8").view(uint64)`
    gives, without encoding a million strings); None for names longer than 8 or not ASCII.
    names: (N,) str ("<U" array)."""
    names = np.asarray(names)
    if names.dtype.kind != "U":
        return None
    length = names.dtype.itemsize // 4
    if length > 8:
        return None
    points = np.ascontiguousarray(names).view(np.uint32).reshape(len(names), length)
    if points.size and int(points.max()) >= 128:
        return None
    packed = np.zeros((len(names), 8), np.uint8)
    packed[:, :length] = points
    return packed.view(np.uint64).ravel()


def names_in(values: np.ndarray, names) -> np.ndarray:
    """(N,) bool: `np.isin(values, names)` for string arrays, compared as packed integers where all
    are short ASCII (residue, atom and chain names): a million-atom assembly asks this often."""
    values = np.asarray(values)
    wanted = [n for n in names if len(n) <= max(values.dtype.itemsize // 4, 1)]
    packed, keys = packed_names(values), packed_names(np.array(wanted, dtype=str)) if wanted else None
    if packed is None or (wanted and keys is None):
        return np.isin(values, list(names))
    return np.isin(packed, keys) if wanted else np.zeros(len(values), bool)


def residue_keys(structure: Structure) -> np.ndarray:
    """(N,) int64: one number per residue (chain, number, name, hetero flag), in file order."""
    n = structure.atom_count
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    changes = np.ones(n, dtype=bool)
    changes[1:] = (
        (structure.chain_ids[1:] != structure.chain_ids[:-1])
        | (structure.res_ids[1:] != structure.res_ids[:-1])
        | (structure.res_names[1:] != structure.res_names[:-1])
    )
    return np.cumsum(changes) - 1


def empty_structure() -> Structure:
    """A structure with no atoms: selections evaluated on it check their syntax only."""
    strings = np.zeros(0, dtype="<U4")
    return Structure(positions_a=np.zeros((0, 3), np.float32), elements=strings, atom_names=strings,
                     res_names=strings, res_ids=np.zeros(0, np.int32), chain_ids=strings,
                     hetero=np.zeros(0, bool), b_factors=np.zeros(0, np.float32),
                     bonds=np.zeros((0, 2), np.int32), bond_orders=np.zeros(0, np.uint8),
                     secondary=np.zeros(0, "<U1"))  # fmt: skip
