"""What a Lambda handler module does around its init (``functions/router/app.py``).

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

docs/performance.md#cold-start has the measurements.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def lambda_init() -> Iterator[None]:
    """Init with the collector off and httpx's CLI import skipped; the collector is back
    on afterwards (also when init fails), with what init built frozen."""
    gc.disable()
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
