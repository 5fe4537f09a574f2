"""Atom selections: a small language teachers write in scene files, evaluated to (N,) bool masks.

    all | none | protein | nucleic | water | ligand | hetero | backbone | sidechain | hydrogen
    chain A | chain A,B          resi 25 | resi 20-30 | resi 25,27,30-33
    resn ASP | resn ASP,GLU      name CA | name CA,CB      element C | element C,N
    within 5 of SELECTION        byres SELECTION
    SELECTION and SELECTION | SELECTION or SELECTION | not SELECTION | ( SELECTION )

Precedence: not/within/byres bind tightest, then and, then or. Keywords are case-insensitive;
names (chains, residues) are matched as written.
"""

from __future__ import annotations

import re

import numpy as np

from renderer.errors import SelectionError
from renderer.molecules.structure import NUCLEOTIDES, Structure, names_in, residue_keys

_TOKEN = re.compile(r"\(|\)|[^\s()]+")
BACKBONE_NAMES = ("N", "CA", "C", "O", "OXT", "P", "OP1", "OP2", "O5'", "C5'", "C4'", "C3'", "O3'")
_LIST_KEYWORDS = ("chain", "resi", "resn", "name", "element")
_FLAGS = ("all", "none", "protein", "nucleic", "water", "ligand", "hetero", "backbone", "sidechain", "hydrogen")


def select(structure: Structure, text: str) -> np.ndarray:
    """(N,) bool mask of the atoms `text` selects. Raises SelectionError naming the bad word."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        raise SelectionError(f"selection {text!r} is empty; write e.g. 'all', 'chain A' or 'ligand'")
    parser = _Parser(structure, tokens, text)
    mask = parser.expression()
    if parser.position < len(tokens):
        parser.fail(f"unexpected {tokens[parser.position]!r}")
    return mask


class _Parser:
    def __init__(self, structure: Structure, tokens: list[str], text: str):
        self.s, self.tokens, self.text, self.position = structure, tokens, text, 0

    def fail(self, message: str):
        raise SelectionError(f"selection {self.text!r}: {message} (word {self.position + 1})")

    def peek(self) -> str | None:
        return self.tokens[self.position].lower() if self.position < len(self.tokens) else None

    def take(self) -> str:
        if self.position >= len(self.tokens):
            self.fail("ends too early")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expression(self) -> np.ndarray:
        mask = self.conjunction()
        while self.peek() == "or":
            self.take()
            mask = mask | self.conjunction()
        return mask

    def conjunction(self) -> np.ndarray:
        mask = self.unary()
        while self.peek() == "and":
            self.take()
            mask = mask & self.unary()
        return mask

    def unary(self) -> np.ndarray:
        word = self.peek()
        if word == "not":
            self.take()
            return ~self.unary()
        if word == "byres":
            self.take()
            keys = residue_keys(self.s)
            chosen = np.zeros(keys.max() + 1 if len(keys) else 0, bool)
            chosen[keys[self.unary()]] = True
            return chosen[keys]
        if word == "within":
            self.take()
            distance = self.number(self.take())
            if self.take().lower() != "of":
                self.position -= 1
                self.fail("write 'within DISTANCE of SELECTION'")
            return within(self.s, self.unary(), distance)
        return self.primary()

    def number(self, token: str) -> float:
        try:
            value = float(token)
        except ValueError:
            self.position -= 1
            self.fail(f"{token!r} is not a distance in ångström")
        if not 0 <= value <= 1000:
            self.position -= 1
            self.fail("distance must be between 0 and 1000 Å")
        return value

    def primary(self) -> np.ndarray:
        token = self.take()
        word = token.lower()
        if word == "(":
            mask = self.expression()
            if self.take() != ")":
                self.position -= 1
                self.fail("missing ')'")
            return mask
        if word in _FLAGS:
            return self.flag(word)
        if word in _LIST_KEYWORDS:
            values = self.take().split(",")
            return self.listed(word, [v for v in values if v])
        self.position -= 1
        self.fail(f"unknown word {token!r}; use one of {', '.join(_FLAGS + _LIST_KEYWORDS)}, within, byres")

    def flag(self, word: str) -> np.ndarray:
        s = self.s
        if word == "all":
            return np.ones(s.atom_count, bool)
        if word == "none":
            return np.zeros(s.atom_count, bool)
        if word == "protein":
            return s.is_amino_acid
        if word == "nucleic":
            return names_in(s.res_names, NUCLEOTIDES)
        if word == "water":
            return s.is_water
        if word == "ligand":
            return s.is_ligand
        if word == "hetero":
            return s.hetero & ~s.is_water
        if word == "hydrogen":
            return names_in(s.elements, ("H", "D"))
        backbone = names_in(s.atom_names, BACKBONE_NAMES) & (s.is_amino_acid | names_in(s.res_names, NUCLEOTIDES))
        return backbone if word == "backbone" else (s.is_amino_acid & ~backbone)

    def listed(self, word: str, values: list[str]) -> np.ndarray:
        s = self.s
        if word == "chain":
            return names_in(s.chain_ids, values)
        if word == "resn":
            return np.isin(np.char.upper(s.res_names), [v.upper() for v in values])
        if word == "name":
            return names_in(s.atom_names, values)
        if word == "element":
            return names_in(s.elements, [v.upper() for v in values])
        mask = np.zeros(s.atom_count, bool)
        for value in values:
            match = re.fullmatch(r"(-?\d+)(?:-(-?\d+))?", value)
            if not match:
                self.position -= 1
                self.fail(f"{value!r} is not a residue number or range such as 20-30")
            first = int(match.group(1))
            last = int(match.group(2)) if match.group(2) else first
            mask |= (s.res_ids >= first) & (s.res_ids <= last)
        return mask


def within(structure: Structure, target: np.ndarray, distance_a: float) -> np.ndarray:
    """(N,) bool: atoms within `distance_a` ångström of any atom in `target` (which are included)."""
    if not target.any():
        return np.zeros(structure.atom_count, bool)
    from scipy.spatial import cKDTree  # imported here: checking a selection's syntax needs no scipy

    tree = cKDTree(structure.positions_a[target].astype(np.float64))
    nearest, _ = tree.query(structure.positions_a.astype(np.float64), distance_upper_bound=distance_a + 1e-6)
    return np.isfinite(nearest)
