"""What the builds ship: the core layer holds llm_router's runtime modules only, and the
benchmark-runner function's own package plus the layer run its handler.

Both builds copy with layers/core/runtime_modules.py (loaded from its file: it is build
tooling, not part of a package): the layer, llm_router's modules any function imports
(layers/core/Makefile); the benchmark runner, llm_router_local's modules its handler
imports (functions/benchmark_runner/Makefile). `make sam-build` checks the built
directories again (`make layer-size`).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

from tests.unit.runtime_modules_tool import LOCAL, PACKAGE, tool

ROOT = PACKAGE.parents[2]
FUNCTIONS = ROOT / "functions"
BENCHMARK_RUNNER = FUNCTIONS / "benchmark_runner"

# Never in the layer: the local package (CLI, local runner, provider simulators, embedded
# store, benchmark) and llm_router's training and export code.
TRAINING = ("llm_router.classifier.train", "llm_router.embedding.export",
            "llm_router.pricing_import")


def development_modules(shipped: set[str] | list[str]) -> list[str]:
    """The shipped modules a layer must not hold."""
    return sorted(m for m in shipped
                  if m == "llm_router_local" or m.startswith(("llm_router_local.", *TRAINING))
                  or {"cli", "local", "simulator"} & set(m.split(".")))


def layer_modules(functions: Path = FUNCTIONS) -> list[str]:
    """What the layer build copies (runtime_modules.copy's choice, without the copying)."""
    shipped = tool.runtime_modules([PACKAGE, LOCAL], tool.function_roots(functions))
    return sorted(m for m in shipped if m == "llm_router" or m.startswith("llm_router."))


def test_the_layer_ships_what_the_functions_import_and_no_development_code() -> None:
    roots = tool.function_roots(FUNCTIONS)
    assert "llm_router.coldstart" in roots  # the stream relay's uvicorn factory
    shipped = layer_modules()
    for needed in ("llm_router.bootstrap", "llm_router.api.app", "llm_router.service",
                   "llm_router.providers.bedrock.client", "llm_router.cache.rebuild",
                   "llm_router.alerting.wiring",
                   # reached only through the benchmark runner's llm_router_local code
                   "llm_router.classifier.evaluate", "llm_router.storage.tables"):
        assert needed in shipped, needed
    assert not development_modules(shipped)


def test_the_check_sees_development_code_a_function_pulls_in(tmp_path: Path) -> None:
    handler = tmp_path / "leaky" / "app.py"
    handler.parent.mkdir()
    handler.write_text("from llm_router_local.benchmark.job import build_job\n"
                       "import llm_router.classifier.train\n")
    # The layer copies llm_router's side only; what it reaches through the local package
    # comes along, and the training module is caught.
    assert development_modules(layer_modules(tmp_path)) == ["llm_router.classifier.train"]
    both = development_modules(tool.runtime_modules([PACKAGE, LOCAL], [str(handler)]))
    for caught in ("llm_router_local.simulator.app", "llm_router_local.store.inprocess",
                   "llm_router_local.providers.openai.simulator"):
        assert caught in both, caught


def test_the_layer_copy_writes_llm_router_and_its_data_only(tmp_path: Path) -> None:
    shipped = tool.copy(PACKAGE, tmp_path, tool.function_roots(FUNCTIONS), [LOCAL])
    out = tmp_path / "llm_router"
    assert [p.name for p in tmp_path.iterdir()] == ["llm_router"]
    assert (out / "bootstrap.py").is_file() and (out / "data" / "catalog.yaml").is_file()
    assert not list(out.rglob("simulator*"))
    assert not (out / "data" / "benchmark").exists(), (
        "the benchmark queries ride with the benchmark runner: a stale copy from before "
        "34e4a21 sits in layers/core/llm_router/data/benchmark/ (make data removes it)")
    assert len(list(out.rglob("*.py"))) == len(shipped) == len(layer_modules())


def test_the_benchmark_runner_ships_its_share_of_llm_router_local_only(tmp_path: Path) -> None:
    shipped = tool.copy(LOCAL, tmp_path, tool.function_roots(BENCHMARK_RUNNER), [PACKAGE])
    out = tmp_path / "llm_router_local"
    assert [p.name for p in tmp_path.iterdir()] == ["llm_router_local"]  # never llm_router
    for needed in ("llm_router_local.benchmark.job", "llm_router_local.simulator.app",
                   "llm_router_local.providers.bedrock.simulator",
                   "llm_router_local.store.inprocess"):
        assert needed in shipped, needed
    # The CLI and the local process runner (servers, subprocesses) stay out.
    assert not [m for m in shipped if m.startswith(("llm_router_local.cli",
                                                    "llm_router_local.store.server"))]
    assert not {"llm_router_local.aws", "llm_router_local.processes"} & set(shipped)
    assert (out / "data" / "benchmark" / "queries.jsonl").is_file()


def test_the_benchmark_runner_imports_its_handler_from_its_package_and_the_layer(
    tmp_path: Path,
) -> None:
    """Lambda's layout, in a fresh interpreter: the function at /var/task (first on
    sys.path), the layer's llm_router at /opt/python; the dependencies from this
    environment's site-packages, without its .pth files (-S), so the editable install of
    this checkout cannot fill a gap."""
    var_task, opt_python = tmp_path / "var_task", tmp_path / "opt_python"
    tool.copy(LOCAL, var_task, tool.function_roots(BENCHMARK_RUNNER), [PACKAGE])
    shutil.copy(BENCHMARK_RUNNER / "app.py", var_task / "app.py")
    tool.copy(PACKAGE, opt_python, tool.function_roots(FUNCTIONS), [LOCAL])
    code = """
import json, sys
sys.path[:0] = sys.argv[1:3]
sys.path += [p for p in sys.argv[3:]]
import app, llm_router, llm_router_local
from llm_router_local.benchmark.job import SHIPPED_DATA
ours = sorted(m.__file__ for n, m in list(sys.modules.items())
              if n.split(".")[0] in ("llm_router", "llm_router_local", "app"))
print(json.dumps({"handler": callable(app.handler), "files": ours,
                  "queries": SHIPPED_DATA.is_file(), "job": type(app.benchmark).__name__}))
"""
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "LLM_ROUTER_BUCKET": "results", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-S", "-c", code, str(var_task), str(opt_python),
                           *site.getsitepackages()], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["handler"] and result["queries"] and result["job"] == "BenchmarkJob"
    files = [Path(f) for f in result["files"]]
    assert all(f.is_relative_to(var_task) for f in files if "llm_router_local" in f.parts)
    assert all(f.is_relative_to(opt_python) for f in files
               if "llm_router" in f.parts and "llm_router_local" not in f.parts)
    assert var_task / "app.py" in files and opt_python / "llm_router" / "__init__.py" in files
    assert not [f for f in files if f.is_relative_to(ROOT)], "loaded from the checkout"


# The layer's one HTTP client is aiohttp (llm_router.providers.session); the blocking
# callers post with the standard library (llm_router.jsonpost).
NOT_IN_THE_LAYER = ("httpx", "httpcore", "httpx2", "httpcore2")


def third_party_imports(modules: list[str]) -> dict[str, set[str]]:
    """Top-level names each module imports (at any depth, TYPE_CHECKING aside)."""
    paths = tool.all_modules(PACKAGE, LOCAL)
    found: dict[str, set[str]] = {}
    for name in modules:
        tree = ast.parse(paths[name].read_text())
        tops = set()
        for node in tool._runtime_nodes(tree):
            if isinstance(node, ast.Import):
                tops |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(node.module.split(".")[0])
        found[name] = tops
    return found


def test_the_layer_neither_pins_nor_imports_httpx() -> None:
    pins = {line.split("==")[0].strip().lower()
            for line in (ROOT / "requirements" / "runtime.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")}
    assert not pins & set(NOT_IN_THE_LAYER), "requirements/runtime.txt pins httpx back"
    pulled = {m: sorted(tops & set(NOT_IN_THE_LAYER))
              for m, tops in third_party_imports(layer_modules()).items()}
    assert not {m: t for m, t in pulled.items() if t}, pulled


def test_the_import_scan_sees_httpx() -> None:
    found = third_party_imports(["llm_router_local.benchmark.pipeline"])
    assert "httpx" in found["llm_router_local.benchmark.pipeline"]
