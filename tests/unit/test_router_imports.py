"""What the router function imports at cold start (docs/performance.md#cold-start).

Every module the handler's import pulls in is paid for on each new container, so the
router's import graph must not reach code that only other processes use: FastAPI (the
simulator's framework; the router's app is Starlette), llm_router_local (the CLI, the
local runner, the simulator, the embedded store, the benchmark), alerting and training
code, nor libraries replaced or skipped to keep them out (pydantic-settings, click,
boto3). A fresh interpreter imports what functions/router/app.py imports, inside
llm_router.coldstart.lambda_init as the handler does, and lists the modules it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

NOT_AT_COLD_START = (
    "fastapi", "llm_router_local",  # the CLI, local runner, simulator, store, benchmark
    "llm_router.alerting", "llm_router.classifier.train",
    "llm_router.embedding.export", "llm_router.pricing_import", "matplotlib",
    "pydantic_settings",  # llm_router.settings reads the environment itself
    "click",  # command-line clients (httpx's, uvicorn's)
    "boto3", "s3transfer",  # the clients are botocore's (llm_router.aws)
    "httpx", "httpcore",  # provider calls go through aiohttp (llm_router.providers.session)
)


def loaded_by(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    return set(json.loads(done.stdout.splitlines()[-1]))


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_the_router_functions_imports_leave_out_what_only_other_processes_use() -> None:
    loaded = loaded_by("from llm_router.coldstart import lambda_init\n"
                       "with lambda_init(): import mangum, llm_router.bootstrap")
    assert "llm_router.api.app" in loaded and "starlette.applications" in loaded
    pulled = sorted(m for m in loaded if any(_matches(m, p) for p in NOT_AT_COLD_START))
    assert not pulled, f"the router's import graph pulls these back in: {pulled}"


def test_the_check_sees_a_module_pulled_in() -> None:
    loaded = loaded_by("import llm_router_local.simulator.app")
    assert "fastapi" in loaded and "llm_router_local.simulator" in loaded
