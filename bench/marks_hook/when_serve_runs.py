"""The hook bench/lock_wait_marks and bench/request_path_marks (their sitecustomize) share:
run their installer inside ``llm-router serve`` once ``serve`` has imported everything, at
uvicorn's ``Server.run``.

bench/lock_wait.py and bench/request_path.py put this folder on serve's ``PYTHONPATH``
beside their marks folder. Bench only: nothing in the router imports it.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Callable
from typing import Any


class _WhenServeRuns(importlib.abc.MetaPathFinder):
    def __init__(self, install: Callable[[], None]):
        self._install = install

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname == "llm_router_local.cli.serve":
            sys.meta_path.remove(self)
            import uvicorn

            run = uvicorn.Server.run
            install = self._install

            def installed_run(*args: Any, **kwargs: Any) -> Any:
                install()
                return run(*args, **kwargs)

            uvicorn.Server.run = installed_run  # type: ignore[method-assign]
        return None


def when_serve_runs(install: Callable[[], None]) -> None:
    """Call ``install`` once, when ``serve`` starts uvicorn's server."""
    sys.meta_path.insert(0, _WhenServeRuns(install))
