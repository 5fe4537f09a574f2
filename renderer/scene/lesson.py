"""A lesson: ordered steps, each a self-contained view of the scene with a title and text.

Every step starts from the scene as declared (parts' own `visible`/`opacity`, active sections),
then applies its own lists. Steps do not accumulate, so a student can jump to any step and see
exactly what the teacher wrote for it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from renderer.scene.fields import Camera, Strict, Text
from renderer.scene.molecule_spec import StepMolecule

MAX_STEPS = 500
MAX_TRANSITION_MS = 60_000


class Question(Strict):
    """A question whose answer is a part or group the student points at ("point at the femur")."""

    prompt: Text = Field(description="what the student is asked, e.g. {en: Point at the white matter}")
    answer: str = Field(description="id of the part or group that answers it")
    also_accept: list[str] = Field(default_factory=list, max_length=100, description="other ids counted as right")
    hint: Text | None = None


class Step(Strict):
    """One step of a lesson. Ids name parts, groups or molecules; a group stands for all its parts."""

    title: Text
    text: Text | None = Field(None, description="Markdown shown beside the view")
    show: list[str] = Field(default_factory=list, max_length=1000, description="made visible in this step")
    hide: list[str] = Field(default_factory=list, max_length=1000, description="hidden in this step")
    only: list[str] | None = Field(None, max_length=1000, description="show these and hide everything else")
    highlight: list[str] = Field(default_factory=list, max_length=1000, description="drawn with a glowing rim")
    label: list[str] = Field(default_factory=list, max_length=200, description="labelled with their names")
    opacity: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=dict, description="{id: 0..1} opacity in this step"
    )
    camera: str | Camera | None = Field(None, description="a bookmark's name or a camera block; "
                                        "default: the scene's camera")  # fmt: skip
    clip: list[str] | None = Field(None, max_length=50, description="sections active in this step; default: those "
                                   "marked active")  # fmt: skip
    animate: list[str] = Field(default_factory=list, max_length=50, description="animations played in this step")
    transition_ms: int = Field(800, ge=0, le=MAX_TRANSITION_MS, description="camera and fade time into this step")
    question: Question | None = None
    molecules: dict[str, StepMolecule] = Field(default_factory=dict, max_length=100, description="{molecule id: "
                                               "representations, labels, scale bar} in this step")  # fmt: skip


class Lesson(Strict):
    """What students step through, in order."""

    title: Text | None = None
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)
