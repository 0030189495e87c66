"""bench/tenants.py and bench/cache_shared.py --tenants domain (session 30): each
(set, domain) of the pair sets its own index, every query looked up in its own tenant
only, the figures per set, per traffic kind (support / general) and in all."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from llm_router.cache.cross import load_cross_verifier
from llm_router.embedding.minilm import shared_embedder


@pytest.fixture(scope="module")
def tenants(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("tenants")


@pytest.fixture(scope="module")
def shared(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("cache_shared")


def pair(n: int, a: str, b: str, label: int, domain: str, **more: Any) -> dict[str, Any]:
    return {"set": "toy", "id": f"p{n:04d}", "a": a, "b": b, "label": label,
            "kind": "reworded" if label else "near_topic", "domain": domain, **more}


# Two businesses: a locksmith and a bakery. The bakery's negative query asks the
# locksmith's question, so only a mixed index can answer it with the locksmith's entry.
PAIRS = [
    pair(1, "Can you open a car door if I locked my keys inside?",
         "Can you unlock my car if my keys are locked inside?", 1, "locksmith"),
    pair(2, "Do you cut spare house keys?", "Can I get a copy of my front door key made?",
         1, "locksmith"),
    pair(3, "Do you bake gluten-free bread?", "Is there a gluten free loaf?", 1, "bakery"),
    pair(4, "Do you deliver wedding cakes?",
         "Could you open a car door if I locked my keys inside?", 0, "bakery"),
]


def test_a_tenant_is_a_set_and_domain(tenants: ModuleType) -> None:
    """Per (set, domain) its pairs and its index's texts: its own distinct cached texts,
    then the fillers it does not hold; sizes count its own entries only."""
    pairs = [*PAIRS, {**PAIRS[0], "set": "other", "id": "p0001"},
             pair(5, "Do you cut spare house keys?", "spare keys?", 1, "locksmith")]
    fillers = ["What is the capital of Peru?", "Do you cut spare house keys?"]
    got = tenants.split(pairs, fillers)
    assert list(got) == ["toy/locksmith", "toy/bakery", "other/locksmith"]
    mine, texts = got["toy/locksmith"]
    assert [p["id"] for p in mine] == ["p0001", "p0002", "p0005"]
    assert texts == [PAIRS[0]["a"], PAIRS[1]["a"], "What is the capital of Peru?"]
    assert got["toy/bakery"][1] == [PAIRS[2]["a"], PAIRS[3]["a"], *fillers]
    sizes = tenants.sizes(got, len(fillers))
    assert sizes["tenants"] == 3 and sizes["fillers_each"] == 2
    assert sizes["each"]["toy/locksmith"] == {"pairs": 3, "queries": 3, "entries": 2,
                                              "traffic": ["unknown"]}
    assert sizes["entries"] == {"min": 1, "median": 2, "max": 2, "total": 5}
    with pytest.raises(SystemExit):  # a pair with no domain has no tenant
        tenants.split([{k: v for k, v in PAIRS[0].items() if k != "domain"}], [])


def test_traffic_is_the_pairs_own_or_its_src_file(tenants: ModuleType, tmp_path: Path) -> None:
    """A pair's ``traffic`` field wins; else the set's src/p_s_* (support) and p_g_*
    (general) files in order, blank and # lines skipped; else unknown; a src that does
    not count the pairs is refused."""
    folder = tmp_path / "toy"
    (folder / "src").mkdir(parents=True)
    rows = [{k: v for k, v in p.items() if k != "set"} for p in PAIRS]
    (folder / "cache_pairs.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (folder / "src" / "p_g_bread.txt").write_text("# general\n1 x || a || b\n\n",
                                                  encoding="utf-8")
    (folder / "src" / "p_s_keys.txt").write_text("1 x || a || b\n1 x || a || b\n"
                                                 "0 x || a || b\n", encoding="utf-8")
    pairs = [{"set": "toy", **r} for r in rows]
    pairs[3]["traffic"] = "general"
    got = tenants.with_traffic(pairs, ["toy"], tmp_path)
    assert [p["traffic"] for p in got] == ["general", "support", "support", "general"]
    bare = tmp_path / "bare.jsonl"  # a file, no src folder beside it
    bare.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [p["traffic"] for p in tenants.with_traffic(
        [{"set": "bare", **r} for r in rows], [str(bare)])] == ["unknown"] * 4
    (folder / "src" / "p_s_more.txt").write_text("1 x || a || b\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        tenants.with_traffic(pairs, ["toy"], tmp_path)


def test_a_query_is_answered_in_its_own_tenant_only(shared: ModuleType,
                                                     tenants: ModuleType) -> None:
    """The bakery's negative query asks the locksmith's question: one index of both
    businesses answers it with the locksmith's entry (another entry), the bakery's own
    index with nothing; the locksmith's queries get their own entries either way."""
    embedder = shared_embedder()
    cross = load_cross_verifier(embedder)
    texts = list(dict.fromkeys(t for p in PAIRS for t in (p["a"], p["b"])))
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    variants = {"0.5:5": shared.variant("0.5:5", cross, cross.threshold)}
    groups = shared.PairGroups(PAIRS)
    mixed, _, _, _ = shared.in_index([p["a"] for p in PAIRS], PAIRS, vectors, variants,
                                     groups, cross, embedder, None, frozenset())
    alone: list[Any] = []
    for mine, its_texts in tenants.split(PAIRS, []).values():
        got, _, _, _ = shared.in_index(its_texts, mine, vectors, variants, groups, cross,
                                       embedder, None, frozenset(), progress=False)
        alone += got["0.5:5"]
    by = {a.pair["id"]: a for a in mixed["0.5:5"]}
    assert by["p0004"].answered == PAIRS[0]["a"] and by["p0004"].outcome == "other"
    own = {a.pair["id"]: a for a in alone}
    assert own["p0004"].answered is None
    assert own["p0001"].outcome == by["p0001"].outcome == "partner"


def test_the_run_reports_tenants_and_kinds(shared: ModuleType, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """``--tenants domain``: the result holds per-set, per-kind and ``all`` blocks and the
    tenants' sizes; every pair's row names its tenant and traffic."""
    rows = [{k: v for k, v in p.items() if k != "set"} | {
        "traffic": "general" if p["domain"] == "bakery" else "support"} for p in PAIRS]
    file = tmp_path / "toy.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out, pairs_out = tmp_path / "out.json", tmp_path / "pairs.jsonl"
    monkeypatch.setattr(shared, "embed_cached", lambda e, t: e.embed(list(t)))
    monkeypatch.setattr(shared, "fail_loudly", lambda out: None)  # keep pytest's signals
    monkeypatch.setattr(sys, "argv", [
        "cache_shared.py", "--sets", str(file), "--tenants", "domain", "--variants", "0.5:5",
        "--verifier-model", "cross", "--out", str(out), "--pairs-out", str(pairs_out)])
    assert shared.main() == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    view = result["by_variant"]["0.5:5"]
    assert set(view["by_kind"]) == {"support", "general"} and set(view["by_set"]) == {"toy"}
    assert view["by_kind"]["general"]["negatives"]["answered"] == 0
    assert view["all"]["positives"]["n"] == 3 and result["entries"] == 4
    assert result["tenants"]["tenants"] == 2 and result["tenants"]["by"] == "domain"
    got = [json.loads(line) for line in pairs_out.read_text(encoding="utf-8").splitlines()]
    assert {(r["id"], r["tenant"], r["traffic"]) for r in got} == {
        ("p0001", "toy/locksmith", "support"), ("p0002", "toy/locksmith", "support"),
        ("p0003", "toy/bakery", "general"), ("p0004", "toy/bakery", "general")}
