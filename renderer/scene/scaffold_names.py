"""Names for `prosector new`: a clean display name and a readable, unique id per structure, with the
dataset identifiers (FMA, BodyParts3D FJ/BP, UBERON...) taken out of the label and kept as `ids:`.

"FJ40_BP62922_FMA24474_Right_femur" -> name "Right femur", id `right_femur`,
ids {fj: FJ40, bp: BP62922, fma: "24474"}.

Dataset metadata (a `meta.json` next to the files or one folder up, as BodyParts3D conversions ship
it) gives the label, group and ids when present; see `find_metadata`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_ID_CHARS = 64  # renderer.scene.fields.ID
MAX_METADATA_BYTES = 8 * 1024 * 1024

# A dataset id at the start or end of a name: FMA24474, FMA:24474, BP62922, FJ40, UBERON_0002469, C12345.
_ID_TOKEN = re.compile(r"^(FMA|BP|FJ|UBERON|MESH|SNOMED|TA|ID)[:_]?(\d+)$", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\d{3,}$")
_STOP_WORDS = {"of", "the", "and", "part", "set"}
_SIDES = {"left", "right"}


@dataclass
class SourceInfo:
    """What metadata says about one file: label, group names (dataset group, region) and ids."""

    label: str | None = None
    groups: list[str] = field(default_factory=list)
    region: str | None = None
    ids: dict[str, str] = field(default_factory=dict)


def clean_name(raw: str) -> tuple[str, dict[str, str]]:
    """(display name, ids) from a file stem or node name: ids and bare numbers removed from both
    ends, separators turned into spaces, the original capitalisation kept ("Right femur")."""
    tokens = [t for t in re.split(r"[\s_]+", raw.strip()) if t]
    ids: dict[str, str] = {}

    def take(token: str) -> bool:
        match = _ID_TOKEN.match(token)
        if match:
            key = match.group(1).lower()
            ids[key] = match.group(2) if key == "fma" else token.upper().replace(":", "")
            return True
        return bool(_BARE_NUMBER.match(token))

    while tokens and take(tokens[0]):
        tokens.pop(0)
    while tokens and take(tokens[-1]):
        tokens.pop()
    name = " ".join(tokens).replace("-", " ").strip() if tokens else raw.strip()
    name = re.sub(r"\s+", " ", name)
    return (name[:1].upper() + name[1:]) if name.islower() else name, ids


def make_id(name: str, taken: set[str], kind: str = "part") -> str:
    """A unique id (letters, digits, _ and -, starting with a letter, at most 64 characters) from a
    display name: lower case, words joined by _, long names shortened word by word (never cut so
    that "...left..." and "...right..." collide); `taken` is updated."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name.lower()) if w]
    if not words:
        words = [kind]
    if not words[0][0].isalpha():
        words.insert(0, kind)
    base = "_".join(words)
    if len(base) > MAX_ID_CHARS - 4:
        words = [w for w in words if w not in _STOP_WORDS] or words
        base = "_".join(words)
    while len(base) > MAX_ID_CHARS - 4:  # shorten the longest word by a letter; sides stay whole
        longest = max(range(len(words)), key=lambda i: (len(words[i]) if words[i] not in _SIDES else 0, -i))
        if len(words[longest]) <= 4:
            break
        words[longest] = words[longest][:-1]
        base = "_".join(words)
    base = base[: MAX_ID_CHARS - 4]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def find_metadata(files: list[Path]) -> dict[Path, SourceInfo]:
    """Metadata per file from `meta.json` files next to the inputs or one folder up.

    Read: a JSON list of records (or {"parts": [...]}) with `filename`/`file`/`path`, and any of
    `label`/`name`, `group`/`tissue`/`system`, `subgroup`/`region`, and id fields (`fma`, `fj`, `bp`,
    `uberon`). Records are matched by path relative to the meta.json, else by a file name that only one
    record has. A file that
    cannot be read as such is ignored: metadata only improves guesses.
    """
    folders = {f.resolve().parent for f in files}
    candidates = {d / "meta.json" for d in folders} | {d.parent / "meta.json" for d in folders}
    by_path: dict[Path, SourceInfo] = {}
    by_name: dict[str, list[SourceInfo]] = {}
    for meta in sorted(candidates):
        for path, info in _read_metadata(meta).items():
            by_path.setdefault(path, info)
            by_name.setdefault(path.name, []).append(info)
    found = {}
    for file in files:
        named = by_name.get(file.name, [])
        info = by_path.get(file.resolve()) or (named[0] if len(named) == 1 else None)  # a unique name only
        if info is not None:
            found[file] = info
    return found


def _read_metadata(meta: Path) -> dict[Path, SourceInfo]:
    try:
        if not meta.is_file() or meta.stat().st_size > MAX_METADATA_BYTES:
            return {}
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    records = data.get("parts", data.get("files")) if isinstance(data, dict) else data
    out = {}
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        name = next((record[k] for k in ("filename", "file", "path") if isinstance(record.get(k), str)), None)
        if not name:
            continue
        info = SourceInfo(label=_text(record, "label", "name"))
        group = _text(record, "group", "tissue", "system")
        info.groups = [group] if group else []
        region = _text(record, "region", "subgroup")
        info.region = region if region and region.lower() not in ("uncategorized", "other", "none") else None
        for key in ("fma", "fj", "bp", "uberon"):
            value = record.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
                info.ids[key] = str(value)
        out[(meta.parent / name).resolve()] = info
    return out


def _text(record: dict, *keys: str) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return None
