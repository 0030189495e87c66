"""What a Lambda function does around its init: ``functions/router/app.py``, and the
stream relay's app factory (``relay_app``, which ``functions/stream_relay/run.sh`` hands
to uvicorn).

``with lambda_init():`` around the imports and the building of the app:

- The cyclic garbage collector is off while init runs. Init allocates about 170,000
  tracked objects (modules, classes, functions, the catalog, the tokenizers' tables) that
  all live as long as the container; with the collector on, CPython traverses them again
  and again as they age through the generations (about 200 young, 17 middle and one full
  collection per init) only to find almost nothing to free (under 2,000 objects). At the
  end ``gc.freeze()`` moves everything init made to the permanent generation, so later
  full collections (during requests) do not walk it either, and the collector is back on
  for the requests' own garbage.
- Source text that the imports compile on every cold start (dataclasses' generated
  methods, string annotations, regular expressions) is served from what the layer build
  compiled (``llm_router.precompiled``), when the layer has that file.

docs/performance.md#cold-start has the measurements.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from llm_router import precompiled
from llm_router.heap import bound_arenas


@contextmanager
def lambda_init() -> Iterator[None]:
    """Init with the collector off and the layer's precompiled source in use; the
    collector is back on afterwards (also when init fails), with what init built frozen."""
    bound_arenas()
    gc.disable()
    try:
        with precompiled.installed():
            yield
    finally:
        gc.freeze()
        gc.enable()


def relay_app() -> Any:
    """The stream relay's app (``uvicorn --factory``): ``create_app_from_env`` built
    inside ``lambda_init``, as the router's handler builds it."""
    with lambda_init():
        from llm_router.bootstrap import create_app_from_env

        return create_app_from_env()


# What functions/router/app.py imports, then what its init imports while it builds the
# app (Powertools' metrics and logger, X-Ray, MiniLM): the
# layer build records what these compile.
ROUTER_IMPORTS = ("mangum", "aiohttp", "llm_router.bootstrap",
                  "aws_lambda_powertools.metrics", "aws_lambda_powertools.logging",
                  "aws_lambda_powertools.tracing", "aws_xray_sdk.core",
                  "llm_router.embedding.minilm", "llm_router.cache.snapshots")


def precompile(argv: list[str]) -> None:
    """The layer build's step (layers/core/Makefile): ``argv`` is the layer's ``python``
    folder, then where this machine's wheels of the same pins are when the layer's are
    for another CPU (the text compiled is the same on every CPU)."""
    from pathlib import Path

    layer = Path(argv[0])
    sys.path[:0] = argv[1:]
    out = precompiled.cache_path(layer / "llm_router" / "data" / "precompiled")
    compilations = precompiled.record_imports(ROUTER_IMPORTS, out)
    print(f"precompiled: {len(compilations.code)} code objects and "
          f"{len(compilations.patterns) + len(compilations.regexes)} patterns the "
          f"router's import compiles "
          f"({out.stat().st_size // 1024} KiB, {out.name})")
