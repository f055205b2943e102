"""No module of mmalign_eval imports another in a cycle, function-level imports included.

A cycle works only as long as every import in it happens late enough; a function-level
import moved to the top of its module then breaks at import time. Imports under
`if TYPE_CHECKING:` never run, so they do not count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import mmalign_eval

PACKAGE_DIR = Path(mmalign_eval.__file__).resolve().parent
Graph = dict[str, set[str]]


def _modules(package_dir: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of the package (a package by its __init__)."""
    names: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement at any depth, except in the body of `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for branch in node.orelse:  # the else branch does run
                yield from _imports(ast.Module(body=[branch], type_ignores=[]))
        else:
            yield from _imports(node)


def _targets(node: ast.Import | ast.ImportFrom, name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules an import statement in module `name` loads by name."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & known
    base = node.module or ""
    if node.level:  # relative: strip the module itself (unless a package), then level - 1
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        parent = package[: len(package) - node.level + 1]
        base = ".".join([*parent, base] if base else parent)
    # `from pkg import mod` loads the module pkg.mod; `from pkg import name` loads pkg.
    found = {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return found & known


def import_graph(package_dir: Path = PACKAGE_DIR) -> Graph:
    """Module -> the package's modules it imports (parent packages are not edges)."""
    modules = _modules(package_dir)
    known = set(modules)
    graph: Graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = (_targets(node, name, path, known) for node in _imports(tree))
        graph[name] = set().union(*targets) - {name}
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle as a path that ends where it starts, or None."""
    state: dict[str, str] = {}  # "open" while on the depth-first path, then "done"

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], node, target]
            if target not in state and (cycle := visit(target, [*path, node])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [])):
            return cycle
    return None


def test_mmalign_eval_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "mmalign_eval.cli.run" in graph and len(graph) > 50  # the walk found the package
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_cli_modules_never_import_the_cli_package() -> None:
    # Commands and their helpers import downward; only the entry points sit above the package.
    graph = import_graph()
    above = {n for n, targets in graph.items() if "mmalign_eval.cli" in targets}
    assert above == {"mmalign_eval.cli.__main__", "mmalign_eval.__main__"}


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    return package


def test_function_level_imports_count_and_type_checking_ones_do_not(tmp_path: Path) -> None:
    lazy = "def f():\n    from pkg import a\n"
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n"
    package = _package(tmp_path / "one", {"a.py": "import pkg.b\n", "b.py": guarded})
    assert find_cycle(import_graph(package)) is None
    package = _package(tmp_path / "two", {"a.py": "import pkg.b\n", "b.py": lazy})
    assert find_cycle(import_graph(package)) == ["pkg.a", "pkg.b", "pkg.a"]


def test_relative_imports_and_package_inits_resolve(tmp_path: Path) -> None:
    files = {
        "sub/__init__.py": "from . import c\n",  # the package imports its module c ...
        "sub/c.py": "from ..sub import helper\n",  # ... which takes a name from the package
        "sub/helper.py": "",
    }
    graph = import_graph(_package(tmp_path, files))
    assert graph["pkg.sub"] == {"pkg.sub.c"}
    assert graph["pkg.sub.c"] == {"pkg.sub.helper"}  # helper is a module, not a name
    files["sub/c.py"] = "from . import helper\nfrom pkg.sub import VALUE\n"
    graph = import_graph(_package(tmp_path / "x", files))
    assert find_cycle(graph) == ["pkg.sub", "pkg.sub.c", "pkg.sub"]
