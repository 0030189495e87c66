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
- httpx's package ``__init__`` tries ``from ._main import main`` (its command-line
  client), which imports click (in the layer for uvicorn) and then fails on rich, which
  the layer does not ship: 42 M instructions of every cold start, for an ImportError
  httpx catches. A ``None`` in ``sys.modules`` makes that import fail at once instead;
  ``httpx.main`` then says the command-line client is not installed, as it would anyway.
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


@contextmanager
def lambda_init() -> Iterator[None]:
    """Init with the collector off, httpx's CLI import skipped and the layer's
    precompiled source in use; the collector is back on afterwards (also when init
    fails), with what init built frozen."""
    gc.disable()
    skip_httpx_cli()
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


def skip_httpx_cli() -> None:
    """httpx's ``from ._main import main`` fails at once (it would import click first)."""
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


# What functions/router/app.py imports, then what its init imports while it builds the
# app (the HTTP client's transport, Powertools' metrics and logger, X-Ray, MiniLM): the
# layer build records what these compile.
ROUTER_IMPORTS = ("mangum", "httpx", "llm_router.bootstrap", "httpcore", "h11",
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
    skip_httpx_cli()
    compilations = precompiled.record_imports(ROUTER_IMPORTS, out)
    print(f"precompiled: {len(compilations.code)} code objects and "
          f"{len(compilations.patterns) + len(compilations.regexes)} patterns the "
          f"router's import compiles "
          f"({out.stat().st_size // 1024} KiB, {out.name})")
