"""Which material a part wears: its own, else the nearest group's, else the scene's default.

Its own module (not step_state's) because the loader needs it for alpha masks, and step_state
imports the loader.
"""

from __future__ import annotations

from collections import deque

from renderer.scene.materials import Material
from renderer.scene.model import Scene


def part_material(scene: Scene, part_id: str) -> str | Material:
    """The part's own material, else that of the nearest group holding it, else `defaults.material`,
    else the preset `organ`."""
    part = scene.parts[part_id]
    if "material" in part.model_fields_set:
        return part.material
    for depth_first in _groups_holding(scene, part_id):
        material = scene.groups[depth_first].material
        if material is not None:
            return material
    return part.material if scene.defaults.material is None else scene.defaults.material


def material_origin(scene: Scene, part_id: str) -> tuple:
    """Where the part's effective material (`part_material`) is written: ("parts", id, "material") or
    ("groups", id, "material") for an inline one, ("materials", name) for a scene material, () for a preset."""
    part = scene.parts[part_id]
    holder: tuple = ("parts", part_id)
    if "material" not in part.model_fields_set:
        groups = [g for g in _groups_holding(scene, part_id) if scene.groups[g].material is not None]
        holder = ("groups", groups[0]) if groups else ("defaults",) if scene.defaults.material is not None else ()
    material = part_material(scene, part_id)
    if isinstance(material, Material):
        return (*holder, "material")
    return ("materials", material) if material in scene.materials else ()


_holders_cache: list = [None, {}]  # [scene, member id -> groups listing it]: the last scene asked about


def _direct_holders(scene: Scene) -> dict[str, list[str]]:
    """Member id -> the groups that list it in `parts`, built once per scene (not once per part)."""
    if _holders_cache[0] is not scene:
        holders: dict[str, list[str]] = {}
        for name, group in scene.groups.items():
            for member in group.parts:
                holders.setdefault(member, []).append(name)
        _holders_cache[:] = [scene, holders]
    return _holders_cache[1]


def _groups_holding(scene: Scene, part_id: str) -> list[str]:
    """Groups containing the part, nearest first (direct holders, then their ancestors)."""
    direct = _direct_holders(scene)
    pending = deque(direct.get(part_id, []))
    order: dict[str, None] = {}
    while pending:
        name = pending.popleft()
        if name in order:
            continue
        order[name] = None
        parent = scene.groups[name].parent
        pending.extend([parent] if parent in scene.groups else [])
        pending.extend(direct.get(name, []))
    return list(order)
