"""Line-by-line checks of molecule files before biotite parses them.

biotite reports a malformed record as a bare ValueError without saying where; these checks walk the
records a renderer depends on (coordinates, counts, bond indices) and raise a MoleculeError that
names the file and 1-based line, so a teacher can open the file at the right place.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from renderer.errors import MoleculeError
from renderer.molecules.input_bounds import check_atom_count


def read_bytes(path: Path) -> bytes:
    """The file's bytes, read through the hostile-input checks (a regular file, its size first); an
    empty file or binary (NUL) content is a MoleculeError at its line."""
    from renderer.molecules.input_bounds import read_molecule_bytes

    data = read_molecule_bytes(path)
    if not data.strip():
        raise MoleculeError(path, "the file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise MoleculeError(path, "binary data where text was expected", data.count(b"\n", 0, nul) + 1)
    return data


def read_text(path: Path, data: bytes | None = None) -> list[str]:
    """The file's lines (no newline characters); binary or non-text content is a MoleculeError."""
    data = read_bytes(path) if data is None else data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # old PDB files carry the odd Latin-1 byte in REMARKs
    return text.splitlines()


def _float(path: Path, text: str, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise MoleculeError(path, f"{what} {text.strip()!r} is not a number", line) from None
    if value != value or abs(value) == float("inf"):
        raise MoleculeError(path, f"{what} is not finite", line)
    return value


def check_pdb(path: Path, lines: list[str]) -> None:
    """ATOM/HETATM records: fixed columns, coordinates in 31-54 (PDB format v3.3)."""
    atoms = 0
    for number, line in enumerate(lines, start=1):
        record = line[:6]
        if record not in ("ATOM  ", "HETATM"):
            continue
        atoms += 1
        if len(line.rstrip()) < 54:
            raise MoleculeError(path, f"{record.strip()} record is {len(line.rstrip())} columns long; "
                                "coordinates need columns 31-54", number)  # fmt: skip
        for axis, (start, end) in zip("xyz", ((30, 38), (38, 46), (46, 54)), strict=True):
            _float(path, line[start:end], number, f"{axis} coordinate")
        if not line[22:26].strip():
            raise MoleculeError(path, "residue number (columns 23-26) is missing", number)
    if atoms == 0:
        raise MoleculeError(path, "no ATOM or HETATM records: not a PDB coordinate file")
    check_atom_count(path, atoms)


def check_mmcif(path: Path, lines: list[str]) -> None:
    """The `_atom_site` loop: every row has one value per column and numeric coordinates.

    A row may wrap over several lines (CIF allows it); values are gathered until the row is full.
    """
    columns: list[str] = []
    state = "outside"  # outside -> header (after loop_) -> rows (an _atom_site loop's values)
    pending: list[str] = []
    row_line = 0
    rows = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if state == "header" and stripped.startswith("_"):
            columns.append(stripped.split()[0])
            continue
        if state == "header":
            state = "rows" if columns and columns[0].startswith("_atom_site.") else "outside"
        if state == "rows":
            if not stripped or stripped.startswith(("#", "_", "loop_", "data_")):
                if pending:
                    raise MoleculeError(path, f"_atom_site row has {len(pending)} values for {len(columns)} "
                                        "columns", row_line)  # fmt: skip
                state = "outside"
            else:
                try:
                    values = shlex.split(stripped, posix=True)
                except ValueError:
                    raise MoleculeError(path, "unbalanced quote in an _atom_site row", number) from None
                if not pending:
                    row_line = number
                pending.extend(values)
                if len(pending) > len(columns):
                    raise MoleculeError(path, f"_atom_site row has {len(pending)} values for {len(columns)} "
                                        "columns", row_line)  # fmt: skip
                if len(pending) == len(columns):
                    for axis in "xyz":
                        name = f"_atom_site.Cartn_{axis}"
                        if name in columns:
                            _float(path, pending[columns.index(name)], row_line, f"Cartn_{axis}")
                    rows += 1
                    pending = []
                continue
        if stripped == "loop_":
            state, columns = "header", []
    if pending:
        raise MoleculeError(path, f"_atom_site row has {len(pending)} values for {len(columns)} columns", row_line)
    check_atom_count(path, rows)
    if rows == 0 and not any(line.startswith("_atom_site.") for line in lines):
        raise MoleculeError(path, "no _atom_site category: not a PDBx/mmCIF coordinate file")


def check_mol(path: Path, lines: list[str]) -> None:
    """MDL molfile / SD records (V2000): counts line, atom block, bond block, `$$$$` separators."""
    start = 0
    while start < len(lines):
        if all(not line.strip() for line in lines[start:]):
            return
        counts_index = start + 3
        if counts_index >= len(lines):
            raise MoleculeError(path, "record ends before its counts line", len(lines))
        counts = lines[counts_index]
        if "V3000" in counts:
            return  # V3000 blocks are tagged; biotite reports their problems
        atoms = _int_field(path, counts[0:3], counts_index + 1, "atom count")
        check_atom_count(path, atoms)
        bonds = _int_field(path, counts[3:6], counts_index + 1, "bond count")
        first_atom = counts_index + 1
        for index in range(first_atom, first_atom + atoms):
            if index >= len(lines):
                raise MoleculeError(path, f"the counts line promises {atoms} atoms; the file ends first", index)
            line = lines[index]
            for axis, (a, b) in zip("xyz", ((0, 10), (10, 20), (20, 30)), strict=True):
                _float(path, line[a:b], index + 1, f"{axis} coordinate")
            if not line[31:34].strip():
                raise MoleculeError(path, "atom line has no element symbol (columns 32-34)", index + 1)
        for index in range(first_atom + atoms, first_atom + atoms + bonds):
            if index >= len(lines):
                raise MoleculeError(path, f"the counts line promises {bonds} bonds; the file ends first", index)
            line = lines[index]
            for what, (a, b) in (("first atom", (0, 3)), ("second atom", (3, 6))):
                value = _int_field(path, line[a:b], index + 1, f"bond's {what}")
                if not 1 <= value <= atoms:
                    raise MoleculeError(path, f"bond's {what} {value} is outside 1..{atoms}", index + 1)
        end = next((i for i in range(first_atom + atoms + bonds, len(lines)) if lines[i].startswith("$$$$")), None)
        if end is None:
            return
        start = end + 1


def _int_field(path: Path, text: str, line: int, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise MoleculeError(path, f"{what} {text.strip()!r} is not a whole number", line) from None
