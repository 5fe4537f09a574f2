"""What to write instead, for YAML mistakes teachers make: indentation that breaks the block
structure (reported at the line that went wrong, with how many spaces to add or remove), an entry
indented so that it lands in the wrong block, and values starting with a character YAML reserves.

YAML reads a value that starts with `*` as an alias, `&` as an anchor, `!` as a tag and `%`, `@` or
a backquote as an error: such values must be put in quotes (`title: "*Important*"`).
"""

from __future__ import annotations

import re

_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[^\s#'\"{\[][^:#]*?|\"[^\"]*\"|'[^']*'):(?:\s|$)")
QUOTE_RULE = "a value starting with *, &, !, %, @ or ` must be put in quotes"


def _key_lines(lines: list[str]) -> dict[int, tuple[int, str, bool]]:
    """0-based line -> (column of the key, key, has an inline value) for block-mapping key lines."""
    out = {}
    for number, line in enumerate(lines):
        match = _KEY_LINE.match(line)
        if match:
            column = len(match.group("indent")) + len(match.group("dash") or "")
            rest = line[match.end() :].split(" #")[0].strip()
            out[number] = (column, match.group("key").strip("'\""), bool(rest) and not rest.startswith("#"))
    return out


def _levels_above(keys: dict[int, tuple[int, str, bool]], line: int) -> list[tuple[int, int]]:
    """(column, line) of the keys a line at `line` could line up with: the nearest key above and
    each shallower ancestor above it, deepest first."""
    levels: list[tuple[int, int]] = []
    for number in range(line - 1, -1, -1):
        if number in keys and (not levels or keys[number][0] < levels[-1][0]):
            levels.append((keys[number][0], number))
            if keys[number][0] == 0:
                break
    return levels


def _child_column(keys: dict[int, tuple[int, str, bool]], line: int, column: int) -> int | None:
    after = [n for n in keys if n > line]
    return keys[min(after)][0] if after and keys[min(after)][0] > column else None


def indentation_hint(text: str, line: int) -> tuple[int, str] | None:
    """(1-based line, message) for a block-structure error reported at 1-based `line`, or None."""
    lines = text.splitlines()
    keys = _key_lines(lines)
    for number in (line - 1, line - 2):
        if number not in keys or number <= 0:
            continue
        column, key, _inline = keys[number]
        levels = _levels_above(keys, number)
        if not levels:
            continue
        previous_column, previous_line = levels[0]
        if column > previous_column and keys[previous_line][2]:  # a child under a key that has a value
            return number + 1, (f"`{key}:` is indented more than `{keys[previous_line][1]}:` on line "
                                f"{previous_line + 1}, which already has a value; unindent it by "
                                f"{column - previous_column} space(s) to line up with it")  # fmt: skip
        if any(c == column for c, _n in levels):
            continue
        child = _child_column(keys, number, column)
        candidates = [(c, n) for c, n in levels if child is None or c < child] or levels
        target, target_line = min(candidates, key=lambda item: (abs(item[0] - column), -item[0]))
        verb = f"indent `{key}:` by {target - column}" if target > column else f"unindent `{key}:` by {column - target}"
        return number + 1, (f"{verb} space(s), to line up with `{keys[target_line][1]}:` on line {target_line + 1} "
                            f"(it is indented {column}, the keys around it {target})")  # fmt: skip
    return None


def reserved_character_hint(problem: str, context: str) -> str | None:
    """The quoting rule when PyYAML stumbled on a reserved first character."""
    if "while scanning an alias" in context or "while scanning an anchor" in context or "undefined alias" in problem:
        return f"{QUOTE_RULE} (* starts an alias, & an anchor), e.g. title: \"*Important*\""
    match = re.search(r"found character '(.)' that cannot start any token", problem)
    if match and match.group(1) in "%@`":
        return f"{QUOTE_RULE}, e.g. title: \"{match.group(1)}...\""
    return None


def misplaced_entry_hint(path: tuple, data, source, sections: dict[str, tuple[str, ...]]) -> str | None:
    """For an unknown key at `path` whose value looks like an entry of a by-id section (a part: a
    block with `mesh:`), how to indent it so it joins the others: "indent `femur:` by 4 spaces like the
    other parts". `sections` maps section -> keys one of its entries must have."""
    key = path[-1]
    parent = data
    for part in path:
        parent = parent.get(part) if isinstance(parent, dict) else None
    if not isinstance(parent, dict):
        return None
    for section, needed in sections.items():
        table = data.get(section) if isinstance(data, dict) else None
        if not isinstance(table, dict) or not table or not all(k in parent for k in needed):
            continue
        if path[:-1] == (section,):
            continue
        others = [source.keys[(section, other)] for other in table if (section, other) in source.keys]
        here = source.keys.get(path)
        if not others or here is None:
            continue
        column, (line, other_column) = here[1], others[0]
        shift = other_column - column
        verb = f"indent `{key}:` by {shift} space(s)" if shift > 0 else f"unindent `{key}:` by {-shift} space(s)"
        if shift == 0:
            return f"it looks like one of the {section}: move it into the `{section}:` block"
        return f"it looks like one of the {section}: {verb} like the other {section} (line {line})"
    return None
