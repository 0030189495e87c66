"""Which modules a Lambda function runs, read from the import statements.

The core layer ships the ``llm_router`` modules any function imports (layers/core/Makefile
calls ``copy``); the benchmark-runner function ships, in its own package, the
``llm_router_local`` modules its handler imports (functions/benchmark_runner/Makefile). So
the CLI, the local runner, the provider simulators, the embedded store and training code
stay out of the layer, and a handler can never miss a module: anything a function imports,
directly or not, goes in. tests/unit/test_import_cycles.py uses the same graph to refuse
import cycles and checks what each build ships.

Standard library only: the layer build runs it with the Lambda runtime's interpreter,
which has nothing installed.

    python3 runtime_modules.py list FUNCTIONS PACKAGE_DIR [PACKAGE_DIR ...]
    python3 runtime_modules.py copy FUNCTIONS DEST PACKAGE_DIR [PACKAGE_DIR ...]

``list`` prints every module of the packages that the functions import; ``copy`` writes
the first package's share (and its ``data/``) to ``DEST/<package>``, walking the others'
imports through without copying them (the layer's modules that the benchmark runner's
``llm_router_local`` code imports, say).

FUNCTIONS is the functions' folder (every ``FUNCTIONS/*/*.py``, the handlers) or one
function's folder (its ``*.py``); a script there (``*.sh``) adds the modules it starts
(``uvicorn --factory module:attr``, ``python -m module``).

Every import counts, at module level or inside a function (a function-level import only
hides a dependency until the function runs), except under ``if TYPE_CHECKING:``.
Importing ``a.b.c`` also runs the ``__init__`` of ``a.b`` unless the importer lives
inside it, and ``from a.b import name`` reads ``a.b``'s namespace: both are edges too.
"""

from __future__ import annotations

import ast
import re
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path


def module_name(path: Path, package_dir: Path) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules(*package_dirs: Path) -> dict[str, Path]:
    return {module_name(p, package_dir): p for package_dir in package_dirs
            for p in sorted(package_dir.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except what sits under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                yield child
                yield from _runtime_nodes(child)
            continue
        yield node
        yield from _runtime_nodes(node)


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imports_of(name: str, path: Path, modules: Iterable[str]) -> set[str]:
    """The package modules whose code runs (or whose namespace is read) when ``name``
    (the module in ``path``; "" for a script outside the package) imports what it does."""
    known = set(modules)
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    own = set(_ancestors(name)) | ({name} if is_package else set())
    edges: set[str] = set()
    for target in targets & known:
        edges.add(target)
        # Parent packages run first, unless the importer is already inside them.
        edges.update(a for a in _ancestors(target) if a not in own and a in known)
    edges.discard(name)
    return edges


def import_graph(*package_dirs: Path) -> dict[str, set[str]]:
    modules = all_modules(*package_dirs)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or not (Tarjan's strongly
    connected components with more than one member), sorted."""
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
    return sorted(found)


_SCRIPT_MODULE = re.compile(r"(?:--factory|-m)\s+([A-Za-z_][\w.]*)")


def function_roots(functions_dir: Path) -> list[str]:
    """The handlers' files and the modules the functions' scripts start: of every function
    under ``functions_dir``, or of the one function whose folder it is."""
    roots = [str(p) for p in sorted(functions_dir.glob("*.py"))]
    roots += [str(p) for p in sorted(functions_dir.glob("*/*.py"))]
    scripts = [*sorted(functions_dir.glob("*.sh")), *sorted(functions_dir.glob("*/*.sh"))]
    for script in scripts:
        roots += [m for m in _SCRIPT_MODULE.findall(script.read_text("utf-8"))
                  if m != "uvicorn"]
    return roots


def runtime_modules(package_dirs: Sequence[Path], roots: Iterable[str]) -> set[str]:
    """Every module of the packages that the roots import, directly or not (the roots'
    own modules included when they are module names)."""
    modules = all_modules(*package_dirs)
    graph = import_graph(*package_dirs)
    todo: list[str] = []
    for root in roots:
        if root.endswith(".py"):
            todo += imports_of("", Path(root), modules)
        elif root in modules:
            todo.append(root)
        else:
            raise SystemExit(f"runtime_modules: {root!r} is neither a file nor a module of "
                             f"{', '.join(d.name for d in package_dirs)}")
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [a for a in _ancestors(name) if a in modules]
        todo += graph[name]
    return seen


def copy(package_dir: Path, dest: Path, roots: Iterable[str],
         through: Sequence[Path] = ()) -> list[str]:
    """Copy the package's runtime modules and its ``data/`` to ``dest/<package>``; imports
    into the ``through`` packages are followed (back into this one, too), not copied."""
    modules = all_modules(package_dir)
    shipped = sorted(set(modules) & runtime_modules([package_dir, *through], roots))
    target = dest / package_dir.name
    for name in shipped:
        source = modules[name]
        out = target / source.relative_to(package_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, out)
    if (package_dir / "data").is_dir():
        shutil.copytree(package_dir / "data", target / "data", dirs_exist_ok=True)
    return shipped


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "list":
        roots = function_roots(Path(argv[1]))
        print("\n".join(sorted(runtime_modules([Path(a) for a in argv[2:]], roots))))
        return 0
    if len(argv) >= 4 and argv[0] == "copy":
        package_dir, *through = (Path(a) for a in argv[3:])
        shipped = copy(package_dir, Path(argv[2]), function_roots(Path(argv[1])), through)
        left = sorted(set(all_modules(package_dir)) - set(shipped))
        print(f"{package_dir.name}: {len(shipped)} runtime modules shipped, "
              f"{len(left)} left out ({', '.join(_tops(left))})")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


def _tops(names: list[str]) -> list[str]:
    """Left-out modules, grouped: a package left out whole is named once."""
    shown: list[str] = []
    for name in names:
        if not any(name.startswith(s + ".") for s in shown):
            shown.append(name)
    return shown


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
