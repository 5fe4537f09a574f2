"""Safe YAML loading that remembers where every value and key came from (line, column).

PyYAML's composer gives the node tree with marks; we build plain Python data from it ourselves so
that nothing is constructed but str/int/float/bool/None/list/dict, aliases are bounded, duplicate
keys are errors, and every path (`("parts", "skull", "material")`) maps back to a position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from renderer.errors import Problem, SceneError
from renderer.scene import limits
from renderer.scene.yaml_compose import ComposeLimit, compose_bounded
from renderer.scene.yaml_hints import QUOTE_RULE, indentation_hint, reserved_character_hint

Path_ = tuple  # a path into the document: keys (str) and list indices (int)
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_EXPECTED = {"bool": "true or false", "int": "a whole number", "float": "a number", "null": "null or ~"}
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")}


@dataclass
class SourceMap:
    """1-based (line, column) of each value, and of each mapping key, by document path.

    A document merged from `include:`d files keeps, per path, the file a value came from
    (`value_files`/`key_files`; absent means `file`).
    """

    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    value_files: dict[Path_, str] = field(default_factory=dict)
    key_files: dict[Path_, str] = field(default_factory=dict)

    def locate(self, path: Path_, prefer_key: bool = False) -> tuple[str, int, int]:
        """File, line and column of the deepest known prefix of `path` (the key itself when `prefer_key`)."""
        for cut in range(len(path), -1, -1):
            prefix = tuple(path[:cut])
            if prefer_key and prefix in self.keys:
                return (self.key_files.get(prefix, self.file), *self.keys[prefix])
            if prefix in self.values:
                return (self.value_files.get(prefix, self.file), *self.values[prefix])
        return (self.file, 1, 1)

    def position(self, path: Path_, prefer_key: bool = False) -> tuple[int, int]:
        return self.locate(path, prefer_key)[1:]

    def file_of(self, path: Path_) -> str:
        """The file the value at `path` was written in."""
        return self.locate(path)[0]

    def problem(self, path: Path_, message: str, prefer_key: bool = False) -> Problem:
        return Problem(*self.locate(path, prefer_key), message)


def format_path(path: Path_) -> str:
    """`("lesson", "steps", 3, "show", 1)` -> `lesson.steps[3].show[1]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_yaml_text(text: str, file: str) -> tuple[object, SourceMap]:
    """Parse YAML (or JSON) text safely. Raises SceneError with positions."""
    source = SourceMap(file)
    try:
        node = compose_bounded(text, _FAST_LOADER if _FAST_LOADER is not None and _shallow(text) else yaml.SafeLoader)
    except ComposeLimit as exc:
        line, column = (exc.mark.line + 1, exc.mark.column + 1) if exc.mark else (1, 1)
        raise SceneError([Problem(file, line, column, exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax error: {_shorten(str(exc.problem or exc), 200)}{_hint(exc)}"
        if "expected <block end>" in str(exc.problem) or "mapping values are not allowed" in str(exc.problem):
            found = indentation_hint(text, line)
            if found:  # the line the teacher got wrong, which is often not where PyYAML noticed
                line, column, message = found[0], 1, f"YAML indentation error: {found[1]}"
        raise SceneError([Problem(file, line, column, message)]) from None
    except yaml.YAMLError as exc:
        raise SceneError([Problem(file, 1, 1, f"YAML error: {_shorten(str(exc))}")]) from None
    if node is None:
        raise SceneError([Problem(file, 1, 1, "the file is empty; a scene starts with `version: 1`")])
    builder = _Builder(source)
    data = builder.build(node, ())
    if builder.problems:
        raise SceneError(builder.problems)
    return data, source


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml: ~20x faster than the pure-Python parser
_FLOW_BRACKETS = re.compile(r"[\[\]{}]")
_INDENT = re.compile(r"^[ \t]*", re.MULTILINE)


def _shallow(text: str) -> bool:
    """Conservatively: flow brackets nest at most 4 x MAX_YAML_DEPTH (quoted brackets count too),
    and no line is indented by more than 1000 characters; deeper text is read by the pure-Python
    parser, the reference whose positions and messages the hints are written against."""
    depth = deepest = 0
    for match in _FLOW_BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > 4 * limits.MAX_YAML_DEPTH:
            return False
    return max((len(m.group()) for m in _INDENT.finditer(text)), default=0) <= 1000


class _Builder:
    def __init__(self, source: SourceMap):
        self.source = source
        self.count = 0
        self.problems: list = []
        self._constructor = yaml.SafeLoader("")  # only for resolving scalar tags to Python values

    def build(self, node: yaml.Node, path: Path_, depth: int = 0):
        self.count += 1
        if self.count > limits.MAX_YAML_NODES:
            raise SceneError([self.source.problem(path, f"document too large: more than {limits.MAX_YAML_NODES} values "
                                                        "(check for runaway aliases)")])  # fmt: skip
        if depth > limits.MAX_YAML_DEPTH:
            raise SceneError([self.source.problem(path, f"nesting deeper than {limits.MAX_YAML_DEPTH} levels")])
        self.source.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            self.problems.append(self.source.problem(path, f"YAML tag {node.tag} is not allowed in scene files"))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                message = "YAML merge keys (<<) are not supported; write the keys out"
                self.problems.append(self.source.problem(path, message))
                continue
            key = self._scalar(key_node, path)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                self.problems.append(self.source.problem(path, f"keys must be text, not {key!r}"))
                continue
            key = str(key)
            key_path = (*path, key)
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first = self.source.keys[key_path]
                message = f"{format_path(key_path)}: duplicate key '{key}' (first at line {first[0]})"
                self.problems.append(Problem(self.source.file, *position, message))
                continue
            self.source.keys[key_path] = position
            result[key] = self.build(value_node, key_path, depth + 1)
        return result

    def _scalar(self, node: yaml.Node, path: Path_):
        if not isinstance(node, yaml.ScalarNode):
            self.problems.append(self.source.problem(path, "a key must be a plain value"))
            return None
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":
            return node.value  # most values: no need for PyYAML's constructor machinery
        if tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:set"):
            return node.value  # keep as text; the schema decides
        if tag not in _PLAIN_TAGS:
            message = f"YAML tag {tag} is not allowed in scene files; {QUOTE_RULE} (! starts a tag), " \
                      f"e.g. \"{tag} {node.value}\""  # fmt: skip
            self.problems.append(self.source.problem(path, message))
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except Exception as exc:  # noqa: BLE001  `!!bool maybe` is a KeyError, `!!int ''` an IndexError
            kind = tag.rsplit(":", 1)[-1]
            expected = _EXPECTED.get(kind) or _shorten(str(exc))
            self.problems.append(self.source.problem(path, f"cannot read {_shorten(repr(node.value))} as !!{kind}; "
                                                           f"expected {expected}"))  # fmt: skip
            return node.value


def _shorten(text: str, limit: int = 80) -> str:
    """Quoted values in messages stay short: a runaway value must not flood the terminal."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _hint(exc: yaml.MarkedYAMLError) -> str:
    """What usually causes a syntax error, in a teacher's words."""
    problem = str(exc.problem or "")
    reserved = reserved_character_hint(problem, str(exc.context or ""))
    if reserved:
        return f"; {reserved}"
    if "'\\t'" in problem:
        return "; indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "; a text containing ': ' must be put in quotes"
    if "expected ',' or '}'" in problem or "expected ',' or ']'" in problem:
        return "; inside [...] or {...}, put texts containing commas, colons or question marks in quotes"
    return ""
