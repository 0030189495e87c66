"""The learnt retrieval map (``cache.retrieval_map``, off by default): the index ranks and
floors by the mapped vectors' cosine, the verifier's checks read the raw one, snapshots
keep the raw vectors, and without a map nothing changes. Synthetic vectors; a table stands
for the verifier."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy
from llm_router.cache.probe import probe
from llm_router.cache.retrieval_map import RetrievalMap, shared_retrieval_map
from llm_router.catalog import CacheConfig
from llm_router.errors import ConfigError
from tests.unit.cache.fakes import DIM, SQUEEZE, axis

CUT = 0.9
FOREVER = 2**62


class TableVerifier:
    """The probability of each cached text; ``cosines`` records what it was handed."""

    threshold = CUT

    def __init__(self, table: dict[str, float]):
        self.table = table
        self.cosines: list[float] = []

    def prepare_many(self, texts: Sequence[str]) -> None:
        pass

    def probability(self, cached: str, query: str, cosine: float) -> float:
        self.cosines.append(cosine)
        return self.table[cached]


def saved(tmp_path: Path, weight: np.ndarray) -> Path:
    path = tmp_path / "map.npz"
    np.savez(path, weight=weight.astype(np.float32))
    return path


def policy(verifier: TableVerifier, floor: float = 0.5) -> MatchPolicy:
    return MatchPolicy(floor, False, verifier, CUT, spelling=False)  # type: ignore[arg-type]


def test_the_layers_map_by_default_and_an_index_without_one() -> None:
    """Rule M2b (session 28) shipped the layer's map at the floor 0.5; an index built
    alone (``probe``, the benches) has none unless given one."""
    assert CacheConfig().retrieval_map == "full-mnr.npz"
    assert CacheConfig().verifier_floor == 0.5
    assert TenantIndex(DIM).retrieval_map is None


def test_apply_gives_unit_rows_in_the_shape_given(tmp_path: Path) -> None:
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    one = rmap.apply(axis(0, 1, 0.5))
    rows = rmap.apply(np.stack([axis(0, 1, 0.5), axis(2)]))
    assert one.shape == (DIM,) and rows.shape == (2, DIM)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-6)
    assert np.allclose(rows[0], one)
    assert rmap.dim == DIM and len(rmap.sha256) == 64


def test_a_file_that_is_no_map_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        RetrievalMap.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "wide.npz", weight=np.zeros((2, 3), np.float32))
    with pytest.raises(ConfigError):
        RetrievalMap.load(tmp_path / "wide.npz")
    np.savez(tmp_path / "other.npz", matrix=np.eye(2, dtype=np.float32))
    with pytest.raises(ConfigError):
        RetrievalMap.load(tmp_path / "other.npz")


def test_shared_map_is_read_once(tmp_path: Path) -> None:
    path = str(saved(tmp_path, np.eye(DIM)))
    assert shared_retrieval_map(path) is shared_retrieval_map(path)


def filled(rmap: RetrievalMap | None, rows: dict[str, np.ndarray]) -> TenantIndex:
    index = TenantIndex(DIM, retrieval_map=rmap)
    for text, vector in rows.items():
        index.add(IndexRecord(text, "ctx", text, vector, FOREVER, ""))
    return index


def test_the_identity_map_changes_no_verdict(tmp_path: Path) -> None:
    """Same nearest rows, similarities and verdicts as the raw index, lookup by lookup."""
    rng = np.random.default_rng(3)
    rows = {f"t{i}": v / np.linalg.norm(v) for i, v in
            enumerate(rng.normal(size=(40, DIM)).astype(np.float32))}
    table = {text: p for text, p in zip(rows, rng.uniform(0.5, 1.0, 40), strict=True)}
    raw = filled(None, rows)
    same = filled(RetrievalMap.load(saved(tmp_path, np.eye(DIM))), rows)
    for q in rng.normal(size=(25, DIM)).astype(np.float32):
        q /= np.linalg.norm(q)
        a = raw.search(q, "ctx", 0, policy(TableVerifier(table), 0.2), "query")
        b = same.search(q, "ctx", 0, policy(TableVerifier(table), 0.2), "query")
        assert (a.match and a.match.key) == (b.match and b.match.key)
        assert a.refused_by == b.refused_by and a.probability == b.probability
        assert a.best_similarity == pytest.approx(b.best_similarity, abs=1e-5)


def test_the_map_ranks_and_floors_the_checks_read_the_raw_cosine(tmp_path: Path) -> None:
    """Raw, "near" is the query's nearest and "far" is under the floor; mapped, "far" is
    the nearest and over it: the lookup judges it first, and the verifier is handed the
    raw cosine, not the mapped one."""
    query = axis(0, 1, 1.0)
    rows = {"near": axis(0, 2, 0.5), "far": axis(1, 3, 1.2)}
    raw_far = float(rows["far"] @ query)
    assert raw_far < 0.5 < float(rows["near"] @ query)
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    table = {"near": 0.95, "far": 0.95}
    plain, mapped = TableVerifier(table), TableVerifier(table)
    hit = filled(None, rows).search(query, "ctx", 0, policy(plain), "the query")
    assert hit.match is not None and hit.match.key == "near"
    moved = filled(rmap, rows).search(query, "ctx", 0, policy(mapped), "the query")
    assert moved.match is not None and moved.match.key == "far"
    assert moved.match.similarity > 0.5 > raw_far
    assert mapped.cosines == [pytest.approx(raw_far, abs=1e-6)]


def test_snapshots_keep_the_raw_vectors_and_removal_keeps_rows_aligned(tmp_path: Path) -> None:
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    rows = {f"t{i}": axis(i % DIM, (i + 1) % DIM, 0.3 * i) for i in range(12)}
    index = filled(rmap, rows)
    index.remove("t3")
    index.remove("t0")
    kept = {key: vector for key, _, vector, _ in index.records()}
    assert set(kept) == set(rows) - {"t0", "t3"}
    for key, vector in kept.items():
        assert np.allclose(vector, rows[key])
    q = axis(5, 6, 0.3 * 5)
    best = index.nearest(q, "ctx", 0, 1)
    assert index.text(best[0][0]) == "t5"
    assert best[0][1] == pytest.approx(float(rmap.apply(rows["t5"]) @ rmap.apply(q)), abs=1e-6)
    live = np.ones(index.semantic_rows, dtype=bool)
    scanned, searched = index.nearest_by_scan(q, live, 3), index.nearest(q, "ctx", 0, 3)
    assert [row for row, _ in scanned] == [row for row, _ in searched]
    assert [s for _, s in scanned] == pytest.approx([s for _, s in searched])


def test_probe_reports_the_mapped_cosine(tmp_path: Path) -> None:
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    cached, query = axis(1, 3, 1.2), axis(0, 1, 1.0)
    verifier = TableVerifier({"the cached text": 0.95})
    raw = probe("the cached text", cached, "the query", query, policy(verifier))
    mapped = probe("the cached text", cached, "the query", query, policy(verifier), rmap)
    assert not raw.hit and raw.refused_by == "threshold"
    assert mapped.hit and mapped.similarity == pytest.approx(
        float(rmap.apply(cached) @ rmap.apply(query)), abs=1e-6)


def test_the_setting_gives_every_tenant_index_the_map(tmp_path: Path) -> None:
    """``cache.retrieval_map`` is read once, when the cache is built (a file that is no map
    fails there, not in a request), and each tenant's index ranks by it; off, none has."""
    from llm_router.cache.service import ResponseCache

    from .test_answers import Store, request

    path = str(saved(tmp_path, SQUEEZE))
    cache = ResponseCache(CacheConfig(retrieval_map=path), Store(), dim=DIM)  # type: ignore[arg-type]
    assert cache.lookup_exact("t", request("first?")) is None  # loads the tenant
    assert cache._tenant("t").index.retrieval_map is shared_retrieval_map(path)
    plain = ResponseCache(CacheConfig(retrieval_map=None), Store(), dim=DIM)  # type: ignore[arg-type]
    assert plain._tenant("t").index.retrieval_map is None
    with pytest.raises(ConfigError):
        ResponseCache(CacheConfig(retrieval_map=str(tmp_path / "none.npz")), Store(),  # type: ignore[arg-type]
                      dim=DIM)


def records_of(rows: dict[str, np.ndarray]) -> list[IndexRecord]:
    return [IndexRecord(text, "ctx", text, vector, FOREVER, f"J#{i:03d}")
            for i, (text, vector) in enumerate(rows.items())]


def test_a_snapshots_entries_are_mapped_in_one_product_as_one_by_one(tmp_path: Path) -> None:
    """``add_many`` (a snapshot's load) maps every row in one product: the same mapped
    rows, bit for bit, as ``add`` one entry at a time, and the same lookups."""
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE + np.random.default_rng(5).normal(
        scale=0.2, size=(DIM, DIM))))
    rng = np.random.default_rng(6)
    rows = {f"t{i}": v / np.linalg.norm(v) for i, v in
            enumerate(rng.normal(size=(300, DIM)).astype(np.float32))}
    records = records_of(rows)
    records.insert(7, IndexRecord("exact", "ctx", "exact", None, FOREVER, "J#007x"))
    one = TenantIndex(DIM, retrieval_map=rmap)
    added_one = [one.add(r) for r in records]
    batch = TenantIndex(DIM, retrieval_map=rmap)
    assert batch.add_many(records) == added_one
    n = one.semantic_rows
    assert n == batch.semantic_rows == 300
    assert np.array_equal(one._mapped[:n], batch._mapped[:n])
    assert np.array_equal(one._vectors[:n], batch._vectors[:n])
    assert one.nbytes == batch.nbytes
    for q in rng.normal(size=(10, DIM)).astype(np.float32):
        q /= np.linalg.norm(q)
        assert one.nearest(q, "ctx", 0, 5) == batch.nearest(q, "ctx", 0, 5)
    plain = TenantIndex(DIM)  # off: add_many is add, one by one
    assert plain.add_many(records) == added_one and plain.semantic_rows == 300


def test_a_mapped_row_counts_in_the_bytes(tmp_path: Path) -> None:
    """With a map each semantic row holds its mapped vector too (``IndexRecord.held``):
    ``max_index_bytes`` and ``newest_within`` count it; an exact-only entry holds none."""
    from llm_router.cache.entry import EXACT_BYTES, MAPPED_ROW_BYTES, newest_within

    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    semantic = IndexRecord("a", "ctx", "a text", axis(0), FOREVER, "J#1")
    exact = IndexRecord("b", "ctx", "b", None, FOREVER, "J#2")
    assert MAPPED_ROW_BYTES == 384 * 4
    assert semantic.held(True) == semantic.nbytes + MAPPED_ROW_BYTES
    assert semantic.held(False) == semantic.nbytes
    assert exact.held(True) == exact.nbytes == EXACT_BYTES
    mapped, raw = TenantIndex(DIM, retrieval_map=rmap), TenantIndex(DIM)
    for index in (mapped, raw):
        index.add(semantic)
        index.add(exact)
    assert mapped.nbytes == raw.nbytes + MAPPED_ROW_BYTES
    records = records_of({f"t{i}": axis(i % DIM) for i in range(6)})
    budget = 2 * records[0].held(True) + 10  # two mapped rows, three raw ones
    assert len(list(newest_within(reversed(records), None, budget))) == 3
    assert len(list(newest_within(reversed(records), None, budget, mapped=True))) == 2
    capped = TenantIndex(DIM, max_bytes=budget, retrieval_map=rmap)
    capped.add_many(records)
    assert capped.semantic_rows == 2 and capped.nbytes <= budget


def test_a_bare_file_name_is_the_layers(tmp_path: Path) -> None:
    from llm_router.cache.retrieval_map import LAYER_DIR, resolve

    assert resolve("full-mnr.npz") == LAYER_DIR / "full-mnr.npz"
    assert LAYER_DIR.parts[-3:] == ("llm_router", "data", "cache_retrieval")
    assert resolve(str(tmp_path / "m.npz")) == tmp_path / "m.npz"
    assert resolve(".cache/cache_retrieval/full-mnr.npz") == Path(
        ".cache/cache_retrieval/full-mnr.npz")


def test_the_snapshot_load_maps_its_entries_as_the_journal_does(tmp_path: Path) -> None:
    """A tenant's snapshot goes into its index through ``add_many``: its mapped rows are
    those of the same entries added one by one."""
    from llm_router.cache.service import ResponseCache

    from .test_answers import Store, request

    rows = {f"t{i}": axis(i % DIM, (i + 3) % DIM, 0.1 * i) for i in range(20)}
    records = records_of(rows)

    class Snapshots:
        def load(self, tenant_id: str) -> tuple[list[IndexRecord], str]:
            return records, records[-1].journal_sk

    path = str(saved(tmp_path, SQUEEZE))
    cache = ResponseCache(CacheConfig(retrieval_map=path), Store(),  # type: ignore[arg-type]
                          snapshots=Snapshots(), dim=DIM)  # type: ignore[arg-type]
    cache.lookup_exact("t", request("first?"))
    index = cache._tenant("t").index
    alone = filled(shared_retrieval_map(path), rows)
    assert index.semantic_rows == alone.semantic_rows == 20
    assert np.array_equal(index._mapped[:20], alone._mapped[:20])


def test_the_shipped_map_is_the_one_its_json_names() -> None:
    """The catalog points at the layer's map (``cache.retrieval_map``), the one rules M and
    M2b decided: its weight's sha256 and the file's are its json's, and the weight's is
    b5af082d; it loads through the init's check and maps MiniLM's 384 dimensions."""
    import hashlib
    import json

    from llm_router.cache.retrieval_map import resolve

    name = CacheConfig().retrieval_map
    assert name == "full-mnr.npz"
    path = resolve(name)
    info = json.loads(path.with_suffix(".json").read_text())
    assert info["sha256"] == RetrievalMap.load(path).sha256 == SHIPPED_MAP_SHA256
    assert info["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "rule M2b" in info["rule"] and info["sources"]
    assert shared_retrieval_map(name).sha256 == SHIPPED_MAP_SHA256
    assert shared_retrieval_map(name).dim == 384


def test_a_layer_map_its_json_does_not_name_fails_at_init(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bare name is the layer's file, held to its json's weight sha256: a swapped or
    truncated file, or one without its json, is a ConfigError when the cache is built."""
    import json

    from llm_router.cache import retrieval_map

    monkeypatch.setattr(retrieval_map, "LAYER_DIR", tmp_path)
    good = RetrievalMap.load(saved(tmp_path, SQUEEZE))  # tmp_path / "map.npz"
    (tmp_path / "map.json").write_text(json.dumps({"sha256": good.sha256}))
    np.savez(tmp_path / "swapped.npz", weight=np.eye(DIM, dtype=np.float32))
    (tmp_path / "swapped.json").write_text(json.dumps({"sha256": good.sha256}))
    np.savez(tmp_path / "bare.npz", weight=np.eye(DIM, dtype=np.float32))
    try:
        assert shared_retrieval_map("map.npz").sha256 == good.sha256
        for name in ("swapped.npz", "bare.npz"):
            with pytest.raises(ConfigError):
                shared_retrieval_map(name)
    finally:
        shared_retrieval_map.cache_clear()


def test_a_map_of_other_dimensions_than_the_caches_fails_at_init(tmp_path: Path) -> None:
    from llm_router.cache.service import ResponseCache

    from .test_answers import Store

    path = str(saved(tmp_path, SQUEEZE))
    with pytest.raises(ConfigError, match="dimensions"):
        ResponseCache(CacheConfig(retrieval_map=path), Store(), dim=2 * DIM)  # type: ignore[arg-type]


SHIPPED_MAP_SHA256 = "b5af082d38c88262006e0173802a9f07525baf0c58a830f69c84246f0c789f0e"


def test_make_cache_retrieval_map_layer_writes_the_file_and_its_json(tmp_path: Path) -> None:
    """``train/cache_retrieval/ship.py`` (``make cache-retrieval-map LAYER=1``): the npz
    byte for byte and a json with both sha256s, the sources and licences, and the rule."""
    import hashlib
    import json
    import sys

    from train.cache_retrieval import ship

    weight = (np.eye(DIM) + 0.1).astype(np.float32)
    sha = hashlib.sha256(weight.tobytes()).hexdigest()
    meta = {"recipe": {"shape": "full"}, "pairs": {"paraphrases": 1}, "weight_sha256": sha,
            "sources": {"heldout9": {"licence": "written for this project (Apache-2.0)"}}}
    fitted = tmp_path / "fit" / "full-mnr.npz"
    fitted.parent.mkdir()
    np.savez(fitted, weight=weight, meta=np.array(json.dumps(meta)))
    layer = tmp_path / "layer"
    argv = sys.argv
    sys.argv = ["ship.py", "--map", str(fitted), "--out-dir", str(layer)]
    try:
        ship.main()
    finally:
        sys.argv = argv
    assert (layer / "full-mnr.npz").read_bytes() == fitted.read_bytes()
    info = json.loads((layer / "full-mnr.json").read_text())
    assert info["sha256"] == sha == RetrievalMap.load(layer / "full-mnr.npz").sha256
    assert info["file_sha256"] == hashlib.sha256(fitted.read_bytes()).hexdigest()
    assert info["sources"] == meta["sources"] and "rule M" in info["rule"]
    assert "non-commercial" in info["licence"]
    assert ship.LAYER_DIR.parts[-3:] == ("llm_router", "data", "cache_retrieval")
