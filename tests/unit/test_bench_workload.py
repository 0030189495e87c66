"""The pipeline benchmark's workload builder and its regression check."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from llm_router.classifier.dataset import Example
from llm_router.classifier.tiers import TIERS
from llm_router_local.benchmark.summary import compare
from llm_router_local.benchmark.workload import (
    WorkloadShape,
    build_workload,
    load_workload,
    save_workload,
)


def examples(n: int = 80) -> list[Example]:
    return [Example(f"id{i}", f"Question number {i} about {TIERS[i % 4]} things?",
                    TIERS[i % 4], "code" if i % 3 == 0 else "bank", "own",
                    "heldout" if i < 20 else "train") for i in range(n)]


def test_rates_kinds_and_order_follow_the_shape() -> None:
    items = build_workload(examples(), WorkloadShape(2000, 0.2, 0.1, seed=3))
    variants = Counter(i.variant for i in items)
    assert len(items) == 2000
    assert abs(variants["repeat"] / 2000 - 0.2) < 0.03
    assert abs(variants["paraphrase"] / 2000 - 0.1) < 0.03
    assert {i.kind for i in items} == {"support", "assistant"}
    assert {i.label for i in items} == set(TIERS)
    originals = [i for i in items if i.variant == "original"]
    assert {i.split for i in originals[:20]} == {"heldout"}  # held-out queries come first
    seen = set()
    for item in items:
        if item.variant == "repeat":
            assert item.query in seen
        if item.variant == "paraphrase":
            assert item.query not in {e.query for e in examples()}
        seen.add(item.query)


def test_poisson_arrivals_have_the_mean_rate() -> None:
    items = build_workload(examples(), WorkloadShape(3000, rate_per_s=50.0, seed=1))
    times = [i.at_s for i in items]
    assert times == sorted(times)
    assert abs(len(items) / times[-1] - 50) < 5


def test_round_trip_and_bad_lines(tmp_path: Path) -> None:
    items = build_workload(examples(), WorkloadShape(50))
    save_workload(items, tmp_path / "w.jsonl")
    assert load_workload(tmp_path / "w.jsonl") == items
    (tmp_path / "bad.jsonl").write_text('{"query": "hi", "label": "hard"}\n')
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_workload(tmp_path / "bad.jsonl")
    with pytest.raises(ValueError):
        WorkloadShape(10, 0.7, 0.4)


def test_compare_flags_only_regressions_beyond_tolerance() -> None:
    before = {"headline": {"tier_accuracy": 0.80, "under_routed": 0.01,
                           "savings_vs_strongest_pct": 90.0, "error_rate": 0.0,
                           "cache_hit_rate": 0.2}}
    same = {"headline": {**before["headline"], "tier_accuracy": 0.79}}
    assert compare(same, before) == []
    worse = {"headline": {**before["headline"], "savings_vs_strongest_pct": 80.0,
                          "under_routed": 0.05}}
    problems = compare(worse, before)
    assert len(problems) == 2
    assert any("savings_vs_strongest_pct" in p for p in problems)
