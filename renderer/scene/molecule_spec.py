"""How a scene declares a molecule (`molecules:` section) and how a lesson step changes its look.
Validated here (selection syntax and colours included); drawn through `renderer.scene.molecule_state`
and `renderer.gpu.scene_molecules`.

Molecule coordinates are in ångströms; `scale_m_per_angstrom` magnifies them into the scene
(0.01 puts 1 Å at 1 cm, so a 50 Å protein is half a metre across, easy to walk around in VR).
Placement: `transform @ scale @ centring` (renderer.molecules.render.placement).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from renderer.scene.fields import Strict, Text, Transform, Vec3

MOLECULE_SUFFIXES = {".pdb": "pdb", ".ent": "pdb", ".cif": "mmcif", ".mmcif": "mmcif", ".pdbx": "mmcif",
                     ".bcif": "bcif", ".sdf": "sdf", ".sd": "sdf", ".mol": "sdf", ".mol2": "mol2"}  # fmt: skip
MoleculeStyle = Literal["cartoon", "ball_and_stick", "spacefill", "licorice", "surface", "hbonds"]
MAX_REPRESENTATIONS = 32
MAX_MEASUREMENTS = 50
SCALE_BAR_MIN_M_PER_NM = 0.001  # by default a scale bar is drawn when 1 nm is drawn larger than 1 mm


def check_selection(text: str) -> str:
    """The selection's syntax, checked against no atoms (which atoms it picks is checked on loading)."""
    from renderer.errors import SelectionError
    from renderer.molecules.selection import select
    from renderer.molecules.structure import empty_structure

    try:
        select(empty_structure(), text)
    except SelectionError as error:
        raise ValueError(str(error)) from None
    return text


def check_color(value: str | tuple[float, float, float]) -> str | tuple[float, float, float]:
    from renderer.molecules.palette import SCHEMES, parse_color
    from renderer.scene.problems import did_you_mean

    if isinstance(value, str) and value.startswith("#"):
        parse_color(value)  # ValueError names the colour
        if len(value) != 7:
            raise ValueError(f"{value!r} is not a #rrggbb colour")
        return value
    if isinstance(value, str) and value not in SCHEMES:
        raise ValueError(f"unknown colour scheme {value!r}{did_you_mean(value, SCHEMES)} "
                         f"(schemes: {', '.join(SCHEMES)}; or a colour like '#ff8800')")  # fmt: skip
    if not isinstance(value, str):
        parse_color(value)
    return value


Selection = Annotated[str, Field(min_length=1, max_length=500, description="atoms, in Prosector's selection "
                      "language: all, protein, ligand, water, chain A, resi 20-30, resn ASP, within 5 of ligand, "
                      "and/or/not"), AfterValidator(check_selection)]  # fmt: skip
MoleculeColor = Annotated[str | tuple[float, float, float], AfterValidator(check_color),
                          Field(description="a colour scheme (element, chain, residue, secondary, bfactor, "
                                "hydrophobicity) or one colour '#rrggbb'")]  # fmt: skip


class Representation(Strict):
    """One way of drawing some of a molecule's atoms."""

    style: MoleculeStyle = Field(description="cartoon, ball_and_stick, spacefill, licorice, surface, or hbonds "
                                 "(dashed hydrogen bonds between `select` and the rest)")  # fmt: skip
    select: Selection = "all"
    color: MoleculeColor = "element"
    opacity: float = Field(1.0, ge=0.0, le=1.0, description="below 1 only for cartoon and surface")
    helix: Literal["ribbon", "cylinder"] = Field("ribbon", description="cartoon only: helices as flat ribbons "
                                                 "or as cylinders along their axes")  # fmt: skip
    surface: Literal["gaussian", "molecular"] = Field("gaussian", description="surface only: gaussian (fast, "
                                                      "smooth) or molecular (solvent-excluded, as PyMOL draws it)")
    bond_orders: bool = Field(True, description="ball_and_stick and licorice: double bonds as two sticks, "
                              "aromatic rings with a dashed inner line")  # fmt: skip

    @model_validator(mode="after")
    def _options_fit_style(self) -> Representation:
        for option, styles in (("helix", ("cartoon",)), ("surface", ("surface",)),
                               ("bond_orders", ("ball_and_stick", "licorice"))):  # fmt: skip
            if option in self.model_fields_set and self.style not in styles:
                raise ValueError(f"`{option}` applies to style {' or '.join(styles)} only; remove it from this "
                                 f"{self.style} representation")  # fmt: skip
        return self


class Measurement(Strict):
    """A distance or an angle drawn as dashed lines with its value, e.g. `distance: [resi 25 and name OD1
    and chain A, ligand and name O3]`. Each selection stands for the centre of its atoms."""

    distance: tuple[Selection, ...] | None = Field(None, description="two selections: "
                                             "the distance between them, in ångström")  # fmt: skip
    angle: tuple[Selection, ...] | None = Field(None, description="three selections: "
                                          "the angle at the middle one, in degrees")  # fmt: skip
    color: MoleculeColor = Field("#7fd4ff", description="the dashes' colour, '#rrggbb'")
    label: bool = Field(True, description="show the value beside the dashes")

    @model_validator(mode="after")
    def _one_kind(self) -> Measurement:
        if (self.distance is None) == (self.angle is None):
            raise ValueError("give either `distance: [selection, selection]` or `angle: [selection, selection, "
                             "selection]`")  # fmt: skip
        for kind, wanted, example in (("distance", 2, "[chain A and resi 25 and name CG, ligand]"),
                                      ("angle", 3, "[name N, name CA, name C] (the angle at the middle one)")):
            given = getattr(self, kind)
            if given is not None and len(given) != wanted:
                raise ValueError(f"`{kind}` takes {wanted} selections, {len(given)} given; write e.g. "
                                 f"{kind}: {example}")  # fmt: skip
        if isinstance(self.color, str) and not self.color.startswith("#"):
            raise ValueError("a measurement's `color` is one colour such as '#7fd4ff', not a scheme")
        return self

    @property
    def kind(self) -> str:
        return "distance" if self.distance is not None else "angle"

    @property
    def selections(self) -> list[str]:
        return list(self.distance if self.distance is not None else self.angle)


class MoleculeLabel(Strict):
    """A label on atoms, residues or a chain, chosen with a selection such as `chain A and resi 25`."""

    selection: Selection = Field(description="which atoms; the label points at their centre")
    text: Text


class MoleculeSpec(Strict):
    """A molecule from a PDB, mmCIF, SDF or MOL2 file, placed in the scene."""

    path: str = Field(description="PDB, mmCIF, SDF or MOL2 file, relative to the scene file")
    format: Literal["auto", "pdb", "mmcif", "bcif", "sdf", "mol2"] = Field(
        "auto", description="auto: from the file extension")
    model: int = Field(1, ge=1, le=100_000, description="which model of a multi-model file (NMR, SDF), from 1")
    name: Text | None = None
    description: Text | None = None
    style: MoleculeStyle | None = Field(None, description="shorthand for one representation of all but water; "
                                        "without `style` and `representations`: cartoon plus the ligand")  # fmt: skip
    representations: list[Representation] | None = Field(None, min_length=1, max_length=MAX_REPRESENTATIONS)
    transform: Transform = Field(Transform(), description="placement in the scene (after scaling); one scale factor")
    scale_m_per_angstrom: float = Field(0.01, gt=0.0, le=1.0, description="metres per ångström in the scene")
    centre: bool = Field(True, description="move the molecule's centre to the origin before placing it")
    visible: bool = True
    labels: list[MoleculeLabel] = Field(default_factory=list, max_length=200, description="shown with the "
                                        "molecule; a step can replace them")  # fmt: skip
    label_anchor_m: Vec3 | None = Field(None, description="where the molecule's own label points, scene space")
    scale_bar: bool | None = Field(None, description="a bar of a round length (1 nm, ...) beside the molecule; "
                                   "default: when 1 nm is drawn larger than 1 mm")  # fmt: skip

    @model_validator(mode="after")
    def _consistent(self) -> MoleculeSpec:
        if self.style is not None and self.representations is not None:
            raise ValueError("give either `style` (one line) or `representations` (a list), not both")
        return self

    @field_validator("transform")
    @classmethod
    def _uniform_scale(cls, transform: Transform) -> Transform:
        if not isinstance(transform.scale, (int, float)):
            raise ValueError("a molecule's `scale` is one number, so that atoms stay round")
        return transform

    @property
    def m_per_angstrom(self) -> float:
        """Metres per ångström in the scene, the transform's scale included."""
        return self.scale_m_per_angstrom * float(self.transform.scale)

    @property
    def shows_scale_bar(self) -> bool:
        if self.scale_bar is not None:
            return self.scale_bar
        return self.m_per_angstrom * 10.0 > SCALE_BAR_MIN_M_PER_NM


class StepMolecule(Strict):
    """How one molecule looks in one lesson step; what is left out stays as the molecule declares."""

    style: MoleculeStyle | None = Field(None, description="shorthand for one representation of all but water")
    representations: list[Representation] | None = Field(None, min_length=1, max_length=MAX_REPRESENTATIONS)
    labels: list[MoleculeLabel] | None = Field(None, max_length=200, description="replace the molecule's labels "
                                               "in this step ([]: none)")  # fmt: skip
    scale_bar: bool | None = None
    measure: list[Measurement] = Field(default_factory=list, max_length=MAX_MEASUREMENTS, description="distances "
                                       "and angles drawn in this step")  # fmt: skip
    highlight: Selection | None = Field(None, description="atoms drawn in the highlight colour in this step, "
                                        "e.g. 'resi 25 and chain A' (the step's `highlight` list tints whole "
                                        "molecules)")  # fmt: skip

    @model_validator(mode="after")
    def _consistent(self) -> StepMolecule:
        if self.style is not None and self.representations is not None:
            raise ValueError("give either `style` (one line) or `representations` (a list), not both")
        return self


def molecule_format(spec: MoleculeSpec) -> str | None:
    """'pdb', 'mmcif', 'bcif', 'sdf' or 'mol2' (from `format` or the extension), None when it cannot be told."""
    if spec.format != "auto":
        return spec.format
    lower = spec.path.lower()
    for suffix, kind in MOLECULE_SUFFIXES.items():
        if lower.endswith(suffix):
            return kind
    return None
