"""Bounds on hostile or broken molecule files, checked before (or right after) parsing.

Each check is a small function so the readers (renderer.molecules.io, mol2) can call it where the
information is first known: the atom count from the records before biotite builds arrays, the
coordinates right after. A CONECT record naming an atom that is not in the file (common in hand-edited
or truncated PDB files) loses only that bond, with a warning, instead of rejecting the whole file.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from renderer.errors import MoleculeError
from renderer.scene import limits

log = logging.getLogger(__name__)
MAX_ATOMS_PER_FILE = limits.MAX_ATOMS_PER_SCENE


def read_molecule_bytes(path: Path) -> bytes:
    """The file's bytes: a regular file (no FIFO or device), size checked before reading."""
    from renderer.scene.safe_read import MissingFileError, UnsafeFileError, read_checked

    try:
        return read_checked(path, limits.MAX_MOLECULE_FILE_BYTES, what="molecule file")
    except MissingFileError:
        raise MoleculeError(path, "file not found") from None
    except UnsafeFileError as exc:
        raise MoleculeError(path, str(exc)) from None


def check_atom_count(path: Path, count: int) -> None:
    if count > MAX_ATOMS_PER_FILE:
        raise MoleculeError(path, f"has {count:,} atom records; the limit is {MAX_ATOMS_PER_FILE:,}")


def check_coordinate_magnitude(path: Path, positions_a: np.ndarray, atoms=None) -> None:
    """Refuse an atom farther than limits.MAX_COORDINATE_A from the origin on any axis, naming it
    (chain, residue, atom name when `atoms`, a biotite AtomArray, has them). Such an atom is a typo or
    a hostile file: it would stretch a surface grid over kilometres of empty space."""
    if len(positions_a) == 0:
        return
    extreme = np.abs(np.asarray(positions_a, dtype=np.float64)).max(axis=1)
    worst = int(np.argmax(extreme))
    if extreme[worst] <= limits.MAX_COORDINATE_A:
        return
    name = f"atom {worst + 1}"
    if atoms is not None:
        try:
            name += f" ({atoms.chain_id[worst]} {atoms.res_name[worst]} {atoms.res_id[worst]} {atoms.atom_name[worst]})"
        except (AttributeError, IndexError):
            pass
    where = ", ".join(f"{v:.6g}" for v in np.asarray(positions_a[worst], dtype=np.float64))
    far = int((extreme > limits.MAX_COORDINATE_A).sum())
    others = f" ({far - 1} more atoms too)" if far > 1 else ""
    raise MoleculeError(path, f"{name} is at ({where}) Å, farther than {limits.MAX_COORDINATE_A:,.0f} Å from the "
                              f"origin{others}; check its coordinates")  # fmt: skip


def drop_dangling_conect(path: Path, lines: list[str]) -> list[str]:
    """`lines` without the CONECT records that name an atom serial no ATOM/HETATM record has
    (or that cannot be read); each one dropped is logged as `FILE:LINE: ...`."""
    serials = set()
    conect = []
    for number, line in enumerate(lines):
        record = line[:6]
        if record in ("ATOM  ", "HETATM"):
            serials.add(line[6:11].strip())
        elif record == "CONECT":
            conect.append(number)
    if not conect:
        return lines
    dropped = []
    for number in conect:
        line = lines[number].rstrip()
        fields = [line[i : i + 5].strip() for i in range(6, min(len(line), 31), 5)]  # 11-31: bonded atoms
        if not all(f in serials for f in fields if f) or not any(fields):
            dropped.append(number)
    if not dropped:
        return lines
    first = dropped[0] + 1
    more = f" (and {len(dropped) - 1} more CONECT records)" if len(dropped) > 1 else ""
    log.warning("%s:%d: CONECT names an atom that is not in the file; that bond is ignored%s", path, first, more)
    keep = set(range(len(lines))) - set(dropped)
    return [lines[i] if i in keep else "REMARK" for i in range(len(lines))]  # keeps line numbers stable
