"""The collector's work inside ``llm-router serve`` and its store, for bench/soak.py.

Loaded by a process only when bench/soak.py puts this folder first on the router's
``PYTHONPATH`` (Python imports ``sitecustomize`` at start-up; the store, a child, inherits
it) and sets ``$SOAK_MARKS`` to a folder. A ``gc.callbacks`` entry counts each
generation's collections and their pauses (``perf_counter``, wall time: a collection
preempted by a neighbour reads longer), and a daemon thread writes the running totals to
``$SOAK_MARKS/<pid>.json`` every ``EVERY_S`` seconds, so the request path writes nothing.
Bench only: nothing in the router imports it.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
from typing import Any

EVERY_S = 0.5
_folder = os.environ.get("SOAK_MARKS", "")
_collections = [0, 0, 0]
_pause_ns = [0, 0, 0]
_started = [0]


def _count(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter_ns()
        return
    generation = info["generation"]
    _collections[generation] += 1
    _pause_ns[generation] += time.perf_counter_ns() - _started[0]


def _write() -> None:
    path = os.path.join(_folder, f"{os.getpid()}.json")
    while True:
        time.sleep(EVERY_S)
        row = {"collections": list(_collections), "pause_ns": list(_pause_ns)}
        try:
            with open(path + ".tmp", "w") as f:
                json.dump(row, f)
            os.replace(path + ".tmp", path)
        except OSError:  # the folder went with the bench's run: nothing left to tell
            return


if _folder:
    gc.callbacks.append(_count)
    threading.Thread(target=_write, name="soak-marks", daemon=True).start()
