"""Building blocks shared by every part of the scene model: strict blocks, multilingual text, vectors,
transforms and cameras. Kept apart from `model` so that lessons, sections and molecules can use them
without import cycles."""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
MAX_TEXT_CHARS = 20_000


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


Number = Annotated[float, AfterValidator(_finite)]
Vec3 = tuple[Number, Number, Number]
PositiveFloat = Annotated[float, Field(gt=0), AfterValidator(_finite)]


class Strict(BaseModel):
    """A block of keys: unknown keys are errors, values are frozen after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_text(value):
    if isinstance(value, dict):
        if not value:
            raise ValueError("give the text in at least one language, e.g. {en: Femur}")
        for lang in value:
            if not LANGUAGE.match(str(lang)):
                raise ValueError(f"{lang!r} is not a language code such as en, zh, es, fr, pt-BR")
    return value


Text = Annotated[
    Annotated[str, Field(max_length=MAX_TEXT_CHARS)] | dict[str, Annotated[str, Field(max_length=MAX_TEXT_CHARS)]],
    AfterValidator(check_text),
    Field(description="plain text, or {language code: text}, e.g. {en: Femur, zh: 股骨}"),
]


def text_in(text: str | dict[str, str] | None, lang: str, fallback: str = "en") -> str | None:
    """The text in `lang` (or its base language: `pt` for `pt-BR`, or a regional one: `zh-CN` for `zh`),
    else `fallback`, else the first."""
    if text is None or isinstance(text, str):
        return text
    base = lang.split("-")[0]
    regional = next((t for code, t in text.items() if code.split("-")[0] == base), None)  # `zh` finds `zh-CN`
    return text.get(lang) or text.get(base) or regional or text.get(fallback) or next(iter(text.values()))


def nonzero(vector: tuple[float, float, float], what: str) -> tuple[float, float, float]:
    if math.sqrt(sum(c * c for c in vector)) < 1e-9:
        raise ValueError(f"{what} must not be [0, 0, 0]; it gives a direction")
    return vector


class Transform(Strict):
    """Model -> scene transform: scale, then rotate (X, Y, Z degrees), then translate."""

    translation_m: Vec3 = Field((0.0, 0.0, 0.0), description="offset, metres, scene space")
    rotation_deg: Vec3 = Field((0.0, 0.0, 0.0), description="rotation about X, then Y, then Z, degrees")
    scale: PositiveFloat | tuple[PositiveFloat, PositiveFloat, PositiveFloat] = Field(
        1.0, description="uniform factor, or [x, y, z] factors"
    )


class Camera(Strict):
    """A pinhole camera. Without a `camera` block the scene is auto-framed from the front."""

    eye_m: Vec3 = Field(description="camera position, scene space, metres")
    target_m: Vec3 = Field(description="point looked at, scene space, metres")
    up: Vec3 = Field((0.0, 1.0, 0.0), description="which way is up on screen (a direction)")
    vertical_fov_deg: float = Field(35.0, gt=1.0, lt=170.0, description="vertical field of view, degrees")

    @model_validator(mode="after")
    def _has_direction(self) -> Camera:
        if tuple(self.eye_m) == tuple(self.target_m):
            raise ValueError("eye_m and target_m are the same point; the camera needs a direction")
        nonzero(self.up, "up")
        return self
