"""No import cycles inside llm_router, and a core layer that holds runtime code only.

Both read the import graph of layers/core/runtime_modules.py (the layer build's own
tool, loaded from its file: it is build tooling, not part of the package).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import llm_router

PACKAGE = Path(llm_router.__file__).parent
ROOT = PACKAGE.parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runtime_modules",
                                                  PACKAGE.parent / "runtime_modules.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _tool()


def test_there_are_no_import_cycles() -> None:
    found = tool.cycles(tool.import_graph(PACKAGE))
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


def test_the_layer_ships_what_the_functions_import_and_no_development_code() -> None:
    roots = tool.function_roots(ROOT / "functions")
    assert "llm_router.coldstart" in roots  # the stream relay's uvicorn factory
    shipped = tool.runtime_modules(PACKAGE, roots)
    for needed in ("llm_router.bootstrap", "llm_router.api.app", "llm_router.service",
                   "llm_router.providers.bedrock.client", "llm_router.benchmark.job",
                   "llm_router.cache.rebuild", "llm_router.alerting.wiring"):
        assert needed in shipped, needed
    # The benchmark runner replays its workload on the provider simulator and the
    # embedded store's engine in process: those ship, the process runner does not.
    for needed in ("llm_router.simulator.app", "llm_router.providers.openai.simulator",
                   "llm_router.local.store.inprocess"):
        assert needed in shipped, needed
    development = ("llm_router.cli", "llm_router.local.", "llm_router.classifier.train",
                   "llm_router.embedding.export")
    allowed = ("llm_router.local.store",)
    assert not [m for m in shipped if m.startswith(development) and not m.startswith(allowed)]
    assert not {"llm_router.local.store.server", "llm_router.local.store.__main__",
                "llm_router.local.aws", "llm_router.local.processes"} & set(shipped)


def test_copy_writes_the_runtime_modules_and_the_data(tmp_path: Path) -> None:
    shipped = tool.copy(PACKAGE, tmp_path, tool.function_roots(ROOT / "functions"))
    out = tmp_path / "llm_router"
    assert (out / "bootstrap.py").is_file() and (out / "data" / "catalog.yaml").is_file()
    assert not (out / "cli").exists() and not (out / "local" / "aws.py").exists()
    assert len(list(out.rglob("*.py"))) == len(shipped)
