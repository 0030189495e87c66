"""bench/mined_audit.py (session 28): the blind draw of S7r's dropped mined pairs and the
bundle's hand-written controls of the same shape, and the join of a reader's labels, on a
toy bundle with a toy embedder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import pytest


@pytest.fixture()
def audit(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("mined_audit")


def embed(texts: Sequence[str]) -> np.ndarray:
    """'near' texts at cosine 0.8 from their pair's first text, 'far' ones at 0.2."""
    def v(t: str) -> list[float]:
        if t.startswith("near"):
            return [0.8, 0.6]
        if t.startswith("far"):
            return [0.2, float(np.sqrt(0.96))]
        return [1.0, 0.0]
    return np.asarray([v(t) for t in texts], np.float32)


def bundle(n: int = 400) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        label = i % 2
        kind = "reworded" if i % 5 else None  # every fifth: no writer's kind (not drawn)
        b = f"{'near' if i % 3 else 'far'} zebra{i} yak{i}"
        rows.append({"a": f"alpha{i} beta{i}", "b": b, "label": label, "source": "heldout30",
                     "kind": kind})
    rows.append({"a": "alpha beta", "b": "near x", "label": 0, "source": "mined", "kind": None})
    return rows


def test_draw_and_join(audit: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "SIZES", {"D": 6, "P": 4, "N": 4})
    dropped = [{"i": 1000 + k, "cached": f"c{k}", "query": f"q{k}", "cosine": 0.55 + k / 100,
                "overlap": 0.0} for k in range(20)]
    key, meta = audit.draw(dropped, bundle(), embed)
    assert len(key) == 14 and [k["id"] for k in key][:2] == ["0001", "0002"]
    by = {s: [k for k in key if k["stratum"] == s] for s in "DPN"}
    assert [len(by[s]) for s in "DPN"] == [6, 4, 4]
    assert all(k["label"] == 1 and k["cosine"] >= 0.5 and k["overlap"] < 0.2 for k in by["P"])
    assert all(k["label"] == 0 and k["source"] != "mined" and k["kind"] for k in by["N"])
    assert meta["dropped"] == 20 and audit.draw(dropped, bundle(), embed)[0] == key
    text = audit.blind_text(key)
    assert text.startswith("### 0001\nA: ") and "cosine" not in text
    labels = {k["id"]: {"reader": "same" if k["stratum"] != "N" else "different", "reason": ""}
              for k in key}
    labels[by["D"][0]["id"]] = {"reader": "different", "reason": "other product"}
    result = audit.join(key, labels)
    d = result["dropped_called_same"]
    assert (d["n"], d["same"], d["different"], d["same_share"]) == (6, 5, 1, 0.8333)
    assert result["controls_agree_with_writer"] == {"P": 4, "N": 4}
    assert sum(v["n"] for v in result["strata"]["D"]["by_cosine"].values()) == 6
    assert audit.band(0.55) == "0.5-0.6" and audit.band(0.93) == ">=0.9"
