"""The pipeline benchmark's workload builder and its regression check."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from llm_router.classifier.dataset import Example
from llm_router.classifier.tiers import TIERS
from llm_router_local.benchmark.summary import compare
from llm_router_local.benchmark.workload import (
    WorkloadItem,
    WorkloadShape,
    against_queries,
    build_workload,
    load_workload,
    provenance_path,
    read_provenance,
    save_workload,
    sha256_of,
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


def test_an_echo_names_the_labelled_query_it_echoes() -> None:
    queries = {e.query for e in examples()}
    items = build_workload(examples(), WorkloadShape(500, 0.2, 0.2, seed=5))
    echoes = [i for i in items if i.variant != "original"]
    assert echoes and all(i.original in queries for i in echoes)
    assert all(i.original == "" and i.query in queries for i in items
               if i.variant == "original")
    # A repeat of a paraphrase repeats its words and names the paraphrase's original.
    assert any(i.variant == "repeat" and i.query not in queries for i in echoes)


def test_a_pinned_workload_takes_its_split_from_the_labelled_queries_of_today(
        tmp_path: Path) -> None:
    items = build_workload(examples(), WorkloadShape(300, seed=2))
    save_workload(items, tmp_path / "w.jsonl")
    assert load_workload(tmp_path / "w.jsonl") == items  # the echo's original survives
    # A retrain moved query 0 (held out) into training: it and its echoes stop counting.
    later = [Example(e.id, e.query, e.label, e.domain, e.source,
                     "train" if e.id == "id0" else e.split) for e in examples()]
    checked = against_queries(items, later)
    q0 = examples()[0].query
    moved = [(a, b) for a, b in zip(items, checked, strict=True) if a.split != b.split]
    assert moved and all((a.original or a.query) == q0 for a, _ in moved)
    assert all(b.split == "train" for _, b in moved)
    assert [(b.query, b.label, b.variant, b.at_s) for b in checked] == [
        (a.query, a.label, a.variant, a.at_s) for a in items]


def test_a_pinned_workload_whose_query_left_or_was_relabelled_is_refused() -> None:
    items = build_workload(examples(), WorkloadShape(300, seed=2))
    gone = examples()[1:]
    with pytest.raises(ValueError, match="not in the file") as refused:
        against_queries(items, gone)
    assert "pin a new one" in str(refused.value)
    relabelled = [Example(e.id, e.query, "reasoning" if e.id == "id0" else e.label,
                          e.domain, e.source, e.split) for e in examples()]
    with pytest.raises(ValueError, match=r"labels otherwise: lines \d+ \(simple -> reasoning"):
        against_queries(items, relabelled)
    # A hand-written echo that names no original is looked up by its own words.
    hand = [WorkloadItem("Hi, " + examples()[3].query, "reasoning", "support", "paraphrase")]
    with pytest.raises(ValueError, match="paraphrase"):
        against_queries(hand, examples())


def test_provenance_sits_beside_the_workload_and_refuses_changed_bytes(
        tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl"
    save_workload(build_workload(examples(), WorkloadShape(20)), path)
    assert provenance_path(path) == tmp_path / "w.provenance.json"
    assert read_provenance(path) is None
    provenance_path(path).write_text(json.dumps({"workload_sha256": sha256_of(path)}))
    assert read_provenance(path) == {"workload_sha256": sha256_of(path)}
    path.write_text(path.read_text() + path.read_text().splitlines()[0] + "\n")
    with pytest.raises(ValueError, match="changed after it was pinned"):
        read_provenance(path)
