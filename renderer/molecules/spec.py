"""A small standalone molecule view file (YAML), for examples, tests and benchmarks until the scene
format's `molecules:` section is wired to this package:

    molecule: ../assets/molecules/1hpv.pdb   # relative to this file
    model: 1
    scale_m_per_angstrom: 0.01               # 1 Å drawn as 1 cm
    steps:                                   # lesson steps; each lists what is drawn
      - title: The enzyme
        representations:
          - {style: cartoon, select: protein, color: secondary}

`representations:` at the top level is shorthand for a single step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from renderer.errors import ProsectorError
from renderer.molecules.representations import STYLES, Representation

Style = Literal[STYLES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RepresentationSpec(_Strict):
    style: Style
    select: str = "all"
    color: str | tuple[float, float, float] = "element"
    opacity: float = Field(1.0, ge=0.0, le=1.0)

    def build(self) -> Representation:
        return Representation(self.style, self.select, self.color, self.opacity)


class CameraSpec(_Strict):
    """Camera in ångström around the molecule's centre: direction from the centre to the eye."""

    direction: tuple[float, float, float] = (0.0, 0.0, 1.0)
    target_select: str | None = Field(None, description="frame this selection instead of the whole molecule")
    distance_factor: float = Field(1.0, gt=0.05, le=20.0)


class StepSpec(_Strict):
    title: str
    representations: list[RepresentationSpec] = Field(min_length=1)
    camera: CameraSpec = CameraSpec()


class MoleculeViewSpec(_Strict):
    molecule: str
    model: int = Field(1, ge=1)
    scale_m_per_angstrom: float = Field(0.01, gt=0.0)
    representations: list[RepresentationSpec] | None = None
    steps: list[StepSpec] | None = None

    def all_steps(self) -> list[StepSpec]:
        if self.steps:
            return list(self.steps)
        return [StepSpec(title="view", representations=self.representations or [RepresentationSpec(style="cartoon")])]


def load_view_spec(path: str | Path) -> tuple[MoleculeViewSpec, Path]:
    """The spec and the absolute path of its molecule file. Raises ProsectorError naming the file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
        spec = MoleculeViewSpec.model_validate(data)
    except (OSError, yaml.YAMLError) as error:
        raise ProsectorError(f"{path}: cannot read: {error}") from None
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ProsectorError(f"{path}: {problems}") from None
    return spec, (path.parent / spec.molecule).resolve()
