"""Cross-references a scene makes between its sections: a step showing a part, a group's parent, ...

Checked on the plain document (not the validated model), so that they are reported together with
the model's own problems: a teacher sees every mistake in one run. Values of the wrong shape are
skipped here; the model reports those. Each unknown name is reported where it is written, with a
did-you-mean or the ids that exist.
"""

from __future__ import annotations

import heapq

from renderer.errors import Problem
from renderer.scene import limits
from renderer.scene.materials import PRESETS
from renderer.scene.problems import did_you_mean
from renderer.scene.sections import MAX_ACTIVE_BOXES, MAX_ACTIVE_PLANES
from renderer.scene.yaml_source import SourceMap, format_path

STEP_LISTS = ("show", "hide", "only", "highlight", "label")


def _table(data, key: str) -> dict:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _strings(value) -> list[tuple[int, str]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []


class _Checker:
    def __init__(self, data: dict, source: SourceMap):
        self.data, self.source = data, source
        self.problems: list[Problem] = []
        self.parts, self.groups = _table(data, "parts"), _table(data, "groups")
        self.molecules, self.bookmarks = _table(data, "molecules"), _table(data, "bookmarks")
        self.planes, self.boxes = _table(data, "clip_planes"), _table(data, "cut_boxes")
        self.animations, self.materials = _table(data, "animations"), _table(data, "materials")
        self._known: dict[tuple, tuple[list, str]] = {}

    def report(self, where: tuple, message: str) -> None:
        self.problems.append(self.source.problem(where, f"{format_path(where)}: {message}"))

    def name(self, where: tuple, value, kinds: dict[str, dict]) -> None:
        """`value` must be an id in one of `kinds` ({'part': parts, 'group': groups})."""
        if not isinstance(value, str) or any(value in ids for ids in kinds.values()):
            return
        names = list(kinds)
        key = tuple(names)
        if key not in self._known:  # once per kind of reference: thousands of unknown names stay linear
            known = [i for ids in kinds.values() for i in ids]
            self._known[key] = (known, ", ".join(heapq.nsmallest(12, known)) + (", ..." if len(known) > 12 else ""))
        known, listing = self._known[key]
        what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        hint = did_you_mean(value, known) or (f" (known: {listing})" if known else f"; the scene defines no {what}")
        self.report(where, f"unknown {what} '{value}'{hint}")

    def names(self, where: tuple, values, kinds: dict[str, dict]) -> None:
        for index, value in _strings(values):
            self.name((*where, index), value, kinds)


def check_references(data, source: SourceMap) -> list[Problem]:
    """Every name that must refer to something: materials, parts, groups, bookmarks, sections, animations."""
    if not isinstance(data, dict):
        return []
    check = _Checker(data, source)
    if len(check.parts) > limits.MAX_PARTS:
        check.report(("parts",), f"{len(check.parts)} parts; the limit is {limits.MAX_PARTS}")
    _materials(check)
    _ids_unique(check)
    _groups(check)
    things = {"part": check.parts, "group": check.groups}
    cut = {**things, "molecule": check.molecules}  # sections cut molecules too
    for kind, table in (("clip_planes", check.planes), ("cut_boxes", check.boxes)):
        for name, section in table.items():
            check.names((kind, name, "parts"), _table({"x": section}, "x").get("parts"), cut)
    for name, animation in check.animations.items():
        if isinstance(animation, dict):
            check.names(("animations", name, "targets"), animation.get("targets"), things)
            for target in _table(animation, "directions"):
                check.name(("animations", name, "directions", target), target, things)
    _active_sections(check, ("clip_planes",), [n for n, p in check.planes.items() if _active(p)],
                     [n for n, b in check.boxes.items() if _active(b)])  # fmt: skip
    lesson = _table(data, "lesson")
    steps = lesson.get("steps")
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(step, dict):
            _step(check, ("lesson", "steps", index), step)
    return check.problems


def _active(section) -> bool:
    return not isinstance(section, dict) or section.get("active", True) is not False


def _materials(check: _Checker) -> None:
    known = {**check.materials, **PRESETS}
    for name, material in check.materials.items():
        _preset(check, material, ("materials", name))
    owners = [(("parts", i, "material"), p.get("material")) for i, p in check.parts.items() if isinstance(p, dict)]
    owners += [(("groups", i, "material"), g.get("material")) for i, g in check.groups.items() if isinstance(g, dict)]
    defaults = check.data.get("defaults") if isinstance(check.data, dict) else None
    owners += [(("defaults", "material"), defaults.get("material"))] if isinstance(defaults, dict) else []
    for where, material in owners:
        if isinstance(material, dict):
            _preset(check, material, where)
        elif isinstance(material, str) and material not in known:
            hint = did_you_mean(material, known)
            check.report(where, f"unknown material '{material}'{hint} (presets: {', '.join(PRESETS)})")


def _preset(check: _Checker, material, where: tuple) -> None:
    preset = material.get("preset") if isinstance(material, dict) else None
    if isinstance(preset, str) and preset not in PRESETS:
        at = (*where, "preset")
        check.report(at, f"unknown material preset '{preset}'{did_you_mean(preset, PRESETS)} "
                         f"(presets: {', '.join(PRESETS)})")  # fmt: skip


def _ids_unique(check: _Checker) -> None:
    """Parts, groups and molecules share one namespace, since steps name any of them."""
    earlier = {"parts": check.parts, "groups": check.groups}
    for section, table, others in (("groups", check.groups, {"parts": check.parts}),
                                   ("molecules", check.molecules, earlier)):  # fmt: skip
        for name in table:
            for other, ids in others.items():
                if name in ids:
                    check.report((section, name), f"id '{name}' is already used in {other}; "
                                                  "parts, groups and molecules need different ids")  # fmt: skip


def _groups(check: _Checker) -> None:
    members = {"part": check.parts, "group": check.groups}
    parents: dict[str, str] = {}
    for name, group in check.groups.items():
        if not isinstance(group, dict):
            continue
        check.names(("groups", name, "parts"), group.get("parts"), members)
        parent = group.get("parent")
        if isinstance(parent, str):
            check.name(("groups", name, "parent"), parent, {"group": check.groups})
            parents[name] = parent
    _group_cycles(check, parents)


def _group_cycles(check: _Checker, parents: dict[str, str]) -> None:
    """Report each cycle of `parent` links once per member, at its own `parent`. Every group is walked
    once (linear in the number of groups: a 3,000-long chain took 50 s when each walk started over)."""
    finished: set[str] = set()
    for start in parents:
        path: list[str] = []
        on_path: dict[str, int] = {}
        name = start
        while name not in finished and name not in on_path:
            on_path[name] = len(path)
            path.append(name)
            following = parents.get(name)
            if following is None or following not in check.groups:
                break
            if following in on_path:
                cycle = path[on_path[following]:]
                for offset, member in enumerate(cycle):
                    check.report(("groups", member, "parent"), "groups form a cycle: "
                                 + _chain_text([*cycle[offset:], *cycle[:offset], member])
                                 + "; a group cannot contain itself")  # fmt: skip
                break
            name = following
        finished.update(path)


def _chain_text(names: list[str], shown: int = 8) -> str:
    if len(names) <= shown:
        return " -> ".join(names)
    return " -> ".join(names[: shown - 1]) + f" -> ... ({len(names) - shown} more) -> " + names[-1]


def _active_sections(check: _Checker, where: tuple, planes: list[str], boxes: list[str]) -> None:
    if len(planes) > MAX_ACTIVE_PLANES:
        check.report(where, f"{len(planes)} clipping planes active at once; at most {MAX_ACTIVE_PLANES} can cut")
    if len(boxes) > MAX_ACTIVE_BOXES:
        check.report(where, f"{len(boxes)} cut-away boxes active at once; at most {MAX_ACTIVE_BOXES} can cut")


def _step(check: _Checker, where: tuple, step: dict) -> None:
    visible_things = {"part": check.parts, "group": check.groups, "molecule": check.molecules}
    for key in STEP_LISTS:
        check.names((*where, key), step.get(key), visible_things)
    for name in _table(step, "opacity"):
        check.name((*where, "opacity", name), name, visible_things)
    for name in _table(step, "molecules"):
        check.name((*where, "molecules", name), name, {"molecule": check.molecules})
    if isinstance(step.get("camera"), str):
        check.name((*where, "camera"), step["camera"], {"bookmark": check.bookmarks})
    clip = step.get("clip")
    if isinstance(clip, list):
        check.names((*where, "clip"), clip, {"clip plane": check.planes, "cut box": check.boxes})
        _active_sections(check, (*where, "clip"), [n for _, n in _strings(clip) if n in check.planes],
                         [n for _, n in _strings(clip) if n in check.boxes])  # fmt: skip
    check.names((*where, "animate"), step.get("animate"), {"animation": check.animations})
    question = _table(step, "question")
    answers = {"part": check.parts, "group": check.groups}
    check.name((*where, "question", "answer"), question.get("answer"), answers)
    check.names((*where, "question", "also_accept"), question.get("also_accept"), answers)
