"""The package's shape (issue 15): no import circles -- function-local imports included, since a
circle hidden in a function still ties the modules together -- nothing below `renderer.commands`
imports it (the command line sits on top), and no module over 450 lines.

The graph is read with `ast` from the source files, without importing anything. An edge a -> b means
module a names module b in an `import` or `from ... import` anywhere in its body (top level, inside a
function, under `if TYPE_CHECKING:`). `from renderer.x import y` counts as an edge to renderer.x.y when
that is a module, else to renderer.x; importing a module also imports its packages' `__init__`, but
the package files here hold no imports of their own, so those edges are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "renderer"
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "dist" not in p.parts}


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The renderer modules that module `name` (file `path`) imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import renderer.a.b` names renderer.a.b
                target = target.rpartition(".")[0]
            if target.startswith("renderer") and target != name and not _is_package(known[target]):
                found.add(target)
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_checker_finds_a_hidden_circle():
    """The checker itself: a circle through a function-local import is found."""
    graph = {"renderer.a": {"renderer.b"}, "renderer.b": {"renderer.c"}, "renderer.c": {"renderer.a"},
             "renderer.d": {"renderer.a"}}  # fmt: skip
    assert cycles(graph) == [["renderer.a", "renderer.b", "renderer.c"]]
    source = "def f():\n    from renderer.scene import load\n"
    tree_targets = {n.module for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)}
    assert tree_targets == {"renderer.scene"}


def test_function_local_imports_are_edges(tmp_path):
    """`imported` sees an import inside a function body, and `from package import module` as the module."""
    known = {"renderer.scene.load": tmp_path / "load.py", "renderer.scene.step_state": tmp_path / "step_state.py",
             "renderer.scene": tmp_path / "__init__.py"}  # fmt: skip
    known["renderer.scene.load"].write_text("def f():\n    from renderer.scene import step_state\n")
    assert imported("renderer.scene.load", known["renderer.scene.load"], known) == {"renderer.scene.step_state"}


def test_no_import_circles():
    assert cycles(import_graph()) == []


def test_nothing_below_the_commands_imports_them():
    graph = import_graph()
    above = {"renderer.cli", "renderer.__main__"}
    wrong = sorted(f"{name} -> {target}" for name, targets in graph.items() for target in targets
                   if target.startswith("renderer.commands.") and not name.startswith("renderer.commands.")
                   and name not in above)  # fmt: skip
    assert wrong == []


def test_no_module_over_450_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines()))
            > MAX_LINES}  # fmt: skip
    assert long == {}
