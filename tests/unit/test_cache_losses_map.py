"""bench/cache_losses.py and bench/cache_eval.py with the retrieval map (session 28): a row's
``similarity`` is the cosine the index floors by (the mapped one with a map, which the row
names by its sha256), the verifier and the checks after it are handed the raw cosine, a
row's verdict by ``cache_losses.stage`` is the lookup's, and without a map the rows are the
rows of before (no new key). Toy 8-dimensional vectors and a toy map; a table stands for
the verifier."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from llm_router.cache.policy import MatchPolicy
from llm_router.cache.retrieval_map import RetrievalMap
from llm_router.cache.verifier import load_vocabulary
from tests.unit.cache.fakes import SQUEEZE, axis

CUT = 0.9
OLD_KEYS = ["set", "id", "kind", "label", "a", "b", "similarity", "numbers", "respelling",
            "p", "narrowed", "more", "own"]  # a row's keys before session 28, in order


# "moved": raw cosine under 0.5, mapped over it; "kept": over 0.5 both ways; "under": under
# 0.5 both ways (the map keeps dimension 2 and 3 apart).
PAIRS = [
    ("moved", "how do i change the billing address on my account",
     "where can i update the address my invoices go to", axis(1, 3, 1.2), axis(0, 1, 1.0)),
    ("kept", "how long does a refund take to arrive",
     "how many days until my refund shows up", axis(0, 1, 0.3), axis(0, 1, 0.4)),
    ("under", "can i pause my subscription for a month",
     "what is the weather like in lisbon in may", axis(2), axis(3)),
]
VECTORS = {text: vec for _, a, b, va, vb in PAIRS for text, vec in ((a, va), (b, vb))}


class TableVerifier:
    """The probability of each cached text; ``cosines`` records the cosine it was handed."""

    threshold = CUT

    def __init__(self, table: dict[str, float]):
        self.table = table
        self.cosines: dict[str, float] = {}
        self.vocabulary = load_vocabulary(np.ones(30522, np.float32))

    def prepare_many(self, texts: Sequence[str]) -> None:
        pass

    def view(self, text: str) -> Any:
        return self.vocabulary.view(text)

    def probability(self, cached: str, query: str, cosine: float) -> float:
        self.cosines[cached] = cosine
        return self.table[cached]


@pytest.fixture(scope="module")
def losses(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("cache_losses")


@pytest.fixture(scope="module")
def evaluation(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("cache_eval")


@pytest.fixture
def toy_map(tmp_path: Path) -> RetrievalMap:
    np.savez(tmp_path / "map.npz", weight=SQUEEZE)
    return RetrievalMap.load(tmp_path / "map.npz")


def embedded(_embedder: object, texts: Sequence[str]) -> np.ndarray:
    return np.stack([VECTORS[t] for t in texts])


def traced(losses: ModuleType, monkeypatch: pytest.MonkeyPatch, rmap: RetrievalMap | None
           ) -> tuple[list[dict[str, Any]], TableVerifier]:
    monkeypatch.setattr(losses, "embed_cached", embedded)
    monkeypatch.setattr(losses, "ready", lambda *args: None)
    verifier = TableVerifier({a: 0.95 for _, a, _, _, _ in PAIRS})
    pairs = [{"set": "toy", "id": name, "kind": "paraphrase", "label": 1, "a": a, "b": b}
             for name, a, b, _, _ in PAIRS]
    shipped = MatchPolicy(0.5, True, verifier, CUT, spelling=True)  # type: ignore[arg-type]
    # trace checks every row's stage at 0.5 against the lookup itself (with the map)
    return losses.trace(pairs, None, verifier, shipped, rmap), verifier


def test_rows_without_a_map_are_the_rows_of_before(losses: ModuleType,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rows, verifier = traced(losses, monkeypatch, None)
    assert [list(r) for r in rows] == [OLD_KEYS] * len(rows)
    for (_, _, _, va, vb), r in zip(PAIRS, rows, strict=True):
        assert r["similarity"] == pytest.approx(float(va @ vb), abs=1e-6)
    assert [losses.stage(r, 0.5, CUT) for r in rows] == [
        ("floor", False), ("verifier", True), ("floor", False)]


def test_rows_with_a_map_hold_the_mapped_cosine_and_name_the_map(
        losses: ModuleType, monkeypatch: pytest.MonkeyPatch, toy_map: RetrievalMap) -> None:
    raw_rows, _ = traced(losses, monkeypatch, None)
    rows, verifier = traced(losses, monkeypatch, toy_map)
    assert [list(r) for r in rows] == [[*OLD_KEYS, "raw_similarity", "retrieval_map"]] * 3
    for (_, a, _, va, vb), raw, r in zip(PAIRS, raw_rows, rows, strict=True):
        mapped = float(toy_map.apply(va) @ toy_map.apply(vb))
        assert r["similarity"] == pytest.approx(mapped, abs=1e-6)
        assert r["raw_similarity"] == raw["similarity"]
        assert r["retrieval_map"] == toy_map.sha256
        # the verifier read the raw cosine, as in the router
        assert verifier.cosines[a] == pytest.approx(raw["similarity"], abs=1e-6)
        # everything but the cosine is the raw row's: restaging the raw row with the
        # mapped cosine (train/cache_retrieval/measure.py) gives the row's verdict
        assert {k: v for k, v in r.items() if k not in ("similarity", "raw_similarity",
                                                        "retrieval_map")} == {
            k: v for k, v in raw.items() if k != "similarity"}
        assert losses.stage(dict(raw, similarity=r["similarity"]), 0.5, CUT) == \
            losses.stage(r, 0.5, CUT)
    assert rows[0]["raw_similarity"] < 0.5 < rows[0]["similarity"]
    assert [losses.stage(r, 0.5, CUT) for r in rows] == [
        ("verifier", True), ("verifier", True), ("floor", False)]


def test_cache_eval_floors_the_verifier_by_the_map_and_the_guards_by_the_raw_cosine(
        evaluation: ModuleType, monkeypatch: pytest.MonkeyPatch, toy_map: RetrievalMap
) -> None:
    monkeypatch.setattr(evaluation, "embed_cached", embedded)
    monkeypatch.setattr(evaluation, "ready", lambda *args: None)
    verifier = TableVerifier({a: 0.95 for _, a, _, _, _ in PAIRS})
    pairs = [{"source": "toy", "kind": "paraphrase", "label": 1, "a": a, "b": b}
             for _, a, b, _, _ in PAIRS]
    raw = evaluation.judge_all(pairs, None, verifier, 0.5)
    mapped = evaluation.judge_all(pairs, None, verifier, 0.5, toy_map)
    assert all("retrieval_map" not in r for r in raw)
    assert all(r["retrieval_map"] == toy_map.sha256 for r in mapped)
    assert [r["refused_before"] for r in raw] == ["threshold", None, "threshold"]
    assert [r["refused_before"] for r in mapped] == [None, None, "threshold"]
    assert mapped[0]["verifier"] == 0.95 and raw[0]["verifier"] is None
    for r, m in zip(raw, mapped, strict=True):  # the raw-cosine rows are the same
        assert (r["guards"], r["cosine"]) == (m["guards"], m["cosine"])
