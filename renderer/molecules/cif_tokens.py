"""The `_atom_site` loop of a PDBx/mmCIF file as NumPy columns, tokenised without a loop per line.

The bytes between the loop's header and its end are split at whitespace with array operations;
columns come out as fixed-width byte arrays and convert to numbers in one call each. A million
atoms take about two seconds instead of a minute of line-by-line parsing.

Files this fast path cannot take exactly (quoted values with spaces inside, text fields, rows that
wrap unevenly, a non-loop `_atom_site`) return None, and the caller falls back to the line checks
and biotite's parser, which report the same errors at the same lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from renderer.errors import MoleculeError

_HEADER = re.compile(rb"^loop_[ \t]*\r?\n((?:[ \t]*_atom_site\.[^\n]*\n)+)", re.M)
_LOOP_END = re.compile(rb"^[ \t]*(?:#|_|loop_|data_|\r?$)", re.M)
_QUOTES = (ord("'"), ord('"'))
MAX_WIDTH = 80


@dataclass(frozen=True)
class AtomSiteColumns:
    """Columns of `_atom_site`: token starts/ends into `data`, one row per atom.

    columns: name without the category ("Cartn_x") -> column index; starts, ends: (rows, columns)
    int64 byte offsets (quotes excluded); lines: (rows,) 1-based line of each row's first value.
    """

    path: Path
    data: bytes
    columns: dict
    starts: np.ndarray
    ends: np.ndarray
    lines: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.lines)

    def has(self, name: str) -> bool:
        return name in self.columns

    def raw(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """(rows,) bytes "S<width>" values of column `name`."""
        chars = self.chars(name, rows)
        return chars.view(f"S{chars.shape[1]}").ravel()

    def chars(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """(rows, width) uint8 characters of column `name`, zero-padded on the right."""
        column = self.columns[name]
        starts, ends = self.starts[:, column], self.ends[:, column]
        if rows is not None:
            starts, ends = starts[rows], ends[rows]
        width = int(min(max(int((ends - starts).max(initial=1)), 1), MAX_WIDTH))
        buffer = np.frombuffer(self.data, np.uint8)
        index = starts[:, None] + np.arange(width)
        chars = np.where(index < ends[:, None], buffer[np.minimum(index, len(buffer) - 1)], 0).astype(np.uint8)
        return np.ascontiguousarray(chars)

    def text(self, name: str, default: str = "", rows: np.ndarray | None = None) -> np.ndarray:
        """(rows,) str values; CIF's "." and "?" (not given) become `default`."""
        if name not in self.columns:
            return np.full(self.rows if rows is None else len(rows), default)
        chars = self.chars(name, rows)
        if chars.shape[1] > 8:
            values = chars.view(f"S{chars.shape[1]}").ravel().astype(str)
            return np.where((values == ".") | (values == "?"), default, values)
        # A column holds few distinct values (names, chains, elements): decode each once. Values of
        # up to 8 bytes are compared as 64-bit integers, much faster than a million strings.
        padded = np.zeros((len(chars), 8), np.uint8)
        padded[:, : chars.shape[1]] = chars
        unique, inverse = np.unique(padded.view(np.uint64).ravel(), return_inverse=True)
        values = unique.view("S8").astype(str)
        values = np.where((values == ".") | (values == "?"), default, values)
        return values[inverse.ravel()]

    def numbers(self, name: str, what: str, rows: np.ndarray | None = None) -> np.ndarray:
        """(rows,) float64; a value that is not a finite number is a MoleculeError at its line."""
        raw = self.raw(name, rows)
        try:
            values = raw.astype(np.float64)
        except ValueError:
            values = None
        bad = np.ones(len(raw), bool) if values is None else ~np.isfinite(values)
        if bad.any():
            lines = self.lines if rows is None else self.lines[rows]
            for value, line in zip(raw[bad], lines[bad], strict=True):
                text = value.decode("latin-1")
                try:
                    number = float(text)
                except ValueError:
                    raise MoleculeError(self.path, f"{what} {text.strip()!r} is not a number", int(line)) from None
                if not np.isfinite(number):
                    raise MoleculeError(self.path, f"{what} is not finite", int(line))
        return values

    def integers(self, name: str, default: int = 0, rows: np.ndarray | None = None) -> np.ndarray:
        """(rows,) int64; "." / "?" or anything not a whole number becomes `default`."""
        if name not in self.columns:
            return np.full(self.rows if rows is None else len(rows), default, np.int64)
        raw = self.raw(name, rows)
        try:
            return raw.astype(np.int64)
        except ValueError:
            return np.array([int(v) if v.lstrip(b"-+").isdigit() else default for v in raw.tolist()], np.int64)


def atom_site_columns(path: Path, data: bytes) -> AtomSiteColumns | None:
    """The `_atom_site` loop of `data` (the file's bytes), or None when the fast path cannot be exact."""
    header = _HEADER.search(data)
    if header is None:
        return None
    names = [line.split()[0].decode("latin-1").split(".", 1)[1] for line in header.group(1).splitlines()]
    body_start = header.end()
    buffer = np.frombuffer(data, np.uint8)[body_start:]
    line_starts = np.concatenate([[0], np.flatnonzero(buffer[:-1] == 10) + 1])
    # The loop ends at a blank line or one starting with #, _, loop_ or data_ (leading spaces aside).
    first = buffer[line_starts]
    candidates = np.flatnonzero(np.isin(first, (35, 95, 10, 13, 32, 9, 108, 100)))
    body_end = len(data)
    for start in line_starts[candidates].tolist():
        if _LOOP_END.match(data, body_start + int(start)):
            body_end = body_start + int(start)
            break
    buffer = buffer[: body_end - body_start]
    line_starts = line_starts[line_starts < len(buffer)]
    if len(buffer) == 0 or buffer[0] == ord(";") or np.any(buffer[line_starts] == ord(";")):
        return None  # a multi-line text field
    if np.any(buffer >= 128):
        return None  # a non-ASCII byte (mmCIF values are ASCII): the careful reader decodes and words it
    # Token edges in one pass: where "is blank" flips (the body is padded with a blank each side).
    blank = np.ones(len(buffer) + 2, np.int8)
    np.less_equal(buffer, 32, out=blank[1:-1].view(bool))
    flips = np.diff(blank)
    begins, finishes = np.flatnonzero(flips == -1), np.flatnonzero(flips == 1)
    del blank, flips
    quoted = np.isin(buffer[begins], _QUOTES)
    if quoted.any():
        q = np.flatnonzero(quoted)
        closed = (finishes[q] - begins[q] >= 2) & (buffer[finishes[q] - 1] == buffer[begins[q]])
        if not closed.all():
            return None  # a quoted value with spaces inside, or an unbalanced quote: the careful path
        begins, finishes = begins.copy(), finishes.copy()
        begins[q] += 1
        finishes[q] -= 1
    width = len(names)
    if len(begins) == 0 or len(begins) % width:
        return None  # the line checks name the row that lacks values
    newlines = np.flatnonzero(buffer == 10)
    first_line = data.count(b"\n", 0, body_start) + 1
    # Each row's first and last value on one line (searched per row, not per value).
    row_lines = np.searchsorted(newlines, begins[::width]) + first_line
    if not np.array_equal(np.searchsorted(newlines, begins[width - 1 :: width]) + first_line, row_lines):
        return None  # rows wrapped over lines: valid CIF, checked by the line-by-line path
    return AtomSiteColumns(path=path, data=data, columns={name: i for i, name in enumerate(names)},
                           starts=(begins + body_start).reshape(-1, width),
                           ends=(finishes + body_start).reshape(-1, width), lines=row_lines)  # fmt: skip


_TOKEN = re.compile(r"'(?:[^']|'(?=\S))*'(?=\s|$)|\"(?:[^\"]|\"(?=\S))*\"(?=\s|$)|\S+")


def small_category(text: str, category: str) -> dict[str, list[str]]:
    """A small category (struct_conf, struct_sheet_range) as {item: [values]}, loop or key-value form.

    text: the file's text after `_atom_site` is excluded, or the whole file; values unquoted.
    """
    prefix = f"_{category}."
    start = text.find(f"\n{prefix}")
    if start < 0:
        return {}
    loop = text.rfind("loop_", 0, start + 1)
    lines = text[start + 1 :].split("\n")
    items, index = [], 0
    while index < len(lines) and lines[index].startswith(prefix):
        items.append(lines[index].split(None, 1))
        index += 1
    in_loop = loop >= 0 and not text[loop + 5 : start].strip()
    if not in_loop:
        return {item[0][len(prefix) :]: [_unquote(item[1].strip())] if len(item) > 1 else [""] for item in items}
    values = []
    for line in lines[index:]:
        if not line.strip() or line.lstrip().startswith(("#", "_", "loop_", "data_")):
            break
        values += [_unquote(token) for token in _TOKEN.findall(line)]
    width = len(items)
    names = [item[0][len(prefix) :] for item in items]
    rows = len(values) // width
    return {name: values[i : rows * width : width] for i, name in enumerate(names)}


def _unquote(token: str) -> str:
    return token[1:-1] if len(token) >= 2 and token[0] in "'\"" and token[-1] == token[0] else token
