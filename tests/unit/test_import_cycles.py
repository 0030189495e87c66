"""No import cycles inside llm_router and llm_router_local, and none between them:
llm_router (the Lambda layer's package) never imports llm_router_local.

Both read the import graph of layers/core/runtime_modules.py (the layer build's own
tool, loaded from its file: it is build tooling, not part of the package);
tests/unit/test_layer_contents.py checks what the builds ship.
"""

from __future__ import annotations

from pathlib import Path

from tests.unit.runtime_modules_tool import LOCAL, PACKAGE, tool


def test_there_are_no_import_cycles() -> None:
    found = tool.cycles(tool.import_graph(PACKAGE, LOCAL))
    assert not found, "import cycles (each line one group of modules that import each " \
        "other, directly or not):\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_detector_sees_function_level_and_package_cycles(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert tool.cycles(graph) == [["a", "b", "c"]]
    pkg = tmp_path / "llm_router" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from llm_router.pkg.app import create\n")
    (pkg / "app.py").write_text("def create():\n    from llm_router.pkg import fmt\n")
    (pkg / "fmt.py").write_text("from typing import TYPE_CHECKING\n"
                                "if TYPE_CHECKING:\n    from llm_router.pkg import app\n")
    modules = {"llm_router.pkg", "llm_router.pkg.app", "llm_router.pkg.fmt"}
    assert tool.imports_of("llm_router.pkg.app", pkg / "app.py", modules) == {
        "llm_router.pkg", "llm_router.pkg.fmt"}
    assert tool.imports_of("llm_router.pkg.fmt", pkg / "fmt.py", modules) == set()
    assert tool.imports_of("llm_router.pkg", pkg / "__init__.py", modules) == {
        "llm_router.pkg.app"}
    assert tool.cycles(tool.import_graph(tmp_path / "llm_router")) == [
        ["llm_router.pkg", "llm_router.pkg.app"]]


def test_llm_router_never_imports_llm_router_local() -> None:
    graph = tool.import_graph(PACKAGE, LOCAL)
    leaks = sorted(f"{m} -> {n}" for m, targets in graph.items() if m.startswith("llm_router.")
                   or m == "llm_router" for n in targets if n.startswith("llm_router_local"))
    assert not leaks, "the layer's package imports the local one:\n" + "\n".join(leaks)
    # The check sees an edge across (the graph spans both packages).
    assert any(n.startswith("llm_router.") for n in graph["llm_router_local.benchmark.job"])
