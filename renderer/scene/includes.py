"""`include:` -- a scene file building on others (a shared skeleton, say) and overriding parts of them.

Override rules (documented for teachers in docs/scene-format.md):
- included files are merged first, in the order listed, then the including file on top;
- blocks of keys merge key by key, at any depth; lists and single values are replaced whole;
- in the by-id sections (`parts`, `groups`, ...) an id set to `null` removes what was included.
Paths inside an included file (meshes, its own includes) stay relative to that file. Included files
follow the same safety rules as meshes: inside the scene's folder or an allowed asset root, after
resolving symlinks; a cycle, too deep a chain or too many files is an error at the `include` entry.
"""

from __future__ import annotations

from pathlib import Path

from renderer.errors import Problem, SceneError
from renderer.scene import limits
from renderer.scene.assets import AssetPathError, resolve_asset
from renderer.scene.safe_read import UnsafeFileError, read_checked
from renderer.scene.yaml_source import SourceMap, format_path, load_yaml_text

SCENE_SUFFIXES = (".yaml", ".yml", ".json")
BY_ID_SECTIONS = {"parts", "groups", "materials", "molecules", "bookmarks", "clip_planes", "cut_boxes", "animations"}


def read_scene_text(path: Path) -> str:
    file = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SceneError([Problem(file, 1, 1, "scene file not found")]) from None
    except OSError as exc:
        raise SceneError([Problem(file, 1, 1, f"cannot read the scene file: {exc.strerror}")]) from None
    if not path.is_file():
        raise SceneError([Problem(file, 1, 1, "not a file")])
    if size > limits.MAX_SCENE_FILE_BYTES:
        raise SceneError([Problem(file, 1, 1, f"scene file is {size // 1024} KiB; the limit is "
                                              f"{limits.MAX_SCENE_FILE_BYTES // 1024} KiB")])  # fmt: skip
    try:
        return read_checked(path, limits.MAX_SCENE_FILE_BYTES, what="scene file").decode("utf-8")
    except UnsafeFileError as exc:  # swapped for a pipe or grown since the checks above
        raise SceneError([Problem(file, 1, 1, str(exc))]) from None
    except UnicodeDecodeError as exc:
        raise SceneError([Problem(file, 1, 1, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]) from None
    except OSError as exc:
        raise SceneError([Problem(file, 1, 1, f"cannot read the scene file: {exc.strerror}")]) from None


def read_document(path: Path, roots: list[Path]) -> tuple[object, SourceMap]:
    """The scene document at `path` with its includes merged in, and where every value came from."""
    return _Reader(roots).read(path, display=str(path), chain=())


class _Reader:
    def __init__(self, roots: list[Path]):
        self.roots = roots
        self.files_read = 0
        self.bytes_read = 0  # over all included files: 32 files of 2 MiB each would take minutes
        self.values_read = 0

    def read(self, path: Path, display: str, chain: tuple[Path, ...]) -> tuple[object, SourceMap]:
        self.files_read += 1
        text = read_scene_text(path)
        self.bytes_read += len(text)
        if self.bytes_read > limits.MAX_INCLUDED_BYTES:
            raise SceneError([Problem(display, 1, 1, f"the scene and its includes exceed "
                                                     f"{limits.MAX_INCLUDED_BYTES // 2**20} MiB in all")])  # fmt: skip
        data, source = load_yaml_text(text, display)
        self.values_read += len(source.values)
        if self.values_read > limits.MAX_YAML_NODES:
            raise SceneError([Problem(display, 1, 1, f"the scene and its includes hold more than "
                                                     f"{limits.MAX_YAML_NODES:,} values in all")])  # fmt: skip
        if not isinstance(data, dict) or "include" not in data:
            return data, source
        includes = data["include"]
        if isinstance(includes, str):
            includes = [includes]
        if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
            return data, source  # the model reports the wrong shape, with its position
        merged: dict = {}
        merged_source = SourceMap(display)
        problems: list[Problem] = []
        here = path.resolve()
        for index, relative in enumerate(includes):
            where = ("include", index) if isinstance(data["include"], list) else ("include",)
            located = self._locate(path, relative, where, source, (*chain, here))
            if isinstance(located, Problem):
                problems.append(located)
                continue
            try:
                sub, sub_source = self.read(located, _display(display, relative), (*chain, here))
            except SceneError as exc:
                problems += exc.problems
                continue
            if not isinstance(sub, dict):
                problems.append(source.problem(where, f"{format_path(where)}: '{relative}' is not a block of keys"))
                continue
            merge_into(merged, merged_source, sub, sub_source)
        if problems:
            raise SceneError(problems)
        merge_into(merged, merged_source, data, source)
        return merged, merged_source

    def _locate(self, path: Path, relative: str, where: tuple, source: SourceMap, chain: tuple[Path, ...]):
        label = format_path(where)
        if not relative.lower().endswith(SCENE_SUFFIXES):
            return source.problem(where, f"{label}: '{relative}' is not a scene file (.yaml, .yml or .json)")
        try:
            resolved = resolve_asset(path, relative, self.roots, what="scene file")
        except AssetPathError as exc:
            return source.problem(where, f"{label}: {exc}")
        if resolved in chain:
            names = " -> ".join(p.name for p in (*chain[chain.index(resolved):], resolved))
            return source.problem(where, f"{label}: include cycle: {names}; remove one of these includes")
        if len(chain) > limits.MAX_INCLUDE_DEPTH:
            return source.problem(where, f"{label}: includes nest deeper than {limits.MAX_INCLUDE_DEPTH} files")
        if self.files_read >= limits.MAX_INCLUDED_FILES:
            return source.problem(where, f"{label}: more than {limits.MAX_INCLUDED_FILES} files included in all")
        return resolved


def _display(including: str, relative: str) -> str:
    """How an included file is named in messages: relative to the folder the user named the top file in."""
    return str(Path(including).parent / relative)


def merge_into(base: dict, base_source: SourceMap, over: dict, over_source: SourceMap) -> None:
    """Merge `over` onto `base` in place (rules above), keeping positions and files in `base_source`."""
    replaced: set[tuple] = set()
    _merge(base, over, (), replaced)
    for table, files in ((base_source.values, base_source.value_files), (base_source.keys, base_source.key_files)):
        for stale in [p for p in table if any(p[:cut] in replaced for cut in range(1, len(p) + 1))]:
            del table[stale]
            files.pop(stale, None)
    for table, files, own, own_files in (
        (over_source.values, over_source.value_files, base_source.values, base_source.value_files),
        (over_source.keys, over_source.key_files, base_source.keys, base_source.key_files),
    ):
        for path, position in table.items():
            own[path] = position
            own_files[path] = files.get(path, over_source.file)


def _merge(base: dict, over: dict, path: tuple, replaced: set[tuple]) -> None:
    for key, value in over.items():
        key_path = (*path, key)
        if value is None and len(path) == 1 and path[0] in BY_ID_SECTIONS:
            base.pop(key, None)
            replaced.add(key_path)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, key_path, replaced)
        else:
            if key in base:
                replaced.add(key_path)
            base[key] = value
