"""Colour schemes and atomic radii. Colours are sRGB in [0, 1] (as teachers write them); the GPU
upload converts to linear. Every scheme returns (N, 3) float32 for the N atoms of a structure."""

from __future__ import annotations

import numpy as np

from renderer.molecules.structure import Structure

# Element colours after the CPK convention as Jmol popularised it (values chosen here, rounded).
ELEMENT_COLORS = {
    "H": (0.95, 0.95, 0.95), "C": (0.50, 0.50, 0.50), "N": (0.19, 0.31, 0.97), "O": (1.00, 0.05, 0.05),
    "S": (1.00, 0.78, 0.20), "P": (1.00, 0.50, 0.00), "F": (0.56, 0.88, 0.31), "CL": (0.12, 0.94, 0.12),
    "BR": (0.65, 0.16, 0.16), "I": (0.58, 0.00, 0.58), "FE": (0.88, 0.40, 0.20), "ZN": (0.49, 0.50, 0.69),
    "MG": (0.54, 1.00, 0.00), "CA": (0.24, 1.00, 0.00), "NA": (0.67, 0.36, 0.95), "K": (0.56, 0.25, 0.83),
    "SE": (1.00, 0.63, 0.00), "CU": (0.78, 0.50, 0.20), "MN": (0.61, 0.48, 0.78),
}  # fmt: skip
OTHER_ELEMENT = (1.0, 0.08, 0.58)

# Van der Waals radii, ångström (Bondi 1964; hydrogen 1.10 after Rowland & Taylor).
VDW_RADII_A = {"H": 1.10, "C": 1.70, "N": 1.55, "O": 1.52, "S": 1.80, "P": 1.80, "F": 1.47, "CL": 1.75,
               "BR": 1.85, "I": 1.98, "SE": 1.90, "FE": 1.94, "ZN": 1.39, "MG": 1.73, "CA": 2.31, "NA": 2.27,
               "K": 2.75, "CU": 1.40, "MN": 1.97}  # fmt: skip
OTHER_RADIUS_A = 1.8

CHAIN_PALETTE = np.array([(0.36, 0.62, 0.86), (0.93, 0.55, 0.24), (0.45, 0.76, 0.40), (0.84, 0.38, 0.52),
                          (0.62, 0.50, 0.82), (0.90, 0.80, 0.30), (0.35, 0.78, 0.78), (0.70, 0.55, 0.40)],
                         dtype=np.float32)  # fmt: skip

SECONDARY_COLORS = {"a": (0.90, 0.25, 0.45), "b": (0.98, 0.80, 0.22), "c": (0.85, 0.85, 0.82), "": (0.6, 0.6, 0.6)}

# Residue classes: acidic, basic, polar, hydrophobic, special (Gly, Pro, Cys).
RESIDUE_CLASS = {"ASP": "acidic", "GLU": "acidic", "LYS": "basic", "ARG": "basic", "HIS": "basic",
                 "SER": "polar", "THR": "polar", "ASN": "polar", "GLN": "polar", "TYR": "polar",
                 "ALA": "hydrophobic", "VAL": "hydrophobic", "LEU": "hydrophobic", "ILE": "hydrophobic",
                 "MET": "hydrophobic", "PHE": "hydrophobic", "TRP": "hydrophobic",
                 "GLY": "special", "PRO": "special", "CYS": "special"}  # fmt: skip
CLASS_COLORS = {"acidic": (0.90, 0.20, 0.20), "basic": (0.25, 0.40, 0.95), "polar": (0.30, 0.75, 0.45),
                "hydrophobic": (0.92, 0.90, 0.85), "special": (0.85, 0.65, 0.35)}  # fmt: skip
# Nucleotides in the "residue" scheme, by base (the colours of the NDB's base cartoons).
BASE_COLORS = {"A": (0.88, 0.25, 0.25), "G": (0.30, 0.72, 0.35), "C": (0.95, 0.80, 0.25), "U": (0.25, 0.75, 0.85),
               "T": (0.30, 0.45, 0.92), "I": (0.6, 0.6, 0.6)}  # fmt: skip
NUCLEOTIDE_COLORS = {**BASE_COLORS, **{"D" + k: v for k, v in BASE_COLORS.items()}}

# Kyte & Doolittle (1982) hydropathy index.
KYTE_DOOLITTLE = {"ILE": 4.5, "VAL": 4.2, "LEU": 3.8, "PHE": 2.8, "CYS": 2.5, "MET": 1.9, "ALA": 1.8,
                  "GLY": -0.4, "THR": -0.7, "SER": -0.8, "TRP": -0.9, "TYR": -1.3, "PRO": -1.6, "HIS": -3.2,
                  "GLU": -3.5, "GLN": -3.5, "ASP": -3.5, "ASN": -3.5, "LYS": -3.9, "ARG": -4.5}  # fmt: skip

SCHEMES = ("element", "chain", "residue", "secondary", "bfactor", "hydrophobicity")


def _lookup(keys: np.ndarray, table: dict, default) -> np.ndarray:
    """Vectorised dict lookup through the unique keys: no per-atom Python loop."""
    unique, inverse = np.unique(keys, return_inverse=True)
    values = np.array([table.get(str(k), default) for k in unique], dtype=np.float32)
    return values[inverse] if len(unique) else np.zeros((0, *np.shape(default)), np.float32)


def vdw_radii(structure: Structure) -> np.ndarray:
    """(N,) float32 van der Waals radius per atom, ångström."""
    return _lookup(structure.elements, VDW_RADII_A, OTHER_RADIUS_A)


def ramp(values: np.ndarray, low, mid, high) -> np.ndarray:
    """(N,) in [0, 1] -> (N, 3) colours through three stops."""
    t = np.clip(values, 0.0, 1.0)[:, None].astype(np.float32)
    low, mid, high = (np.asarray(c, np.float32) for c in (low, mid, high))
    return np.where(t < 0.5, low + (mid - low) * (t * 2), mid + (high - mid) * (t * 2 - 1)).astype(np.float32)


def scheme_colors(structure: Structure, scheme: str) -> np.ndarray:
    """(N, 3) float32 sRGB colours of a named scheme, or of see `colors_for` for single colours."""
    s = structure
    if scheme == "element":
        return _lookup(s.elements, ELEMENT_COLORS, OTHER_ELEMENT)
    if scheme == "chain":
        _, index = np.unique(s.chain_ids, return_inverse=True)
        return CHAIN_PALETTE[index % len(CHAIN_PALETTE)]
    if scheme == "secondary":
        colors = _lookup(s.secondary, SECONDARY_COLORS, SECONDARY_COLORS[""])
        return np.where((s.secondary == "")[:, None], scheme_colors(s, "element"), colors)
    if scheme == "residue":
        table = {**{k: CLASS_COLORS[v] for k, v in RESIDUE_CLASS.items()}, **NUCLEOTIDE_COLORS}
        classes = _lookup(s.res_names, table, (-1.0, -1.0, -1.0))
        return np.where(classes[:, :1] < 0, scheme_colors(s, "element"), classes).astype(np.float32)
    if scheme == "bfactor":
        lo, hi = np.percentile(s.b_factors, [5, 95]) if s.atom_count else (0.0, 1.0)
        t = (s.b_factors - lo) / max(hi - lo, 1e-6)
        return ramp(t, (0.15, 0.30, 0.85), (0.95, 0.95, 0.95), (0.85, 0.15, 0.15))
    if scheme == "hydrophobicity":
        values = _lookup(s.res_names, KYTE_DOOLITTLE, np.nan)
        colors = ramp((values + 4.5) / 9.0, (0.10, 0.55, 0.65), (0.95, 0.95, 0.95), (0.90, 0.50, 0.10))
        return np.where(np.isnan(values)[:, None], scheme_colors(s, "element"), colors).astype(np.float32)
    raise ValueError(f"unknown colour scheme {scheme!r}; use one of {', '.join(SCHEMES)} or a colour like #ff8800")


def parse_color(value) -> np.ndarray | None:
    """A single colour from "#rrggbb" or (r, g, b) in [0, 1]; None when `value` names a scheme."""
    if isinstance(value, str):
        if value.startswith("#") and len(value) == 7:
            try:
                return np.array([int(value[i : i + 2], 16) / 255 for i in (1, 3, 5)], np.float32)
            except ValueError:
                raise ValueError(f"{value!r} is not a #rrggbb colour") from None
        return None
    rgb = np.asarray(value, dtype=np.float32)
    if rgb.shape != (3,) or not np.all((rgb >= 0) & (rgb <= 1)):
        raise ValueError(f"{value!r} is not an (r, g, b) colour with components in [0, 1]")
    return rgb


def colors_for(structure: Structure, color) -> np.ndarray:
    """(N, 3) float32 sRGB: a scheme name or one colour for every atom."""
    single = parse_color(color)
    if single is not None:
        return np.broadcast_to(single, (structure.atom_count, 3)).astype(np.float32)
    return scheme_colors(structure, str(color))
