"""How a scene declares a molecule (`molecules:` section). Validated here; drawn by `renderer.molecules`.

Molecule coordinates are in ångströms; `scale_m_per_angstrom` magnifies them into the scene
(0.01 puts 1 Å at 1 cm, so a 50 Å protein is half a metre across, easy to walk around in VR).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from renderer.scene.fields import Strict, Text, Transform, Vec3

MOLECULE_SUFFIXES = {".pdb": "pdb", ".ent": "pdb", ".cif": "mmcif", ".mmcif": "mmcif", ".sdf": "sdf", ".mol": "sdf"}


class MoleculeLabel(Strict):
    """A label on an atom, residue or chain, chosen with a selection such as `chain A and resid 42`."""

    selection: str = Field(min_length=1, max_length=500, description="which atoms; the label sits at their centre")
    text: Text


class MoleculeSpec(Strict):
    """A molecule from a PDB, mmCIF or SDF file, placed in the scene."""

    path: str = Field(description="PDB, mmCIF or SDF file, relative to the scene file")
    format: Literal["auto", "pdb", "mmcif", "sdf"] = Field("auto", description="auto: from the file extension")
    name: Text | None = None
    description: Text | None = None
    style: Literal["cartoon", "ball_and_stick", "spacefill", "surface"] = "cartoon"
    transform: Transform = Field(Transform(), description="placement in the scene (after scaling)")
    scale_m_per_angstrom: float = Field(0.01, gt=0.0, le=1.0, description="metres per ångström in the scene")
    centre: bool = Field(True, description="move the molecule's centre to the origin before placing it")
    visible: bool = True
    labels: list[MoleculeLabel] = Field(default_factory=list, max_length=200)
    label_anchor_m: Vec3 | None = Field(None, description="where the molecule's own label points, scene space")


def molecule_format(spec: MoleculeSpec) -> str | None:
    """'pdb', 'mmcif' or 'sdf' (from `format` or the extension), None when it cannot be told."""
    if spec.format != "auto":
        return spec.format
    lower = spec.path.lower()
    for suffix, kind in MOLECULE_SUFFIXES.items():
        if lower.endswith(suffix):
            return kind
    return None
