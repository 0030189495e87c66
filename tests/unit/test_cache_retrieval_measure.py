"""train/cache_retrieval/measure.py's per-pair figures (session 30): what is under the floor
per kind, the paraphrases lost at the floor that the verifier would pass, and the pairs
whose verdict at 0.5 differs from the first map's. Toy rows as bench/cache_losses.py
writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llm_router import catalog
from llm_router.cache.cross import ARTEFACT_DIR
from llm_router.cache.fitted_stack import FEATURES
from train.cache_retrieval import measure


def row(i: int, label: int, kind: str, p: float, **kw: Any) -> dict[str, Any]:
    return {"set": "heldout62", "id": f"p{i}", "kind": kind, "label": label, "a": f"a{i}",
            "b": f"b{i}", "similarity": 0.0, "numbers": False, "respelling": None, "p": p,
            "narrowed": False, "more": False, "own": False, **kw}


ROWS = [row(1, 1, "reworded", 0.99), row(2, 1, "reworded", 0.10), row(3, 1, "typo", 0.99),
        row(4, 0, "near_topic", 0.99), row(5, 0, "entity_swap", 0.10),
        row(6, 1, "synonym", 0.99, more=True)]


def test_under_the_floor_per_kind_and_what_the_verifier_would_pass() -> None:
    sims = np.asarray([0.45, 0.40, 0.70, 0.45, 0.30, 0.40])
    under = measure.per_pair(ROWS, sims, 0.93)["under_floor"]
    assert under["paraphrases"] == 3 and under["negatives"] == 2
    assert under["paraphrases_passed_over_it"] == 1  # p1; p2 refused, p6 by extra_ask
    assert under["by_kind"] == {"+reworded": 2, "+synonym": 1, "-entity_swap": 1,
                                "-near_topic": 1}


def test_changes_against_the_first_map() -> None:
    versus = np.asarray([0.45, 0.60, 0.70, 0.45, 0.30, 0.40])
    sims = np.asarray([0.55, 0.60, 0.40, 0.55, 0.30, 0.60])
    got = measure.changes(ROWS, sims, versus, 0.93)
    assert got["gained"] == {"n": 1, "reworded": 1}
    assert got["lost"] == {"n": 1, "typo": 1}
    assert got["passed"] == {"n": 1, "near_topic": 1}
    assert got["no_longer"] == {"n": 0}
    assert [(c["id"], c["what"]) for c in got["pairs"]] == [
        ("p1", "gained"), ("p3", "lost"), ("p4", "passed")]


def test_the_rows_are_restaged_at_the_cut_given() -> None:
    # p 0.92 passes S5's old cut 0.916959, not S10's 0.93
    rows = [row(1, 1, "reworded", 0.92), row(2, 0, "near_topic", 0.92)]
    sims = np.asarray([0.7, 0.7])
    at_s5 = measure.per_pair(rows, sims, 0.916959)["at"]["0.50"]
    at_s10 = measure.per_pair(rows, sims, 0.93)["at"]["0.50"]
    assert (at_s5["hits"], at_s5["false_hits"]) == (1, 1)
    assert (at_s10["hits"], at_s10["false_hits"]) == (0, 0)


def test_the_layer_cut_is_the_lookups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cross.json``'s threshold, its fitted stack's where it combines one, and the
    catalog's ``cache.verifier_threshold`` over both (as ``policy_for`` reads it)."""
    (tmp_path / "cross.json").write_text(json.dumps({"threshold": 0.93}))
    assert measure.layer_cut(tmp_path) == 0.93
    stack = {"features": list(FEATURES), "weights": [0.0] * len(FEATURES), "bias": 0.0,
             "threshold": 0.8}
    (tmp_path / "cross.json").write_text(json.dumps({"threshold": 0.93, "combine": "fitted",
                                                     "stack": stack}))
    assert measure.layer_cut(tmp_path) == 0.8
    config = catalog.CacheConfig
    monkeypatch.setattr(catalog, "CacheConfig", lambda: config(verifier_threshold=0.9))
    assert measure.layer_cut(tmp_path) == 0.9
    # the shipped layer's, read as the lookup reads it
    monkeypatch.undo()
    assert measure.layer_cut() == json.loads((ARTEFACT_DIR / "cross.json").read_text())[
        "threshold"]
