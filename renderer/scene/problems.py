"""Turn pydantic's validation errors into messages a teacher can act on, at file:line:column."""

from __future__ import annotations

import difflib
import types
import typing

from pydantic import BaseModel, ValidationError

from renderer.errors import Problem
from renderer.scene.yaml_hints import misplaced_entry_hint
from renderer.scene.yaml_source import SourceMap, format_path

MAX_HINTED_PROBLEMS = 200
MAX_SUGGESTION_CHOICES = 2000  # difflib per unknown name x thousands of names would be quadratic
# Keys that make a block recognisable as an entry of a by-id section, for "indent it like the others".
ENTRY_KEYS = {"parts": ("mesh",), "molecules": ("path",), "groups": ("parts",)}


def did_you_mean(word: str, choices) -> str:
    if len(choices) > MAX_SUGGESTION_CHOICES:
        return ""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def validation_problems(error: ValidationError, data, source: SourceMap, root: type[BaseModel]) -> list[Problem]:
    """One problem per location: union alternatives that failed are merged into one message."""
    by_location: dict[tuple, list[dict]] = {}
    for item in error.errors():
        path = _data_path(item["loc"], data)
        by_location.setdefault(path, []).append(item)
    problems = []
    for path, items in by_location.items():
        if _superseded(path, items, by_location):
            continue
        # Suggestions (difflib) for the first ones only: 10,000 misspelt keys must not take seconds.
        problems.append(_problem(path, items, source, root, data, hints=len(problems) < MAX_HINTED_PROBLEMS))
    return problems


_SHAPE_ERRORS = {"string_type", "dict_type", "model_type", "model_attributes_type", "list_type", "tuple_type"}


def _superseded(path: tuple, items: list[dict], by_location: dict) -> bool:
    """A union (`text | {lang: text}`, `preset name | material block`) whose block alternative failed
    deeper: the deeper problem is the one to fix, so the shallow "wrong shape" one is left out."""
    if not all(item["type"] in _SHAPE_ERRORS for item in items):
        return False
    return any(len(other) > len(path) and other[: len(path)] == path for other in by_location)


def _data_path(loc: tuple, data) -> tuple:
    """Keep only the parts of pydantic's `loc` that exist in the document (drop union tags)."""
    path, node = [], data
    for index, part in enumerate(loc):
        following = loc[index + 1] if index + 1 < len(loc) else None
        if isinstance(node, dict) and part not in node and following in node:
            continue  # a discriminated union's tag (`breathing` in deform[0].breathing.axis)
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing or unknown key, named by the error
            node = None
        elif isinstance(part, int) and isinstance(node, list):
            path.append(part)  # index past the end: a short list
            node = None
    return tuple(path)


def _is_tag(part: str) -> bool:
    return any(ch in part for ch in "[]-") or part in {"str", "dict", "list", "int", "float", "bool", "tuple"}


def _problem(path: tuple, items: list[dict], source: SourceMap, root: type[BaseModel], data=None,
             hints: bool = True) -> Problem:  # fmt: skip
    where = format_path(path)
    first = items[0]
    kind = first["type"]
    if kind == "extra_forbidden" and not hints:
        return source.problem(path, f"{where}: unknown key '{path[-1]}'", prefer_key=True)
    if kind == "extra_forbidden":
        key = path[-1]
        allowed = allowed_keys(root, path[:-1])
        hint = did_you_mean(key, allowed) or (f"; allowed here: {', '.join(sorted(allowed))}" if allowed else "")
        misplaced = misplaced_entry_hint(path, data, source, ENTRY_KEYS)
        hint = f"; {misplaced}" if misplaced else hint
        return source.problem(path, f"{where}: unknown key '{key}'{hint}", prefer_key=True)
    if kind == "missing" and path and isinstance(path[-1], int):
        return source.problem(path[:-1], f"{format_path(path[:-1])}: {path[-1]} value(s) given, more needed; "
                                         "write three numbers like [0.0, 0.1, 0.5]")  # fmt: skip
    if kind == "missing":
        message = f"{format_path(path[:-1])}: missing required key '{path[-1]}'"
        return source.problem(path[:-1], message, prefer_key=True)
    if kind == "literal_error":
        expected = first.get("ctx", {}).get("expected", "")
        got = first.get("input")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        return source.problem(path, f"{where}: {got!r} is not allowed; expected {expected}{did_you_mean(got, options)}")
    if kind == "too_long" and path and isinstance(first.get("input"), (list, tuple)):
        return source.problem(path, f"{where}: too many values; {first['msg'].lower()}")
    messages = []
    for item in items:
        text = _message(item)
        if text not in messages:
            messages.append(text)
    return source.problem(path, f"{where}: " + (" or ".join(messages) if len(messages) <= 3 else messages[0]))


def _message(item: dict) -> str:
    kind, msg, value = item["type"], item["msg"], item.get("input")
    if kind == "finite_number":
        return f"expected a finite number, got {value!r}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"expected a number, got {value!r}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list like [x, y, z], got {value!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a block of keys, got {value!r}"
    if kind == "string_type" and value is None:
        return "no text given; if the text contains a comma or a colon, put it all in quotes"
    if kind == "string_type":
        return f"expected text, got {value!r}"
    bounds = {"less_than_equal": "at most", "less_than": "less than", "greater_than_equal": "at least",
              "greater_than": "more than"}  # fmt: skip
    if kind in bounds:
        limit = next(iter(item.get("ctx", {}).values()), "")
        return f"must be {bounds[kind]} {limit}, got {value!r}"
    if kind == "bool_parsing" or kind == "bool_type":
        return f"expected true or false, got {value!r}"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return msg[0].lower() + msg[1:] if msg else kind


def allowed_keys(root: type[BaseModel], path: tuple) -> list[str]:
    """Field names of the model found at `path` (mapping keys and list indices skipped over)."""
    model: object = root
    for part in path:
        model = _step(model, part)
        if model is None:
            return []
    model = _as_model(model)
    return list(model.model_fields) if model else []


def _step(annotation, part):
    model = _as_model(annotation)
    if model is not None and isinstance(part, str) and part in model.model_fields:
        return model.model_fields[part].annotation
    for arg in _members(annotation):
        origin = typing.get_origin(arg)
        if origin is dict:
            return typing.get_args(arg)[1]
        if origin in (list, tuple) and typing.get_args(arg):
            return typing.get_args(arg)[0]
    return None


def _members(annotation) -> list:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return list(typing.get_args(annotation))
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    return [annotation]


def _as_model(annotation):
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None
