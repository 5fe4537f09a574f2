"""Turning a scene's `library:` entries into ordinary parts (and groups), before validation.

Works on the plain document (like renderer.scene.references), so a mistake is reported where the
teacher wrote it, together with the rest:
- `femur: {library: right_femur}` becomes a part with the library's mesh (scene units already:
  metres, Y up), its English name and its tissue's material, unless the entry or a group holding the
  part gives a material; the entry's other keys (opacity, transform, deform, ...) are kept.
- `leg: {library: {region: ..., system: ...}}` becomes one part per match, under its library id,
  each with the entry's other keys, and a group `leg` holding them (the entry's `name` and
  `description` go to the group). A part the scene writes itself under a library id wins.
Positions of the new parts point at the entry, so later problems are reported there.
"""

from __future__ import annotations

from renderer.errors import Problem
from renderer.library.catalogue import FILTERS, Catalogue, LibraryMissing, load_catalogue
from renderer.scene.yaml_source import SourceMap, format_path

MESH_KEYS = ("mesh", "node", "unit", "up_axis")
GROUP_KEYS = ("name", "description", "label_anchor_m")


def expand_library(data: dict, source: SourceMap) -> list[Problem]:
    """Replace every `library:` part entry of `data` in place; returns the problems found."""
    parts = data.get("parts")
    if not isinstance(parts, dict) or not any(isinstance(p, dict) and "library" in p for p in parts.values()):
        return []
    problems: list[Problem] = []
    try:
        catalogue = load_catalogue()
    except LibraryMissing as exc:
        first = next(i for i, p in parts.items() if isinstance(p, dict) and "library" in p)
        return [source.problem(("parts", first, "library"), f"{format_path(('parts', first, 'library'))}: {exc}")]
    groups = data.get("groups") if isinstance(data.get("groups"), dict) else {}
    written = {i for i, p in parts.items() if not (isinstance(p, dict) and "library" in p)}
    expanded: dict = {}
    new_groups: dict = {}
    for entry_id, entry in parts.items():
        if not (isinstance(entry, dict) and "library" in entry):
            expanded[entry_id] = entry
            continue
        where = ("parts", entry_id, "library")
        report = lambda message, at=where: problems.append(source.problem(at, f"{format_path(at)}: {message}"))
        for key in MESH_KEYS:
            if key in entry:
                report(f"a library part brings its own mesh; remove `{key}:`", ("parts", entry_id, key))
        reference, rest = entry["library"], {k: v for k, v in entry.items() if k != "library" and k not in MESH_KEYS}
        if isinstance(reference, str):
            if reference not in catalogue.parts:
                report(_unknown_id(catalogue, reference))
                expanded[entry_id] = {"library": reference}  # kept, so no "the scene shows nothing" follows
                continue
            expanded[entry_id] = _part(catalogue, reference, rest)
            _point_at(source, entry_id, entry_id)
        elif isinstance(reference, dict):
            chosen = _select(catalogue, reference, where, report)
            if not chosen:
                expanded[entry_id] = {"library": "(unresolved)"}  # reported above; keeps the part count
                continue
            if entry_id in groups:
                report(f"'{entry_id}' is also a group in `groups:`; give the selection another id", ("parts", entry_id))
            members = {k: v for k, v in rest.items() if k not in GROUP_KEYS}
            for library_id in chosen:
                if library_id not in written and library_id not in expanded:
                    expanded[library_id] = _part(catalogue, library_id, members)
                    _point_at(source, library_id, entry_id)
            new_groups[entry_id] = {"parts": chosen, **{k: rest[k] for k in GROUP_KEYS if k in rest}}
            _point_at(source, entry_id, entry_id, section="groups")
        else:
            report("write a library id (`library: right_femur`) or a selection "
                   "(`library: {region: right_lower_limb, system: skeletal}`)")  # fmt: skip
    _default_materials(catalogue, expanded, {**groups, **new_groups}, parts)
    data["parts"] = expanded
    if new_groups:
        data["groups"] = {**new_groups, **groups} if isinstance(data.get("groups"), dict) else new_groups
    return problems


def _part(catalogue: Catalogue, library_id: str, rest: dict) -> dict:
    """The part entry of one library part; `rest` (the teacher's keys) wins over the library's defaults."""
    part = catalogue.parts[library_id]
    out = {"mesh": str(catalogue.path_of(part)), "library": library_id, "unit": "m", "up_axis": "y", **rest}
    out.setdefault("name", {"en": part.name})
    out.setdefault("ids", {"fma": part.fma.removeprefix("FMA")})
    return out


def _default_materials(catalogue: Catalogue, parts: dict, groups: dict, written: dict) -> None:
    """A library part without a material of its own, or from a group holding it, looks like its tissue."""
    coloured = set()
    for group in groups.values():
        if isinstance(group, dict) and group.get("material") is not None and isinstance(group.get("parts"), list):
            coloured.update(_members(group["parts"], groups))
    for part_id, part in parts.items():
        if isinstance(part, dict) and "library" in part and isinstance(part["library"], str):
            if "material" not in part and part_id not in coloured and part["library"] in catalogue.parts:
                part["material"] = catalogue.parts[part["library"]].tissue


def _members(names: list, groups: dict, depth: int = 0) -> set[str]:
    out = set()
    for name in names:
        if not isinstance(name, str):
            continue
        out.add(name)
        child = groups.get(name)
        if depth < 32 and isinstance(child, dict) and isinstance(child.get("parts"), list):
            out |= _members(child["parts"], groups, depth + 1)
    return out


def _select(catalogue: Catalogue, selection: dict, where: tuple, report) -> list[str]:
    """Library ids chosen by a selection block, or [] after reporting why none."""
    allowed = {*FILTERS, "search", "ids", "exclude"}
    for key in selection:
        if key not in allowed:
            hint = _close(str(key), allowed)
            report(f"unknown key '{key}'{hint}; a selection takes {', '.join(sorted(allowed))}", (*where, key))
            return []
    if not any(selection.get(k) for k in (*FILTERS, "search", "ids")):
        report("say which parts: region, system, tissue, side, search or ids")
        return []
    criteria = {}
    for key in FILTERS:
        value = selection.get(key)
        values = value if isinstance(value, list) else [value] if value is not None else []
        known = catalogue.values(key)
        for index, item in enumerate(values):
            if not isinstance(item, str) or item not in known:
                at = (*where, key, index) if isinstance(value, list) else (*where, key)
                report(f"no {key} '{item}'{_close(str(item), known)}; {key}s: {', '.join(known)}", at)
                return []
        criteria[key] = values or None
    for key in ("ids", "exclude"):
        if selection.get(key) is not None and not isinstance(selection[key], list):
            report("write a list of library ids, like [right_femur, right_tibia]", (*where, key))
            return []
        for index, library_id in enumerate(selection.get(key) or []):
            if not isinstance(library_id, str):  # a block or a list where an id belongs
                report(f"write a library id here, like right_femur, not {type(library_id).__name__} "
                       "(quote it if it starts with a special character)", (*where, key, index))
                return []
            if library_id not in catalogue.parts:
                report(_unknown_id(catalogue, library_id), (*where, key, index))
                return []
    chosen = [p.id for p in catalogue.select(**criteria)] if any(criteria.values()) else None
    if selection.get("search"):
        found = [p.id for p in catalogue.search(str(selection["search"]))]
        chosen = found if chosen is None else [i for i in chosen if i in set(found)]
    if selection.get("ids"):
        listed = list(dict.fromkeys(selection["ids"]))
        chosen = listed if chosen is None else [i for i in chosen if i in set(listed)]
    chosen = [i for i in (chosen or []) if i not in set(selection.get("exclude") or [])]
    if not chosen:
        report("no library part matches all of this; try `prosector library list` or `prosector library search WORD`")
    return chosen


def _unknown_id(catalogue: Catalogue, word: str) -> str:
    close = catalogue.suggest(word)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    found = catalogue.search(word.replace("_", " "))
    more = f" (parts matching '{word}': {', '.join(p.id for p in found[:5])})" if found and not close else ""
    return f"no library part '{word}'{hint}{more}; find ids with `prosector library search WORD`"


def _close(word: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _point_at(source: SourceMap, new_id: str, entry_id: str, section: str = "parts") -> None:
    """Positions of `section.new_id` (and below) are those of the entry `parts.entry_id`."""
    entry = ("parts", entry_id)
    if (section, new_id) == entry:
        return
    for table, files in ((source.values, source.value_files), (source.keys, source.key_files)):
        if entry in table:
            table[(section, new_id)] = table[entry]
            if entry in files:
                files[(section, new_id)] = files[entry]
