"""How a scene names library parts: `library: right_femur`, or a selection of many parts.

    parts:
      femur: {library: right_femur}                    # one part, id `femur`
      leg_bones:                                       # every matching part, under its library id,
        library: {region: right_lower_limb, system: skeletal}   # and a group `leg_bones` holding them
        opacity: 0.8                                   # other keys apply to every part

Kept apart from the scene model so that the model only declares the shape; expansion into parts is
renderer.library.expand.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from renderer.scene.fields import ID, Strict

Choice = str | list[str]


class LibrarySelection(Strict):
    """Many library parts at once; every key given must match (a list: any of its values)."""

    region: Choice | None = Field(None, description="e.g. right_lower_limb, thorax, head (`prosector library list`)")
    system: Choice | None = Field(None, description="skeletal, muscular or articular")
    tissue: Choice | None = Field(None, description="bone, muscle, cartilage, tendon or ligament")
    side: Choice | None = Field(None, description="left, right or midline")
    search: str | None = Field(None, max_length=200, description="words, as `prosector library search` takes them")
    ids: list[str] | None = Field(None, max_length=1000, description="library ids, listed")
    exclude: list[str] = Field(default_factory=list, max_length=1000, description="library ids left out")

    @model_validator(mode="after")
    def _says_something(self) -> LibrarySelection:
        if not any((self.region, self.system, self.tissue, self.side, self.search, self.ids)):
            raise ValueError("say which parts: region, system, tissue, side, search or ids")
        return self


LibraryRef = str | LibrarySelection  # one id, or a selection
__all__ = ["ID", "LibraryRef", "LibrarySelection"]
