"""layers/core/runtime_modules.py loaded as a module (it is build tooling, not in a package),
shared by the tests that read the layer's import graph."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import llm_router
import llm_router_local

PACKAGE = Path(llm_router.__file__).parent
LOCAL = Path(llm_router_local.__file__).parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runtime_modules",
                                                  PACKAGE.parent / "runtime_modules.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load()
