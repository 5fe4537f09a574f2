"""The text `prosector new` writes for meshes: scene-level `defaults:`, parts, and groups, each
guess followed by a comment saying why it was made, so a teacher can check and change it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from renderer.scene.scaffold_frame import Frame


@dataclass
class PartEntry:
    """One part to write: id, mesh path (relative to the scene), node name (None: the whole file),
    display name, preset, ids from the dataset, own unit (None: the defaults') with why, and why
    it starts hidden (None: visible)."""

    part_id: str
    mesh: str
    node: str | None
    name: str
    preset: str
    ids: dict[str, str] = field(default_factory=dict)
    unit: str | None = None
    unit_why: str = ""
    hidden_why: str | None = None
    tissue_why: str = "name"


def quote(text: str) -> str:
    """A YAML double-quoted string (safe for any text, including a leading *, &, ! or %)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + escaped + '"'


def comment(text: str, indent: str = "", width: int = 110) -> list[str]:
    """`text` as YAML comment lines of at most about `width` characters."""
    return [f"{indent}# {line}" for line in textwrap.wrap(text, width - len(indent) - 2)]


def header(title: str) -> list[str]:
    return [
        "# Prosector scene. Reference: docs/scene-format.md",
        "version: 1",
        f"title: {{en: {quote(title)}}}",
    ]


def defaults_yaml(frame: Frame | None, material: str | None) -> list[str]:
    """The `defaults:` block: the batch's unit and up axis (with the reason), and the material when
    one tissue covers every part."""
    if frame is None:
        return []
    lines = comment(f"Units and up axis {frame.why}. Every part uses these unless it sets its own.")
    lines.append("defaults:")
    lines.append(f"  unit: {frame.unit}")
    lines.append(f"  up_axis: {frame.up_axis}")
    if material:
        lines.append(f"  material: {material}  # every part's name or folder says {material}")
    return lines


def parts_yaml(entries: list[PartEntry], grouped: set[str]) -> list[str]:
    """`parts:`; a part in a system group (which carries the material) writes no material itself."""
    if not entries:
        return []
    lines = ["parts:"]
    for entry in entries:
        lines.append(f"  {entry.part_id}:")
        lines.append(f"    mesh: {quote(entry.mesh)}")
        if entry.node:
            lines.append(f"    node: {quote(entry.node)}")
        if entry.unit:
            lines.append(f"    unit: {entry.unit}  # {entry.unit_why}")
        lines.append(f"    name: {{en: {quote(entry.name)}}}")
        if entry.part_id not in grouped:
            why = "" if entry.tissue_why == "name" else f"  # from {entry.tissue_why}"
            if entry.tissue_why == "default":
                why = "  # nothing in the name or folder says which tissue; change it if needed"
            lines.append(f"    material: {entry.preset}{why}")
        if entry.ids:
            fields = ", ".join(f"{key}: {quote(value)}" for key, value in sorted(entry.ids.items()))
            lines.append(f"    ids: {{{fields}}}")
        if entry.hidden_why:
            lines += comment(f"Hidden: {entry.hidden_why}.", indent="    ")
            lines.append("    visible: false")
    return lines


def groups_yaml(groups: list[tuple[str, str, str | None, list[str]]]) -> list[str]:
    """`groups:`, each with its parts as a block list (one id a line, easy to move)."""
    if not groups:
        return []
    lines = ["# Groups: a step can show or hide a whole group; a group's material applies to its parts.", "groups:"]
    for group_id, display, preset, ids in groups:
        lines.append(f"  {group_id}:")
        lines.append(f"    name: {{en: {quote(display)}}}")
        if preset:
            which = "the part below" if len(ids) == 1 else f"all {len(ids)} parts below"
            lines.append(f"    material: {preset}  # for {which}; a part may set its own")
        lines.append("    parts:")
        lines += [f"      - {part_id}" for part_id in ids]
    return lines
