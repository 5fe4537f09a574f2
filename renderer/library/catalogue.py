"""Reading the library's catalogue (assets/library/catalogue.json) and finding parts in it.

The catalogue is written by tools/build_library.py. A part's mesh is `assets/library/<file>` in a
checkout and `renderer/assets/library/<file>` in a wheel (renderer.scene.assets.bundled_asset_dirs);
its geometry is already in scene space (metres, Y up, facing +Z, the patient's left +X).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from renderer.scene.assets import bundled_asset_dirs

FILTERS = ("region", "system", "tissue", "side")


@dataclass(frozen=True)
class LibraryPart:
    """One catalogue entry. bounds_m: ((x, y, z), (x, y, z)) scene space, metres."""

    id: str
    name: str
    fma: str
    tissue: str
    region: str
    system: str
    side: str
    keywords: tuple[str, ...]
    file: str
    source: str
    triangles: int
    bounds_m: tuple
    frame_fix: str | None = None

    def value(self, key: str) -> str:
        return getattr(self, key)


class LibraryMissing(LookupError):
    """The library is not installed with this copy of Prosector."""


@dataclass(frozen=True)
class Catalogue:
    folder: Path
    parts: dict[str, LibraryPart]
    excluded: tuple[str, ...]

    def path_of(self, part: LibraryPart) -> Path:
        return self.folder / part.file

    def values(self, key: str) -> list[str]:
        """Every value of `key` (region, system, tissue, side), sorted."""
        return sorted({p.value(key) for p in self.parts.values()})

    def select(self, **criteria: list[str] | str | None) -> list[LibraryPart]:
        """Parts matching every criterion (region=..., system=...; a list means any of its values), by id."""
        chosen = []
        for part in self.parts.values():
            if all(_matches(part.value(k), v) for k, v in criteria.items() if v):
                chosen.append(part)
        return sorted(chosen, key=lambda p: p.id)

    def search(self, query: str) -> list[LibraryPart]:
        """Parts whose id, name, region or keywords hold every word of `query`, best first."""
        words = [w for w in re.split(r"[\s_]+", query.lower()) if w]
        scored = []
        for part in self.parts.values():
            fields = (part.id.replace("_", " "), part.name.lower(), part.region.replace("_", " "),
                      " ".join(part.keywords), part.tissue, part.fma.lower())  # fmt: skip
            text = " | ".join(fields)
            if words and all(w in text for w in words):
                in_name = sum(bool(re.search(rf"\b{re.escape(w)}", fields[1])) for w in words)
                unsided = part.id.removeprefix(f"{part.side}_")
                scored.append((-in_name, len(unsided), unsided, part.side, part))
        return [item[-1] for item in sorted(scored, key=lambda s: s[:4])]

    def suggest(self, word: str) -> list[str]:
        """Ids close to a mistyped one."""
        return difflib.get_close_matches(word, list(self.parts), n=1, cutoff=0.7)


def _matches(value: str, wanted) -> bool:
    return value in wanted if isinstance(wanted, list | tuple) else value == wanted


def library_folder() -> Path | None:
    for root in bundled_asset_dirs():
        if (root / "library" / "catalogue.json").is_file():
            return root / "library"
    return None


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    folder = library_folder()
    if folder is None:
        raise LibraryMissing("the bundled anatomy library (assets/library) is not installed with this Prosector")
    data = json.loads((folder / "catalogue.json").read_text(encoding="utf-8"))
    parts = {}
    for entry in data["parts"]:
        parts[entry["id"]] = LibraryPart(
            id=entry["id"], name=entry["name"]["en"], fma=entry["fma"], tissue=entry["tissue"],
            region=entry["region"], system=entry["system"], side=entry["side"], keywords=tuple(entry["keywords"]),
            file=entry["file"], source=entry["source"], triangles=entry["triangles"],
            bounds_m=tuple(tuple(c) for c in entry["bounds_m"]), frame_fix=entry.get("frame_fix"),
        )  # fmt: skip
    return Catalogue(folder, parts, tuple(data.get("excluded", ())))
