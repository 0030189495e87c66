"""No import cycles inside llm_router.

Every import counts, at module level or inside a function (a function-level import only
hides a cycle until the function runs), except under ``if TYPE_CHECKING:``. Importing
``a.b.c`` also runs the ``__init__`` of ``a.b`` unless the importer lives inside it, and
``from a.b import name`` reads ``a.b``'s namespace, so both are edges too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import llm_router

PACKAGE = Path(llm_router.__file__).parent
ROOT = "llm_router"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except what sits under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The llm_router modules whose code runs (or whose namespace is read) when ``name``
    imports what it imports."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    own = set(_ancestors(name)) | ({name} if is_package else set())
    edges: set[str] = set()
    for target in targets:
        if target not in modules:
            continue
        edges.add(target)
        # Parent packages run first, unless the importer is already inside them.
        edges.update(a for a in _ancestors(target) if a not in own and a in modules)
    edges.discard(name)
    return edges


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, set(modules)) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_are_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles (each line one group of modules that import each " \
        "other, directly or not):\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_detector_sees_function_level_and_package_cycles(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    pkg = tmp_path / "llm_router" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from llm_router.pkg.app import create\n")
    (pkg / "app.py").write_text("def create():\n    from llm_router.pkg import fmt\n")
    (pkg / "fmt.py").write_text("from typing import TYPE_CHECKING\n"
                                "if TYPE_CHECKING:\n    from llm_router.pkg import app\n")
    modules = {"llm_router.pkg", "llm_router.pkg.app", "llm_router.pkg.fmt"}
    assert imports_of("llm_router.pkg.app", pkg / "app.py", modules) == {
        "llm_router.pkg", "llm_router.pkg.fmt"}
    assert imports_of("llm_router.pkg.fmt", pkg / "fmt.py", modules) == set()
    assert imports_of("llm_router.pkg", pkg / "__init__.py", modules) == {"llm_router.pkg.app"}
