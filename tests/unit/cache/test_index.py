"""The per-tenant index with synthetic vectors (no embedder): context, expiry, removal,
candidates after a refused best match, and snapshot encoding."""

import numpy as np

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy
from llm_router.cache.snapshots import decode, encode, snapshot_key

POLICY = MatchPolicy(0.8)


def vec(seed: int, near: np.ndarray | None = None, noise: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=16) if near is None else near + rng.normal(0, noise, 16)
    return (v / np.linalg.norm(v)).astype(np.float32)


def rec(key: str, text: str, v: np.ndarray | None, context: str = "c", expires: int = 1000,
        sk: str = "") -> IndexRecord:
    return IndexRecord(key, context, text, v, expires, sk or f"J#{key}")


def test_hit_only_in_the_same_context_and_before_expiry() -> None:
    index = TenantIndex(dim=16, capacity=1)
    base = vec(1)
    index.add(rec("a", "Where is my order?", base))
    query = vec(2, near=base)
    assert index.search(query, "c", 10, POLICY, "Where's my order?").match.key == "a"
    assert index.search(query, "other", 10, POLICY, "Where's my order?").match is None
    assert index.search(query, "c", 1000, POLICY, "Where's my order?").match is None


def test_a_refused_best_candidate_leaves_room_for_the_right_one() -> None:
    index = TenantIndex(dim=16)
    base = vec(3)
    index.add(rec("enable", "How do I enable 2FA?", base))
    index.add(rec("disable", "How do I disable 2FA?", vec(4, near=base, noise=0.1)))
    lookup = index.search(base, "c", 0, POLICY, "How can I disable 2FA?")
    assert lookup.match is not None and lookup.match.key == "disable"


def test_widen_to_judges_a_second_round_only_when_the_first_is_refused_over_the_floor(
        ) -> None:
    """Five nearer entries the guards refuse hide a sixth that answers, unless the lookup
    may judge up to 10; the second round is held to the floor like the first."""
    index = TenantIndex(dim=16)
    base = vec(6)
    for i in range(5):  # nearer than the right one, each names another order
        index.add(rec(f"other{i}", f"Where is my order 123{i}?", vec(60 + i, base, 0.01)))
    index.add(rec("right", "Where is my order 5678?", vec(70, base, 0.08)))
    query = "Where's my order 5678?"
    assert [index.text(row) for row, _ in index.nearest(base, "c", 0, 6)][-1] == (
        "Where is my order 5678?")
    assert index.search(base, "c", 0, POLICY, query).match is None  # WIDEN_TO: one round
    lookup = index.search(base, "c", 0, POLICY, query, widen_to=10)
    assert lookup.match is not None and lookup.match.key == "right"
    assert lookup.refused_by is None
    # the floor between the fifth and the sixth: nothing the second round may take
    floor = sorted(s for _, s in index.nearest(base, "c", 0, 6))[1] - 1e-6
    assert index.search(base, "c", 0, MatchPolicy(floor), query, widen_to=10).match is None


def test_near_miss_reports_the_guard() -> None:
    index = TenantIndex(dim=16)
    base = vec(5)
    index.add(rec("a", "Where is my order 1234?", base))
    lookup = index.search(base, "c", 0, POLICY, "Where is my order 5678?")
    assert lookup.match is None and lookup.refused_by == "numbers"
    assert lookup.best_similarity > 0.99


def test_remove_keeps_other_rows_searchable_and_growth_keeps_rows() -> None:
    index = TenantIndex(dim=16, capacity=2)
    vectors = [vec(10 + i) for i in range(5)]
    for i, v in enumerate(vectors):
        index.add(rec(f"k{i}", f"question number {i}", v))
    index.remove("k1")
    index.remove("missing")
    assert len(index) == 4 and index.semantic_rows == 4
    for i in (0, 2, 3, 4):
        found = index.search(vectors[i], "c", 0, MatchPolicy(0.99, False), "q")
        assert found.match is not None and found.match.key == f"k{i}"
    assert index.search(vectors[1], "c", 0, MatchPolicy(0.99, False), "q").match is None


def test_exact_only_entries_are_known_but_never_searched() -> None:
    index = TenantIndex(dim=16)
    index.add(rec("tools", "call the weather tool", None, sk="J#2"))
    assert index.has_live("tools", 0) and not index.has_live("tools", 1000)
    assert index.semantic_rows == 0 and index.watermark == "J#2"


def test_snapshot_round_trip_keeps_records_and_watermark() -> None:
    records = [rec("a", "hello", vec(20), sk="J#1"), rec("b", "tools", None, sk="J#2")]
    back, watermark = decode(encode(records, "J#2", 16))
    assert watermark == "J#2"
    assert [(r.key, r.context, r.text, r.expires_at) for r in back] == [
        ("a", "c", "hello", 1000), ("b", "c", "tools", 1000)]
    assert np.allclose(back[0].embedding, records[0].embedding) and back[1].embedding is None
    assert snapshot_key("acme/x") == "cache/acme%2Fx/snapshot-2.npz"


def test_a_snapshot_holds_each_text_at_its_own_length() -> None:
    """One long message among short questions, texts in other scripts: the snapshot holds
    each text's UTF-8 bytes, not every text as long as the longest (the first layout held
    1,000 entries with one 20,000-character text in 82 MB; docs/cache-history.md
    "Session 16")."""
    texts = [f"question {i}" for i in range(999)] + ["x" * 20_000]
    texts[:3] = ["", "¿dónde está mi pedido?", "注文はどこですか 😀"]
    records = [rec(f"k{i}", t, vec(i), sk=f"J#{i:04d}") for i, t in enumerate(texts)]
    blob = encode(records, "J#0999", 16)
    assert len(blob) < 1000 * (16 * 4 + 64 * 4 * 3) + 40_000
    back, _ = decode(blob)
    assert [r.text for r in back] == texts


def test_expired_entries_are_dropped_and_live_ones_still_found() -> None:
    index = TenantIndex(dim=16, capacity=2)
    vectors = [vec(40 + i) for i in range(6)]
    for i, v in enumerate(vectors):
        index.add(rec(f"k{i}", f"question number {i}", v, expires=100 if i % 2 else 1000))
    index.add(rec("exact-only", "with tools", None, expires=100))
    before = [index.search(v, "c", 200, POLICY, f"question number {i}") for i, v in
              enumerate(vectors)]
    assert index.drop_expired(200) == 4
    assert len(index) == 3 and index.semantic_rows == 3
    assert not index.has_live("exact-only", 0)
    for i, v in enumerate(vectors):
        after = index.search(v, "c", 200, POLICY, f"question number {i}")
        assert (after.match, after.refused_by) == (before[i].match, before[i].refused_by)
        assert abs(after.best_similarity - before[i].best_similarity) < 1e-6
        assert (after.match is not None) == (i % 2 == 0)
    assert index.drop_expired(200) == 0


def test_a_small_contexts_rows_alone_give_the_full_scans_candidates() -> None:
    """``nearest`` scores only a context's rows when it holds few of them; the candidates
    (rows, order, similarities) must be those of the masked scan over every row."""
    from llm_router.cache.index import SUBSET_SHARE

    rng = np.random.default_rng(11)
    index = TenantIndex(dim=16)
    sizes = {"big": 400, "medium": 60, "small": 7, "one": 1}
    for context, size in sizes.items():
        for i in range(size):
            v = rng.normal(size=16)
            index.add(rec(f"{context}{i}", f"text {i}", (v / np.linalg.norm(v)).astype(
                np.float32), context=context, expires=int(rng.integers(50, 150))))
    n = index.semantic_rows
    assert sizes["big"] * SUBSET_SHARE >= n > sizes["medium"] * SUBSET_SHARE  # both paths
    for context in sizes:
        for seed in range(5):
            q = rng.normal(size=16)
            q = (q / np.linalg.norm(q)).astype(np.float32)
            live = ((index._contexts[:n] == index._context_codes[context])
                    & (index._expires[:n] > 100))
            for k in (1, 5, 50):
                got = index.nearest(q, context, 100, k)
                want = index.nearest_by_scan(q, live, k)
                assert [r for r, _ in got] == [r for r, _ in want], (context, seed, k)
                np.testing.assert_allclose([s for _, s in got], [s for _, s in want],
                                           atol=1e-6)
                assert len(got) == min(k, int(live.sum()))
    assert index.nearest(q, "unknown", 100) == []
